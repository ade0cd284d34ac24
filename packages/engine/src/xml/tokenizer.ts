/**
 * A strict, streaming XML 1.0 tokenizer over decoded text batches, written for Moodle backup files
 * (the role expat plays under Moodle's `backup/util/xml/parser/progressive_parser.class.php`).
 *
 * It checks well-formedness as it goes: tag nesting, one root element, attribute syntax and
 * uniqueness, references (`entities.ts`), comments, CDATA, the XML declaration, and nothing but
 * whitespace, comments and processing instructions outside the root. `<!DOCTYPE` is refused, so no
 * entity is ever declared or expanded. Batches may be cut anywhere (`batch-edges.ts`); text and
 * CDATA are streamed, so their size is checked while they grow (`text-node.ts`).
 *
 * Speed (see the package README): per-character work in JavaScript is what costs, so the common
 * shapes take short cuts that check just as much. Element names are predicted (`tag-table.ts`) and
 * confirmed with one `startsWith`; `<name>text</name>` is read in one step and reported as one
 * `leaf` event; whitespace-only text that cannot matter (before a start tag, or before the end tag
 * of an element that has children) is dropped here instead of being handed on.
 *
 * Departure: the `Char` production (control characters) is not checked character by character, and
 * names are checked against the ASCII name rules only (any non-ASCII character is accepted).
 */
import { ErrorCode } from '../errors.ts';
import { NAME, NAME_START, isNameChar, readAttribute } from './attributes.ts';
import {
  BANG_CDATA,
  BANG_COMMENT,
  INCOMPLETE,
  classifyBang,
  skipComment,
  skipProcessingInstruction,
} from './markup.ts';
import { CarriedInput, cdataCut, checkUnfinished, textCut } from './batch-edges.ts';
import { TagTable, type Tag } from './tag-table.ts';
import { TextNode } from './text-node.ts';
import type { TokenHandler } from './token-handler.ts';
import type { XmlLimits } from './types.ts';
import { xmlError, type XmlPlace } from './xml-error.ts';

/** The tokenizer. Feed it with {@link XmlTokenizer.write} and finish with {@link XmlTokenizer.end}. */
export class XmlTokenizer {
  private readonly tags: Tag[] = [];
  private depth = 0;
  private readonly hadChild: number[] = [0];
  private readonly attrs: string[] = [];
  private readonly text: TextNode;
  private readonly names = new TagTable();
  private readonly seqPos: number[] = [0];
  private wsA = -1;
  private wsB = -1;
  private rootSeen = false;
  private started = false;
  private inCdata = false;
  private readonly carried = new CarriedInput();
  private openAttrAt = -1;

  /**
   * @param handler - receives the events
   * @param limits - resolved limits (`maxDepth`, `maxTextBytes`; `maxRecordBytes` also bounds a single tag)
   * @param entry - archive entry name for error messages
   */
  constructor(
    private readonly handler: TokenHandler,
    private readonly limits: XmlLimits,
    private readonly entry: string,
  ) {
    this.text = new TextNode(limits.maxTextBytes, this.fail, handler);
  }

  /** Throws an `XmlError` naming the entry and the current element path. */
  readonly fail = (code: ErrorCode, what: string): never => {
    throw xmlError(code, what, this.place());
  };

  /** The entry and the path of the innermost open element. */
  place(): XmlPlace {
    const names = this.tags.slice(0, this.depth).map((tag) => tag.name);
    return { entry: this.entry, xmlPath: `/${names.join('/')}` };
  }

  /** Reads the next batch of text. */
  write(chunk: string): void {
    if (chunk.length === 0) return;
    const batch = this.carried.next(chunk);
    if (batch !== undefined) this.run(batch, false);
  }

  /** Ends the document: anything unfinished is `xml.malformed` (a truncated file). */
  end(): void {
    const rest = this.carried.take();
    if (rest.length > 0) this.run(rest, true);
    if (this.inCdata)
      this.fail(ErrorCode.XmlMalformed, 'the document ends inside a CDATA section; the file is truncated');
    if (this.depth > 0)
      this.fail(
        ErrorCode.XmlMalformed,
        `the document ends with ${this.depth} element(s) still open; the file is truncated`,
      );
    if (!this.rootSeen) this.fail(ErrorCode.XmlMalformed, 'the document has no root element (empty or truncated file)');
  }

