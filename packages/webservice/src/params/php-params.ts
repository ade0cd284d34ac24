/**
 * Request parameters decoded as PHP decodes `$_GET` / `$_POST` (`main/php_variables.c`), which is how every
 * Moodle webservice client encodes structures: `localfile[itemid]=7`, `options[0][name]=users`, `ids[]=a`.
 * Arrays keep insertion order (PHP arrays are ordered maps, and `external_multiple_structure` reads them in
 * that order), `[]` appends at the next integer key, a later value replaces an earlier one, and a top-level
 * `.` or space becomes `_`. Values stay strings; the function's parameter description types them.
 */
import { invalidParameter } from '../errors/exceptions.ts';

/** A decoded parameter: a string, or an ordered PHP array of them. */
export type PhpValue = string | PhpArray;

/** An ordered PHP array (string keys; integer keys are their decimal text). */
export type PhpArray = Map<string, PhpValue>;

/** Most parameters one request may carry (PHP's `max_input_vars` default). */
export const MAX_INPUT_VARS = 1000;

/** Deepest nesting accepted (PHP's `max_input_nesting_level` is 64; Moodle's functions need 3). */
export const MAX_NESTING = 16;

/** Decodes `[name, value]` pairs, in request order, into PHP's nested arrays. */
export function decodePhpParams(pairs: Iterable<readonly [string, string]>): PhpArray {
  const root: PhpArray = new Map();
  let count = 0;
  for (const [name, value] of pairs) {
    if (++count > MAX_INPUT_VARS)
      throw invalidParameter(`More than ${MAX_INPUT_VARS} request parameters; send fewer per call.`);
    const path = splitName(name);
    if (path) assign(root, path, value);
  }
  return root;
}

/** True when `value` is a PHP array. */
export function isPhpArray(value: PhpValue | undefined): value is PhpArray {
  return value instanceof Map;
}

/** PHP's `print_r` of a value, as Moodle quotes a bad value in its messages. */
export function printR(value: PhpValue): string {
  if (!isPhpArray(value)) return value;
  const inner = [...value].map(([k, v]) => `    [${k}] => ${printR(v).replaceAll('\n', '\n        ')}`);
  return `Array\n(\n${inner.join('\n')}\n)\n`;
}

// Internal helpers

/** `a[b][]` → `['a', 'b', null]` (null = append); undefined for a name PHP drops (empty base). */
function splitName(name: string): Array<string | null> | undefined {
  const open = name.indexOf('[');
  let base = open === -1 ? name : name.slice(0, open);
  // PHP drops leading spaces of the name and turns spaces and dots of the base into underscores.
  base = base.replace(/^ +/, '').replace(/[ .]/g, '_');
  if (base === '') return undefined;
  const path: Array<string | null> = [base];
  if (open === -1) return path;
  let rest = name.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) {
      // An unclosed bracket: PHP keeps the whole name as one key with the first '[' made '_'.
      return [`${name.slice(0, open).replace(/[ .]/g, '_')}_${name.slice(open + 1)}`];
    }
    const key = rest.slice(1, close);
    path.push(key === '' ? null : key);
    rest = rest.slice(close + 1);
    if (path.length > MAX_NESTING + 1)
      throw invalidParameter(`Parameter "${name}" is nested deeper than ${MAX_NESTING} levels.`);
  }
  return path;
}

function assign(target: PhpArray, path: ReadonlyArray<string | null>, value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? nextIndex(node);
    if (i === path.length - 1) {
      node.set(key, value);
      return;
    }
    let child = node.get(key);
    if (!isPhpArray(child)) {
      child = new Map();
      node.set(key, child);
    }
    node = child;
  }
}

function nextIndex(array: PhpArray): string {
  let next = 0;
  for (const key of array.keys()) if (/^(0|-?[1-9]\d*)$/.test(key)) next = Math.max(next, Number(key) + 1);
  return String(next);
}
