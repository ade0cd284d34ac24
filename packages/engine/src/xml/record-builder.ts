/**
 * Turns tokenizer events into records: one plain object per element at a selected path, built with
 * the value rules listed on `readRecords` (`record-reader.ts`). This is
 * the job Moodle's `simplified_parser_processor` does on top of `progressive_parser`: a selected
 * element becomes one record; an element at a selected path inside another record becomes a record
 * of its own, emitted after its enclosing record, which is emitted (with what it holds so far) when
 * the first nested record starts.
 *
 * Departures from Moodle, on purpose: non-selected nested elements are kept inside the record as
 * nested objects (Moodle drops them unless the path is "grouped"); content of a record that comes
 * after its first nested record is not read (Moodle would dispatch it as a second, attribute-less
 * chunk of the same path; Moodle's own writer always writes an element's fields before its nested
 * elements, so real backups never have such content).
 */
import { ErrorCode } from '../errors.ts';
import type { ArrayNode, PathNode } from './path-trie.ts';
import { findShape, noteShape } from './record-shape.ts';
import type { TokenHandler } from './tokenizer.ts';
import type { XmlObject, XmlRecord, XmlValue } from './types.ts';
import { limitMessage, xmlError } from './xml-error.ts';

/** Moodle's marker for a NULL database value (`backup_helper`, `$@NULL@$`); read as `null`. */
export const MOODLE_NULL = '$@NULL@$';

/** The builder: a {@link TokenHandler} that queues finished records. */
export class RecordBuilder implements TokenHandler {
  /** True while the innermost element belongs to a record being built. */
  capturing = false;
  private out: XmlRecord[] = [];
  private readonly frames: Frame[] = [];
  private depth = 0;
  private readonly records: Frame[] = [];
  private readonly top = new Frame();

  /**
   * @param paths - compiled selected paths
   * @param arrays - compiled `arrays` paths (relative to each record), or null
   * @param maxRecordBytes - the `maxRecordBytes` limit
   * @param entry - archive entry name for error messages
   * @param anyRoot - make the document element a record whatever its name (for whole-document parsing)
   */
  constructor(
    paths: PathNode,
    private readonly arrays: ArrayNode | null,
    private readonly maxRecordBytes: number,
    private readonly entry: string,
    private readonly anyRoot = false,
  ) {
    this.top.kind = PASS;
    this.top.abs = paths;
  }

  /** Takes the records finished since the last call, in document order. */
  take(): XmlRecord[] {
    const out = this.out;
    if (out.length > 0) this.out = [];
    return out;
  }

  open(name: string, attrs: readonly string[], s: string, start: number): void {
    const parent = this.depth === 0 ? this.top : this.frames[this.depth - 1]!;
    let f = this.frames[this.depth];
    if (f === undefined) this.frames[this.depth] = f = new Frame();
    this.depth++;
    f.name = name;
    const kids = parent.abs === null ? null : parent.abs.kids;
    let abs = kids === null ? null : (kids.get(name) ?? null);
    if (this.anyRoot && parent === this.top) abs = { path: `/${name}`, selected: true, kids: null, count: 0, shape: { shapes: null, candidate: null } };
    f.abs = abs;
    const pk = parent.kind;
    if (pk === CONTENT || (pk === RECORD && !parent.emitted)) {
      if (!parent.hasChildren) {
        parent.hasChildren = true;
        if (parent.text !== null && !isWhitespace(parent.text)) parent.mixed = parent.text;
      }
      if (abs === null) {
        const relKids = parent.rel === null ? null : parent.rel.kids;
        f.reset(CONTENT, relKids === null ? null : (relKids.get(name) ?? null));
        if (attrs.length > 0) setAttributes(f, (f.obj = {}), attrs);
        this.capturing = true;
        return;
      }
    }
    if (abs !== null && abs.selected) return this.startRecord(f, attrs, s, start);
    f.kind = abs === null ? SKIP : PASS;
    this.capturing = false;
  }

  close(name: string, s: string, end: number): void {
    const f = this.frames[--this.depth]!;
    const parent = this.depth === 0 ? this.top : this.frames[this.depth - 1]!;
    if (f.kind === CONTENT) {
      attach(parent, name, valueOf(f), f.rel);
      f.obj = null;
      return; // the parent is record content too: still capturing
    }
    if (f.kind === RECORD) this.endRecord(f, s, end);
    this.capturing = parent.kind === CONTENT || (parent.kind === RECORD && !parent.emitted);
  }