  // Internal helpers

  private run(s: string, final: boolean): void {
    const n = s.length;
    this.text.newBatch();
    let i = 0;
    while (i < n) {
      if (this.inCdata) {
        const end = s.indexOf(']]>', i);
        if (end === -1) {
          if (final)
            this.fail(ErrorCode.XmlMalformed, 'the document ends inside a CDATA section; the file is truncated');
          const cut = cdataCut(s, i);
          this.text.cdata(s, i, cut);
          this.stop(s, cut);
          return;
        }
        this.text.cdata(s, i, end);
        this.inCdata = false;
        i = end + 3;
        continue;
      }
      // Skip indentation with a plain loop: cheaper than indexOf for the few characters between tags.
      let lt = i;
      let c = s.charCodeAt(i);
      while (c === LF || c === SP || c === TAB) c = s.charCodeAt(++lt);
      if (c === LT) {
        if (lt > i) this.whitespace(s, i, lt);
      } else {
        lt = s.indexOf('<', lt);
        if (lt === -1) {
          this.textTail(s, i, final);
          return;
        }
        this.textBefore(s, i, lt);
      }
      c = s.charCodeAt(lt + 1);
      let next: number;
      if (c === SLASH) next = this.endTag(s, lt);
      else if (c < 128 ? NAME[c] === NAME_START : c >= 128) next = this.startTag(s, lt);
      else {
        this.keepWhitespace(s);
        if (c === BANG) next = this.bang(s, lt);
        else if (c === QUESTION) next = skipProcessingInstruction(s, lt, lt === 0 && !this.started, this.fail);
        else if (lt + 1 >= n) next = INCOMPLETE;
        else next = this.fail(ErrorCode.XmlMalformed, `'<' must start a tag, found "<${s.charAt(lt + 1)}"`);
      }
      if (next === INCOMPLETE) {
        if (final)
          this.fail(
            ErrorCode.XmlMalformed,
            `the document ends inside a tag ("${s.slice(lt, lt + 40)}"); the file is truncated`,
          );
        const attribute = this.openAttrAt > lt ? s.length - this.openAttrAt : 0;
        checkUnfinished(
          s.length - lt,
          c === BANG || c === QUESTION ? 'markup' : 'tag',
          attribute,
          this.limits,
          this.fail,
        );
        this.stop(s, lt);
        return;
      }
      i = next;
    }
    if (!final) this.stop(s, n);
  }

