/**
 * Accumulates one XML text node: all character data between two element tags, CDATA sections
 * included and comments/processing instructions skipped, exactly as a SAX parser such as expat
 * (behind Moodle's `progressive_parser`) reports it. The common case, a text node lying inside one
 * decoded batch, costs one slice; text that spans batches is kept as parts and measured while it
 * grows, so a huge text node fails with `xml.text-too-large` once it crosses the limit, before it is
 * all in memory (and it is never kept at all outside a record).
 */
import { ErrorCode } from '../errors.ts';
import { checkReferences, decodeEntities, normalizeNewlines, type FailFn } from './entities.ts';
import { limitMessage } from './xml-error.ts';

const AMP = 1;
const CR = 2;

/** The text node being read, its raw segment in the current batch and its parts from earlier batches. */
export class TextNode {
  // The raw segment [segA, segB) of the current batch, not yet decoded; segA < 0 when none.
  private segA = -1;
  private segB = -1;
  private segFlags = 0;
  // Decoded parts carried over from earlier batches, CDATA sections or segments split by comments.
  private parts: string[] = [];
  private partsBytes = 0;
  private open = false;
  // Next index of '&', '\r' and ']]>' in the current batch (lazily computed; scanning only moves forward).
  private ampAt = -1;
  private crAt = -1;
  private cdEndAt = -1;

  /**
   * @param maxTextBytes - the `maxTextBytes` limit
   * @param fail - throws an `XmlError` with the current entry and element path
   * @param sink - says whether text is wanted (`capturing`); it does not change inside a text node
   */
  constructor(
    private readonly maxTextBytes: number,
    private readonly fail: FailFn,
    private readonly sink: { readonly capturing: boolean },
  ) {}

  /** A new batch starts: forget the positions cached for the previous one. */
  newBatch(): void {
    this.ampAt = -1;
    this.crAt = -1;
    this.cdEndAt = -1;
  }

  /** Adds raw character data `s[a, b)` (inside the root element). */
  segment(s: string, a: number, b: number): void {
    if (this.segA >= 0) this.commit(s);
    let flags = 0;
    if (this.ampAt < a) this.ampAt = nextIndex(s, '&', a);
    if (this.ampAt < b) flags |= AMP;
    if (this.crAt < a) this.crAt = nextIndex(s, '\r', a);
    if (this.crAt < b) flags |= CR;
    if (this.cdEndAt < a) this.cdEndAt = nextIndex(s, ']]>', a);
    if (this.cdEndAt < b) this.fail(ErrorCode.XmlMalformed, "']]>' is not allowed in text outside a CDATA section");
    this.segA = a;
    this.segB = b;
    this.segFlags = flags;
  }

  /** True when the text node already holds something (from an earlier batch, a CDATA section or a segment). */
  get isOpen(): boolean {
    return this.open || this.segA >= 0;
  }

  /**
   * The whole text `s[a, b)` of a leaf element (`<name>text</name>`, no text node open): checked
   * like any text; returns the decoded value when text is wanted, else `undefined`.
   */
  leaf(s: string, a: number, b: number): string | undefined {
    let flags = 0;
    if (this.ampAt < a) this.ampAt = nextIndex(s, '&', a);
    if (this.ampAt < b) flags |= AMP;
    if (this.crAt < a) this.crAt = nextIndex(s, '\r', a);
    if (this.crAt < b) flags |= CR;
    if (this.cdEndAt < a) this.cdEndAt = nextIndex(s, ']]>', a);
    if (this.cdEndAt < b) this.fail(ErrorCode.XmlMalformed, "']]>' is not allowed in text outside a CDATA section");
    if ((b - a) * 3 > this.maxTextBytes) this.checkSize(Buffer.byteLength(s.slice(a, b)));
    if (this.sink.capturing) return flags === 0 ? s.slice(a, b) : decode(s.slice(a, b), flags, this.fail);
    if ((flags & AMP) !== 0) checkReferences(s.slice(a, b), this.fail);
    return undefined;
  }

  /** Adds the content `s[a, b)` of a CDATA section (kept verbatim, newlines normalised). */
  cdata(s: string, a: number, b: number): void {
    if (this.segA >= 0) this.commit(s);
    const raw = s.slice(a, b);
    this.addPart(raw.indexOf('\r') === -1 ? raw : normalizeNewlines(raw));
  }

  /** Moves the pending raw segment into the parts (before `s` goes away or another piece joins). */
  commit(s: string): void {
    if (this.segA < 0) return;
    const value = decode(s.slice(this.segA, this.segB), this.segFlags, this.fail);
    this.segA = -1;
    this.addPart(value);
  }

  /**
   * Ends the text node at an element tag. Returns its decoded value when text is wanted and there
   * was a text node, else `undefined` (the text is still checked: references and size).
   */
  flush(s: string): string | undefined {
    const capture = this.sink.capturing;
    if (this.open) return this.flushParts(s, capture);
    const a = this.segA;
    if (a < 0) return undefined;
    const b = this.segB;
    this.segA = -1;
    if ((b - a) * 3 > this.maxTextBytes) this.checkSize(Buffer.byteLength(s.slice(a, b)));
    if (capture) return this.segFlags === 0 ? s.slice(a, b) : decode(s.slice(a, b), this.segFlags, this.fail);
    if ((this.segFlags & AMP) !== 0) checkReferences(s.slice(a, b), this.fail);
    return undefined;
  }

  // Internal helpers

  private flushParts(s: string, capture: boolean): string | undefined {
    this.commit(s);
    const value = capture ? this.parts.join('') : undefined;
    this.parts = [];
    this.partsBytes = 0;
    this.open = false;
    return value;
  }

  private addPart(value: string): void {
    this.open = true;
    this.partsBytes += Buffer.byteLength(value);
    this.checkSize(this.partsBytes);
    if (this.sink.capturing) this.parts.push(value);
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxTextBytes) {
      this.fail(ErrorCode.XmlTextTooLarge, limitMessage('a text node', bytes, 'maxTextBytes', this.maxTextBytes));
    }
  }
}

function nextIndex(s: string, what: string, from: number): number {
  const at = s.indexOf(what, from);
  return at === -1 ? s.length : at;
}

function decode(raw: string, flags: number, fail: FailFn): string {
  const text = (flags & CR) !== 0 ? normalizeNewlines(raw) : raw;
  return (flags & AMP) !== 0 ? decodeEntities(text, fail) : text;
}
