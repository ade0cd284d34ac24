/**
 * One open element while a record is built, and the value rules that turn it into a record value
 * (listed on `readRecords`). An element's attributes and children are collected as names and values
 * and turned into an object when the element ends: with a learned shape when the names match one
 * (`record-shape.ts`), else one property at a time, applying the repeat and attribute rules.
 */
import type { ArrayNode, PathNode } from './path-trie.ts';
import { findShape, noteShape, type ShapeSlot } from './record-shape.ts';
import type { XmlObject, XmlRecord, XmlValue } from './types.ts';

/** Moodle's marker for a NULL database value (`$@NULL@$`); read as `null`. */
export const MOODLE_NULL = '$@NULL@$';

/** Frame kinds: outside any record; on the way to a selected path (not part of a record); a record's own element; an element inside a record. */
export const SKIP = 0;
export const PASS = 1;
export const RECORD = 2;
export const CONTENT = 3;

/** Where shapes are learned for the elements at one path below a record (bounded per reader). */
export interface ContentNode {
  readonly shape: ShapeSlot;
  kids: Map<string, ContentNode> | null;
}

/** One open element (frames are reused per depth). */
export class Frame {
  kind = SKIP;
  name = '';
  abs: PathNode | null = null;
  rel: ArrayNode | null = null;
  node: ContentNode | null = null;
  obj: XmlObject | null = null;
  collecting = false;
  keys: string[] = [];
  vals: XmlValue[] = [];
  n = 0;
  nAttrs = 0;
  attrKeys: string[] | null = null;
  text: string | null = null;
  mixed: string | null = null;
  hasChildren = false;
  // Record frames only.
  record: XmlRecord | null = null;
  parentRecord: XmlRecord | undefined = undefined;
  emitted = false;
  bytes = 0;
  segStart = -1;

  /** Starts collecting a record or record content element with attributes `[name, value, …]`. */
  begin(kind: number, rel: ArrayNode | null, node: ContentNode | null, attrs: readonly string[]): void {
    this.kind = kind;
    this.rel = rel;
    this.node = node;
    this.obj = null;
    this.collecting = true;
    let n = 0;
    for (let k = 0; k < attrs.length; k += 2, n++) {
      this.keys[n] = attrs[k]!;
      this.vals[n] = attrs[k + 1]!;
    }
    this.n = n;
    this.nAttrs = n;
    this.attrKeys = null;
    this.text = null;
    this.mixed = null;
    this.hasChildren = false;
  }

  /** Adds a child's value; `rel` is its `arrays` node (null when none). */
  add(name: string, value: XmlValue, rel: ArrayNode | null): void {
    if (!this.collecting) {
      attach(this, name, value, rel);
      return;
    }
    if (rel?.array) {
      for (let k = this.n - 1; k >= this.nAttrs; k--) {
        if (this.keys[k] === name) return void (this.vals[k] as XmlValue[]).push(value);
      }
      value = [value];
    }
    const n = this.n;
    this.keys[n] = name;
    this.vals[n] = value;
    this.n = n + 1;
  }

  /** The object so far (built now if still collecting). */
  object(): XmlObject {
    if (!this.collecting) return this.obj!;
    const slot = this.node === null ? null : this.node.shape;
    const shape = slot === null ? undefined : findShape(slot, this.keys, this.n);
    if (shape !== undefined) {
      this.collecting = false;
      return (this.obj = shape.build(this.keys, this.vals));
    }
    const obj = materialize(this);
    if (slot !== null && Object.keys(obj).length === this.n) noteShape(slot, this.keys, this.n); // all names distinct
    return obj;
  }

  /** The finished value: the text for a plain leaf, else the object with `#text` and empty `arrays` children. */
  value(): XmlValue {
    if (this.n === 0 && this.collecting && !this.hasChildren && (this.rel === null || this.rel.kids === null)) {
      const text = this.text;
      return text === null ? '' : text === MOODLE_NULL ? null : text;
    }
    const obj = this.object();
    finishObject(this, obj);
    return obj;
  }

  /** Lets go of values (frames are reused). */
  release(): void {
    this.obj = null;
    this.record = null;
    this.parentRecord = undefined;
  }
}

/** Adds `#text` (non-whitespace text of an element with attributes or children) and empty `arrays` children. */
export function finishObject(f: Frame, obj: XmlObject): void {
  const arrayKids = f.rel === null ? null : f.rel.arrayKids;
  if (arrayKids !== null) {
    for (const name of arrayKids) {
      if (obj[name] === undefined) obj[name] = [];
      else if (!Object.hasOwn(obj, name)) setOwn(obj, name, []);
    }
  }
  const text = f.hasChildren ? f.mixed : f.text !== null && !isWhitespace(f.text) ? f.text : null;
  if (text !== null) obj['#text'] = text === MOODLE_NULL ? null : text;
}

/** True when `text` holds only XML whitespace. */
export function isWhitespace(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

// Internal helpers

/** Turns collected names and values into an object, one property at a time; later children attach to it. */
function materialize(f: Frame): XmlObject {
  const obj: XmlObject = {};
  f.obj = obj;
  f.collecting = false;
  const { keys, vals } = f;
  const attrKeys: string[] = [];
  for (let k = 0; k < f.nAttrs; k++) {
    setProperty(obj, keys[k]!, vals[k]!);
    attrKeys.push(keys[k]!);
  }
  f.attrKeys = attrKeys;
  for (let k = f.nAttrs; k < f.n; k++) attach(f, keys[k]!, vals[k]!, null);
  return obj;
}

/** Adds a child's value to a built object: repeats become arrays, `arrays` paths always are, a child replaces a same-named attribute. */
function attach(f: Frame, name: string, value: XmlValue, rel: ArrayNode | null): void {
  const obj = f.obj!;
  const prev = obj[name];
  if (rel?.array) {
    if (prev === undefined) obj[name] = [value];
    else if (Array.isArray(prev) && Object.hasOwn(obj, name)) prev.push(value);
    else setOwn(obj, name, [value]);
    return;
  }
  if (prev === undefined) {
    obj[name] = value;
    return;
  }
  if (!Object.hasOwn(obj, name)) {
    setOwn(obj, name, value); // an inherited name such as constructor or __proto__
    return;
  }
  const keys = f.attrKeys;
  const at = keys === null ? -1 : keys.indexOf(name);
  if (at !== -1) {
    keys!.splice(at, 1);
    setOwn(obj, name, value);
  } else if (Array.isArray(prev)) prev.push(value);
  else setOwn(obj, name, [prev, value]);
}

function setProperty(obj: XmlObject, name: string, value: XmlValue): void {
  if (obj[name] === undefined) obj[name] = value;
  else setOwn(obj, name, value);
}

/** Defines an own, plain data property (safe for names such as `__proto__`). */
function setOwn(obj: XmlObject, name: string, value: XmlValue): void {
  Object.defineProperty(obj, name, { value, writable: true, enumerable: true, configurable: true });
}