  private startTag(s: string, lt: number): number {
    const n = s.length;
    const d = this.depth;
    const parent = d === 0 ? this.names.root : this.tags[d - 1]!;
    const pos = this.seqPos[d]!;
    let tag = this.names.predict(parent, pos);
    let j: number;
    if (tag !== undefined && s.startsWith(tag.open, lt)) {
      // `<name>`: the common case, checked with one comparison.
      j = lt + tag.open.length;
      if (d > 0) {
        const lt2 = s.indexOf('<', j);
        if (lt2 !== -1 && s.startsWith(tag.close, lt2)) return this.leaf(s, lt, tag, j, lt2, lt2 + tag.close.length);
      }
      j--;
    } else if (
      tag !== undefined &&
      s.startsWith(tag.name, lt + 1) &&
      !isNameChar(s.charCodeAt(lt + 1 + tag.name.length))
    ) {
      j = lt + 1 + tag.name.length;
    } else {
      j = lt + 2;
      while (isNameChar(s.charCodeAt(j))) j++;
      if (j >= n) return INCOMPLETE;
      tag = this.names.learn(parent, pos, s.slice(lt + 1, j));
    }
    if (j >= n) return INCOMPLETE;
    const name = tag.name;
    let c = s.charCodeAt(j);
    const attrs = this.attrs;
    if (attrs.length !== 0) attrs.length = 0;
    this.openAttrAt = -1;
    let selfClosing = false;
    for (;;) {
      if (c === GT) {
        j++;
        break;
      }
      if (c === SLASH) {
        if (j + 1 >= n) return INCOMPLETE;
        if (s.charCodeAt(j + 1) !== GT)
          this.fail(ErrorCode.XmlMalformed, `'/' must be followed by '>' in the start tag <${name}>`);
        j += 2;
        selfClosing = true;
        break;
      }
      if (c !== SP && c !== LF && c !== TAB && c !== CR) {
        this.fail(
          ErrorCode.XmlMalformed,
          `unexpected "${s.charAt(j)}" in the start tag <${name}>: expected whitespace, an attribute, '>' or '/>'`,
        );
      }
      do c = s.charCodeAt(++j);
      while (c === SP || c === LF || c === TAB || c === CR);
      if (j >= n) return INCOMPLETE;
      if (c === GT || c === SLASH) continue;
      this.openAttrAt = j;
      j = readAttribute(s, j, name, attrs, this.limits.maxTextBytes, this.fail);
      if (j === INCOMPLETE || j >= n) return INCOMPLETE;
      c = s.charCodeAt(j);
    }
    this.flushText(s, false);
    if (d === 0) {
      if (this.rootSeen) this.fail(ErrorCode.XmlMalformed, `a second root element <${name}> follows the root element`);
      this.rootSeen = true;
    }
    this.push(tag);
    this.handler.open(name, attrs, s, lt);
    if (selfClosing) {
      this.depth--;
      this.handler.close(name, s, j);
    }
    return j;
  }

  /** `<name>text</name>` at `lt`, text `s[a, b)`, ending at `end`. */
  private leaf(s: string, lt: number, tag: Tag, a: number, b: number, end: number): number {
    this.flushText(s, false);
    const d = this.depth;
    const name = tag.name;
    if (d + 1 > this.limits.maxDepth) this.enter(tag);
    this.seqPos[d]!++;
    this.hadChild[d] = 1;
    const handler = this.handler;
    const value = b > a ? this.text.leaf(s, a, b) : handler.capturing ? '' : undefined;
    if (handler.leaf(name, value, s, lt, end)) return end;
    const attrs = this.attrs;
    if (attrs.length !== 0) attrs.length = 0;
    this.enter(tag);
    handler.open(name, attrs, s, lt);
    if (handler.capturing) handler.text(b > a ? this.text.leaf(s, a, b)! : '');
    this.depth--;
    handler.close(name, s, end);
    return end;
  }

  /** A child element starts at the current depth. */
  private push(tag: Tag): void {
    const d = this.depth;
    this.seqPos[d]!++;
    this.hadChild[d] = 1;
    this.enter(tag);
  }

  private enter(tag: Tag): void {
    const d = this.depth;
    this.tags[d] = tag;
    this.depth = d + 1;
    this.hadChild[d + 1] = 0;
    this.seqPos[d + 1] = 0;
    if (d + 1 > this.limits.maxDepth) {
      this.fail(
        ErrorCode.XmlTooDeep,
        `elements are nested ${d + 1} deep, more than the maxDepth limit of ${this.limits.maxDepth}`,
      );
    }
  }

  private endTag(s: string, lt: number): number {
    if (this.depth === 0)
      this.fail(ErrorCode.XmlMalformed, `an end tag "${s.slice(lt, lt + 40)}" appears outside the root element`);
    const tag = this.tags[this.depth - 1]!;
    const name = tag.name;
    if (s.startsWith(tag.close, lt)) return this.close(s, name, lt + tag.close.length);
    let j = lt + 2 + name.length;
    let c = s.charCodeAt(j);
    if (!s.startsWith(name, lt + 2) || isNameChar(c)) return this.mismatch(s, lt, name);
    while (c === SP || c === LF || c === TAB || c === CR) c = s.charCodeAt(++j);
    if (c !== GT) {
      if (j >= s.length) return INCOMPLETE;
      this.fail(ErrorCode.XmlMalformed, `unexpected "${s.charAt(j)}" in the end tag </${name}>`);
    }
    return this.close(s, name, j + 1);
  }

