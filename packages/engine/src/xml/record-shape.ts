/**
 * Fast construction of the objects of records. Adding properties one by one with computed names
 * (`obj[name] = value`) was the single largest cost of building records: V8's keyed-store site sees
 * every field name and goes megamorphic (measured 100–400 ns per property on the 2-core development
 * machine, see the package README). Elements of one path nearly always have the same fields in the
 * same order, so the builder collects names and values (`frame.ts`), and when they match a shape seen
 * twice before at that path, builds the object with a function made for that shape, whose property
 * definitions each see a single name (10–25 ns per property).
 *
 * The function's source holds only array indices (`return { [k[0]]: v[0], … }`), never text from
 * the document; computed keys define own properties, so a name such as `__proto__` is an ordinary
 * key. Where code generation is disabled (`--disallow-code-generation-from-strings`) records are
 * built the plain way.
 */
import type { XmlObject, XmlValue } from './types.ts';

/** A learned record shape: the property names, in order, and the function that builds such an object. */
export interface RecordShape {
  /** Property names (attributes, then children), all distinct. */
  readonly keys: readonly string[];
  /** Builds `{ [keys[i]]: values[i] }` for the first `keys.length` entries. */
  readonly build: (keys: readonly string[], values: readonly XmlValue[]) => XmlObject;
}

/** Shapes kept per path: a few alternatives (e.g. with and without an optional field). */
const MAX_SHAPES_PER_PATH = 4;
/** Larger records are built the plain way (the gain is per property, the cost is compiling). */
const MAX_SHAPE_KEYS = 128;
/** Shapes compiled per process (shared by every reader); past this, new shapes are built the plain way. */
const MAX_SHAPES_TOTAL = 1024;

const compiled = new Map<string, RecordShape>();
let codeGeneration = true;

/** Per-path learning state: the shapes in use and the last shape seen once. */
export interface ShapeSlot {
  /** Shapes to try, most common first. */
  shapes: RecordShape[] | null;
  /** Names of the last record that matched no shape, learned if the next such record has the same names. */
  candidate: string[] | null;
}

/** The shape in `slot` whose names are exactly `keys[0, n)`, if any. */
export function findShape(slot: ShapeSlot, keys: readonly string[], n: number): RecordShape | undefined {
  const shapes = slot.shapes;
  if (shapes === null) return undefined;
  for (const shape of shapes) {
    const known = shape.keys;
    if (known.length !== n) continue;
    let k = 0;
    while (k < n && known[k] === keys[k]) k++;
    if (k === n) return shape;
  }
  return undefined;
}

/**
 * Notes a record built the plain way whose names `keys[0, n)` are distinct: the second time in a
 * row the same names are seen, the shape is learned for the path.
 */
export function noteShape(slot: ShapeSlot, keys: readonly string[], n: number): void {
  const candidate = slot.candidate;
  if (candidate === null || candidate.length !== n || !sameNames(candidate, keys, n)) {
    slot.candidate = n > 0 && n <= MAX_SHAPE_KEYS ? keys.slice(0, n) : null;
    return;
  }
  slot.candidate = null;
  if (slot.shapes !== null && slot.shapes.length >= MAX_SHAPES_PER_PATH) return;
  const shape = compiledShape(candidate);
  if (shape !== undefined) slot.shapes = slot.shapes === null ? [shape] : [...slot.shapes, shape];
}

// Internal helpers

function sameNames(a: readonly string[], b: readonly string[], n: number): boolean {
  let k = 0;
  while (k < n && a[k] === b[k]) k++;
  return k === n;
}

/** One builder per distinct list of names, shared by every reader (names cannot contain `/`). */
function compiledShape(keys: string[]): RecordShape | undefined {
  const signature = keys.join('/');
  const known = compiled.get(signature);
  if (known !== undefined || !codeGeneration || compiled.size >= MAX_SHAPES_TOTAL) return known;
  let body = 'return {';
  for (let i = 0; i < keys.length; i++) body += `[k[${i}]]: v[${i}],`;
  try {
    const build = new Function('k', 'v', `${body}};`) as RecordShape['build'];
    const shape: RecordShape = { keys, build };
    compiled.set(signature, shape);
    return shape;
  } catch {
    codeGeneration = false;
    return undefined;
  }
}