  leaf(name: string, value: string | undefined, _s: string, _start: number, _end: number): boolean {
    const p = this.depth === 0 ? this.top : this.frames[this.depth - 1]!;
    const kids = p.abs === null ? null : p.abs.kids;
    if (kids !== null && kids.has(name)) return false; // a selected path, or on the way to one
    const pk = p.kind;
    if (pk === CONTENT || (pk === RECORD && !p.emitted)) {
      const relKids = p.rel === null ? null : p.rel.kids;
      const rel = relKids === null ? null : (relKids.get(name) ?? null);
      if (rel !== null && rel.kids !== null) return false; // holds `arrays` paths: always an object
      if (!p.hasChildren) {
        p.hasChildren = true;
        if (p.text !== null && !isWhitespace(p.text)) p.mixed = p.text;
      }
      attach(p, name, value === undefined ? '' : value === MOODLE_NULL ? null : value, rel);
    }
    return true;
  }

  text(value: string): void {
    const f = this.frames[this.depth - 1]!;
    if (!f.hasChildren) f.text = value;
    else if (!isWhitespace(value)) f.mixed = f.mixed === null ? value : f.mixed + value;
  }

  batchEnd(s: string, consumed: number): void {
    const f = this.records[this.records.length - 1];
    if (f === undefined || f.segStart < 0) return;
    this.addBytes(f, s, f.segStart, consumed);
    f.segStart = 0;
  }

  // Internal helpers

  private startRecord(f: Frame, attrs: readonly string[], s: string, start: number): void {
    const outer = this.records[this.records.length - 1];
    if (outer !== undefined) {
      if (outer.segStart >= 0) this.addBytes(outer, s, outer.segStart, start);
      outer.segStart = -1;
      if (!outer.emitted) this.emit(outer);
    }
    f.reset(RECORD, this.arrays);
    f.collecting = true;
    let n = 0;
    for (let k = 0; k < attrs.length; k += 2, n++) {
      f.keys[n] = attrs[k]!;
      f.vals[n] = attrs[k + 1]!;
    }
    f.n = n;
    f.nAttrs = n;
    f.parentRecord = outer?.record ?? undefined;
    f.emitted = false;
    f.bytes = 0;
    f.segStart = start;
    this.records.push(f);
    this.capturing = true;
  }

  private endRecord(f: Frame, s: string, end: number): void {
    const chars = end - f.segStart;
    if (f.bytes + chars * 3 > this.maxRecordBytes) this.addBytes(f, s, f.segStart, end);
    if (!f.emitted) this.emit(f);
    this.records.pop();
    const outer = this.records[this.records.length - 1];
    if (outer !== undefined) outer.segStart = end;
    f.obj = null;
    f.record = null;
    f.parentRecord = undefined;
  }

  private emit(f: Frame): void {
    const data = f.collecting ? build(f) : f.obj!;
    finishObject(f, data);
    const record: XmlRecord = { path: f.abs!.path, data, parent: f.parentRecord };
    f.record = record;
    f.emitted = true;
    this.out.push(record);
  }

  private addBytes(f: Frame, s: string, a: number, b: number): void {
    f.bytes += Buffer.byteLength(s.slice(a, b));
    if (f.bytes > this.maxRecordBytes) {
      const xmlPath = `/${this.frames.slice(0, this.depth).map((frame) => frame.name).join('/')}`;
      throw xmlError(ErrorCode.XmlRecordTooLarge, limitMessage(`the record ${f.abs!.path}`, f.bytes, 'maxRecordBytes', this.maxRecordBytes), {
        entry: this.entry,
        xmlPath,
      });
    }
  }
}

// Frame kinds: outside any record; on the way to a selected path (not part of a record);
// a record's own element; an element inside a record.
const SKIP = 0;
const PASS = 1;
const RECORD = 2;
const CONTENT = 3;

/** One open element (frames are reused per depth). */
class Frame {
  kind = SKIP;
  name = '';
  abs: PathNode | null = null;
  rel: ArrayNode | null = null;
  obj: XmlObject | null = null;
  attrKeys: string[] | null = null;
  text: string | null = null;
  mixed: string | null = null;
  hasChildren = false;
  record: XmlRecord | null = null;
  parentRecord: XmlRecord | undefined = undefined;
  emitted = false;
  bytes = 0;
  segStart = -1;
  // A record's attributes and children, collected as names and values until the object is built.
  collecting = false;
  keys: string[] = [];
  vals: XmlValue[] = [];
  n = 0;
  nAttrs = 0;