  private close(s: string, name: string, end: number): number {
    this.flushText(s, this.hadChild[this.depth] === 0);
    this.depth--;
    this.handler.close(name, s, end);
    return end;
  }

  private mismatch(s: string, lt: number, open: string): number {
    let k = lt + 2;
    while (isNameChar(s.charCodeAt(k))) k++;
    if (k >= s.length) return INCOMPLETE;
    return this.fail(ErrorCode.XmlMalformed, `</${s.slice(lt + 2, k)}> does not match the open element <${open}>`);
  }

  /** Ends the text node before a tag; whitespace-only text is handed on only when it is a whole element's content. */
  private flushText(s: string, wholeContent: boolean): void {
    if (this.wsA >= 0) {
      if (wholeContent && this.handler.capturing) this.handler.text(s.slice(this.wsA, this.wsB));
      this.wsA = -1;
      return;
    }
    const value = this.text.flush(s);
    if (value !== undefined) this.handler.text(value);
  }

  /** Whitespace `s[a, b)` (no carriage return) before a `<`: it waits for the next tag, which decides whether it matters. */
  private whitespace(s: string, a: number, b: number): void {
    if (this.depth === 0) return;
    if (b - a < 256 && !this.text.isOpen) {
      this.wsA = a;
      this.wsB = b;
    } else this.text.segment(s, a, b);
  }

  /** Character data `s[a, b)` with something other than whitespace before a `<`: it joins the text node. */
  private textBefore(s: string, a: number, b: number): void {
    if (this.depth === 0) this.outside(s, a, b);
    else this.text.segment(s, a, b);
  }

  /** Turns waiting whitespace into text (a comment, PI or CDATA section, or the batch end, comes before the next tag). */
  private keepWhitespace(s: string): void {
    if (this.wsA < 0) return;
    this.text.segment(s, this.wsA, this.wsB);
    this.wsA = -1;
  }

  private bang(s: string, lt: number): number {
    const kind = classifyBang(s, lt, this.fail);
    if (kind === BANG_COMMENT) return skipComment(s, lt, this.fail);
    if (kind !== BANG_CDATA) return INCOMPLETE;
    if (this.depth === 0) this.fail(ErrorCode.XmlMalformed, 'a CDATA section appears outside the root element');
    this.inCdata = true;
    return lt + 9;
  }

  /** Character data up to the end of the batch: keep a possibly unfinished `&ref;`, `]]>` or `\r\n` for the next batch. */
  private textTail(s: string, i: number, final: boolean): void {
    const cut = final || this.depth === 0 ? s.length : textCut(s, i);
    if (cut > i) {
      if (this.depth > 0) this.text.segment(s, i, cut);
      else this.outside(s, i, cut);
    }
    if (final) this.text.commit(s);
    else this.stop(s, cut);
  }

  /** Text before or after the root element: only whitespace is allowed. */
  private outside(s: string, a: number, b: number): void {
    for (let k = a; k < b; k++) {
      const c = s.charCodeAt(k);
      if (c !== SP && c !== LF && c !== TAB && c !== CR) {
        this.fail(
          ErrorCode.XmlMalformed,
          `text "${s.slice(k, k + 20)}" appears ${this.rootSeen ? 'after' : 'before'} the root element`,
        );
      }
    }
  }

  /** The batch is done up to `cut`; the rest waits for more input. */
  private stop(s: string, cut: number): void {
    this.keepWhitespace(s);
    this.text.commit(s);
    this.carried.hold(cut < s.length ? s.slice(cut) : '');
    if (cut > 0) this.started = true;
    this.handler.batchEnd(s, cut);
  }
}

// Character codes.
const TAB = 9;
const LF = 10;
const CR = 13;
const SP = 32;
const BANG = 33;
const SLASH = 47;
const GT = 62;
const LT = 60;
const QUESTION = 63;
