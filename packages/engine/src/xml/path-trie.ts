/**
 * Selected paths and `arrays` paths compiled into small trees, so the reader matches each element
 * with one map lookup from its parent's node (Moodle's processors keep the same information as
 * "selected paths" and "selected parents", `simplified_parser_processor.class.php`).
 */
import { InvalidArgumentError } from '../errors.ts';
import type { ContentNode } from './frame.ts';

/** A node of the tree of absolute selected paths. */
export interface PathNode {
  /** Absolute path of this node, e.g. `/users/user`. */
  readonly path: string;
  /** True when the path was selected (a record starts here); false for its ancestors. */
  selected: boolean;
  /** Children by element name; `null` when there are none (the common case, checked first). */
  kids: Map<string, PathNode> | null;
  /** Elements counted at this path (used by `countRecords`). */
  count: number;
  /** Shapes learned for records at this path and for the elements inside them (see `record-shape.ts`). */
  readonly content: ContentNode;
}

/** A node of the tree of `arrays` paths, relative to a record. */
export interface ArrayNode {
  /** True when elements at this path are always arrays. */
  array: boolean;
  /** Children by element name; `null` when there are none. */
  kids: Map<string, ArrayNode> | null;
  /** Names of the children flagged `array` (so an element can default them to `[]`). */
  arrayKids: string[] | null;
}

/** Compiles absolute paths (`/users/user`); throws `input.invalid-argument` for a malformed path. */
export function compileSelectedPaths(paths: readonly string[], options: { allowNone?: boolean } = {}): PathNode {
  if (!Array.isArray(paths) || (paths.length === 0 && !options.allowNone)) {
    throw new InvalidArgumentError('At least one absolute element path to read is required, e.g. /users/user.');
  }
  const root: PathNode = { path: '', selected: false, kids: null, count: 0, content: newContentNode() };
  for (const path of paths) {
    let node = root;
    for (const name of splitPath(path, true)) {
      node.kids ??= new Map();
      let kid = node.kids.get(name);
      if (kid === undefined) {
        kid = { path: `${node.path}/${name}`, selected: false, kids: null, count: 0, content: newContentNode() };
        node.kids.set(name, kid);
      }
      node = kid;
    }
    node.selected = true;
  }
  return root;
}

/** Compiles relative array paths (`preferences/preference`). */
export function compileArrayPaths(paths: readonly string[] | undefined): ArrayNode | null {
  if (paths === undefined || paths.length === 0) return null;
  const root: ArrayNode = { array: false, kids: null, arrayKids: null };
  for (const path of paths) {
    let node = root;
    for (const name of splitPath(path, false)) {
      node.kids ??= new Map();
      let kid = node.kids.get(name);
      if (kid === undefined) {
        kid = { array: false, kids: null, arrayKids: null };
        node.kids.set(name, kid);
      }
      node = kid;
    }
    node.array = true;
  }
  fillArrayKids(root);
  return root;
}

/** A fresh node for learning record shapes. */
export function newContentNode(): ContentNode {
  return { shape: { shapes: null, candidate: null }, kids: null };
}

/** Finds the node of an absolute path (for reading counts back). */
export function findPath(root: PathNode, path: string): PathNode | undefined {
  let node: PathNode | undefined = root;
  for (const name of splitPath(path, true)) node = node?.kids?.get(name);
  return node;
}

// Internal helpers

function splitPath(path: string, absolute: boolean): string[] {
  if (typeof path !== 'string') throw new InvalidArgumentError(`An XML path must be a string, got ${typeof path}.`);
  const body = absolute ? (path.startsWith('/') ? path.slice(1) : undefined) : path;
  const names = body === undefined ? [] : body.split('/');
  if (names.length === 0 || names.some((name) => !/^[^\s/<>&"'=]+$/.test(name))) {
    throw new InvalidArgumentError(
      absolute
        ? `"${path}" is not an absolute element path: expected /name/name/… such as /users/user.`
        : `"${path}" is not a relative element path: expected name/name/… such as preferences/preference.`,
    );
  }
  return names;
}

function fillArrayKids(node: ArrayNode): void {
  if (node.kids === null) return;
  for (const [name, kid] of node.kids) {
    if (kid.array) (node.arrayKids ??= []).push(name);
    fillArrayKids(kid);
  }
}
