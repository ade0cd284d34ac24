/**
 * Turns tokenizer events into records: one plain object per element at a selected path, built with
 * the value rules listed on `readRecords` (`record-reader.ts`; the per-element rules are in
 * `frame.ts`). This is the job Moodle's `simplified_parser_processor` does on top of
 * `progressive_parser`: a selected element becomes one record; an element at a selected path inside
 * another record becomes a record of its own, emitted after its enclosing record, which is emitted
 * (with what it holds so far) when the first nested record starts.
 *
 * Departures from Moodle, on purpose: non-selected nested elements are kept inside the record as
 * nested objects (Moodle drops them unless the path is "grouped"); content of a record that comes
 * after its first nested record is not read (Moodle would dispatch it as a second, attribute-less
 * chunk of the same path; Moodle's own writer always writes an element's fields before its nested
 * elements, so real backups never have such content).
 */
import { ErrorCode } from '../errors.ts';
import {
  CONTENT,
  Frame,
  MOODLE_NULL,
  PASS,
  RECORD,
  SKIP,
  finishObject,
  isWhitespace,
  type ContentNode,
} from './frame.ts';
import { newContentNode, type ArrayNode, type PathNode } from './path-trie.ts';
import type { TokenHandler } from './token-handler.ts';
import type { XmlRecord } from './types.ts';
import { limitMessage, xmlError } from './xml-error.ts';

export { MOODLE_NULL };

/** Shape-learning nodes per reader for elements inside records (a hostile file must not grow memory). */
const MAX_CONTENT_NODES = 10_000;

/** The builder: a {@link TokenHandler} that queues finished records. */
export class RecordBuilder implements TokenHandler {
  /** True while the innermost element belongs to a record being built. */
  capturing = false;
  private out: XmlRecord[] = [];
  private readonly frames: Frame[] = [];
  private depth = 0;
  private readonly records: Frame[] = [];
  private readonly top = new Frame();
  private contentNodes = 0;

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
    if (this.anyRoot && parent === this.top)
      abs = { path: `/${name}`, selected: true, kids: null, count: 0, content: newContentNode() };
    f.abs = abs;
    const pk = parent.kind;
    if (pk === CONTENT || (pk === RECORD && !parent.emitted)) {
      noteChild(parent);
      if (abs === null) {
        const relKids = parent.rel === null ? null : parent.rel.kids;
        f.begin(
          CONTENT,
          relKids === null ? null : (relKids.get(name) ?? null),
          this.contentNode(parent.node, name),
          attrs,
        );
        this.capturing = true;
        return;
      }
    }
    if (abs?.selected) {
      this.startRecord(f, abs, attrs, s, start);
      return;
    }
    f.kind = abs === null ? SKIP : PASS;
    this.capturing = false;
  }

  close(name: string, s: string, end: number): void {
    const f = this.frames[--this.depth]!;
    const parent = this.depth === 0 ? this.top : this.frames[this.depth - 1]!;
    if (f.kind === CONTENT) {
      parent.add(name, f.value(), f.rel);
      f.release();
      return; // the parent is record content too: still capturing
    }
    if (f.kind === RECORD) this.endRecord(f, s, end);
    this.capturing = parent.kind === CONTENT || (parent.kind === RECORD && !parent.emitted);
  }

  leaf(name: string, value: string | undefined): boolean {
    const p = this.depth === 0 ? this.top : this.frames[this.depth - 1]!;
    const kids = p.abs === null ? null : p.abs.kids;
    if (kids?.has(name)) return false; // a selected path, or on the way to one
    const pk = p.kind;
    if (pk === CONTENT || (pk === RECORD && !p.emitted)) {
      const relKids = p.rel === null ? null : p.rel.kids;
      const rel = relKids === null ? null : (relKids.get(name) ?? null);
      if (rel !== null && rel.kids !== null) return false; // holds `arrays` paths: always an object
      noteChild(p);
      p.add(name, value === undefined ? '' : value === MOODLE_NULL ? null : value, rel);
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

  private startRecord(f: Frame, abs: PathNode, attrs: readonly string[], s: string, start: number): void {
    const outer = this.records[this.records.length - 1];
    if (outer !== undefined) {
      if (outer.segStart >= 0) this.addBytes(outer, s, outer.segStart, start);
      outer.segStart = -1;
      if (!outer.emitted) this.emit(outer);
    }
    f.begin(RECORD, this.arrays, abs.content, attrs);
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
    f.release();
  }

  private emit(f: Frame): void {
    const data = f.object();
    finishObject(f, data);
    const record: XmlRecord = { path: f.abs!.path, data, parent: f.parentRecord };
    f.record = record;
    f.emitted = true;
    this.out.push(record);
  }

  /** The shape-learning node of child `name` under `parent` (none past the cap). */
  private contentNode(parent: ContentNode | null, name: string): ContentNode | null {
    if (parent === null) return null;
    const known = parent.kids === null ? undefined : parent.kids.get(name);
    if (known !== undefined || this.contentNodes >= MAX_CONTENT_NODES) return known ?? null;
    this.contentNodes++;
    const node = newContentNode();
    (parent.kids ??= new Map()).set(name, node);
    return node;
  }

  private addBytes(f: Frame, s: string, a: number, b: number): void {
    f.bytes += Buffer.byteLength(s.slice(a, b));
    if (f.bytes > this.maxRecordBytes) {
      const xmlPath = `/${this.frames
        .slice(0, this.depth)
        .map((frame) => frame.name)
        .join('/')}`;
      throw xmlError(
        ErrorCode.XmlRecordTooLarge,
        limitMessage(`the record ${f.abs!.path}`, f.bytes, 'maxRecordBytes', this.maxRecordBytes),
        {
          entry: this.entry,
          xmlPath,
        },
      );
    }
  }
}

/** A child element starts inside `parent`: text before its first child only counts if it is not whitespace. */
function noteChild(parent: Frame): void {
  if (parent.hasChildren) return;
  parent.hasChildren = true;
  if (parent.text !== null && !isWhitespace(parent.text)) parent.mixed = parent.text;
}