  reset(kind: number, rel: ArrayNode | null): void {
    this.kind = kind;
    this.collecting = false;
    this.rel = rel;
    this.obj = null;
    this.attrKeys = null;
    this.text = null;
    this.mixed = null;
    this.hasChildren = false;
  }
}

/** The value of a finished element inside a record: its text for a plain leaf, else an object. */
function valueOf(f: Frame): XmlValue {
  if (f.obj === null && !f.hasChildren && (f.rel === null || f.rel.kids === null)) {
    const text = f.text;
    return text === null ? '' : text === MOODLE_NULL ? null : text;
  }
  const obj = f.obj ?? {};
  finishObject(f, obj);
  return obj;
}

/** Adds `#text` (non-whitespace text of an element with attributes or children) and empty `arrays` children. */
function finishObject(f: Frame, obj: XmlObject): void {
  const arrayKids = f.rel === null ? null : f.rel.arrayKids;
  if (arrayKids !== null) {
    for (const name of arrayKids) if (!Object.hasOwn(obj, name)) setOwn(obj, name, []);
  }
  const text = f.hasChildren ? f.mixed : f.text !== null && !isWhitespace(f.text) ? f.text : null;
  if (text !== null) obj['#text'] = text === MOODLE_NULL ? null : text;
}

/** Adds a child's value to its parent: repeats become arrays, `arrays` paths always are, a child replaces a same-named attribute. */
function attach(parent: Frame, name: string, value: XmlValue, rel: ArrayNode | null): void {
  if (parent.collecting) {
    if (rel === null) {
      const n = parent.n;
      parent.keys[n] = name;
      parent.vals[n] = value;
      parent.n = n + 1;
      return;
    }
    materialize(parent);
  }
  let obj = parent.obj;
  if (obj === null) parent.obj = obj = {};
  const prev = obj[name];
  if (rel !== null && rel.array) {
    if (prev === undefined) obj[name] = [value];
    else if (Array.isArray(prev) && Object.hasOwn(obj, name)) prev.push(value);
    else setOwn(obj, name, [value]);
    return;
  }
  if (prev === undefined) {
    obj[name] = value;
    return;
  }
  if (!Object.hasOwn(obj, name)) return setOwn(obj, name, value); // an inherited name such as constructor or __proto__
  const keys = parent.attrKeys;
  const at = keys === null ? -1 : keys.indexOf(name);
  if (at !== -1) {
    keys!.splice(at, 1);
    setOwn(obj, name, value);
  } else if (Array.isArray(prev)) prev.push(value);
  else setOwn(obj, name, [prev, value]);
}

/** Builds a collected record: with a learned shape when the names match one, else the plain way. */
function build(f: Frame): XmlObject {
  const slot = f.abs!.shape;
  const shape = findShape(slot, f.keys, f.n);
  if (shape !== undefined) {
    f.collecting = false;
    return (f.obj = shape.build(f.keys, f.vals));
  }
  const obj = materialize(f);
  if (Object.keys(obj).length === f.n) noteShape(slot, f.keys, f.n); // all names distinct
  return obj;
}

/** Turns a collected record into an object, applying the repeat and attribute rules; later children attach to it. */
function materialize(f: Frame): XmlObject {
  const obj: XmlObject = {};
  f.obj = obj;
  f.collecting = false;
  const keys = f.keys;
  const vals = f.vals;
  const attrKeys: string[] = [];
  for (let k = 0; k < f.nAttrs; k++) {
    const name = keys[k]!;
    if (obj[name] === undefined) obj[name] = vals[k]!;
    else setOwn(obj, name, vals[k]!);
    attrKeys.push(name);
  }
  f.attrKeys = attrKeys;
  for (let k = f.nAttrs; k < f.n; k++) attach(f, keys[k]!, vals[k]!, null);
  return obj;
}

function setAttributes(f: Frame, obj: XmlObject, attrs: readonly string[]): void {
  const keys: string[] = [];
  for (let k = 0; k < attrs.length; k += 2) {
    const name = attrs[k]!;
    if (obj[name] === undefined) obj[name] = attrs[k + 1]!;
    else setOwn(obj, name, attrs[k + 1]!);
    keys.push(name);
  }
  f.attrKeys = keys;
}

/** Defines an own, plain data property (safe for names such as `__proto__`). */
function setOwn(obj: XmlObject, name: string, value: XmlValue): void {
  Object.defineProperty(obj, name, { value, writable: true, enumerable: true, configurable: true });
}

function isWhitespace(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}
