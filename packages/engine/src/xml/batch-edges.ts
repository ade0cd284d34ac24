/**
 * The ends of the tokenizer's batches. A construct cut by the end of a batch is carried into the
 * next one: a tag, comment or processing instruction whole (retried only once the new input is at
 * least as long as the carried part, so a long construct costs linear time, and bounded by the
 * limits), text and CDATA only by their last few characters (a possibly unfinished `&ref;`, `]]>` or
 * `\r\n`), the rest being streamed.
 */
import { ErrorCode } from '../errors.ts';
import type { FailFn } from './entities.ts';
import type { XmlLimits } from './types.ts';
import { limitMessage } from './xml-error.ts';

/** Input held back because it starts with an unfinished construct. */
export class CarriedInput {
  private carried = '';
  private waiting: string[] = [];
  private waitingLength = 0;

  /** Holds `rest` (the unfinished construct and what follows) for the next batch. */
  hold(rest: string): void {
    this.carried = rest;
  }

  /** The next batch to read: `chunk` with what is held before it, or `undefined` while too little has come to try again. */
  next(chunk: string): string | undefined {
    if (this.carried.length === 0) return chunk;
    this.waiting.push(chunk);
    this.waitingLength += chunk.length;
    return this.waitingLength < this.carried.length ? undefined : this.take();
  }

  /** Everything held, at the end of the input. */
  take(): string {
    const joined = this.waiting.length === 0 ? this.carried : this.carried + this.waiting.join('');
    this.carried = '';
    this.waiting = [];
    this.waitingLength = 0;
    return joined;
  }
}

/**
 * Bounds what an unfinished construct may hold before it ends: a comment or processing instruction
 * (`maxTextBytes`), an attribute value (`maxTextBytes`), a whole tag (`maxRecordBytes`). Sizes are
 * counted in characters, a lower bound of their bytes; a finished construct is checked in bytes.
 * @param size - characters from the construct's `<` to the end of the batch
 * @param kind - `markup` for a comment or processing instruction, `tag` for a start or end tag
 * @param attribute - characters of the unfinished attribute value, or 0
 */
export function checkUnfinished(
  size: number,
  kind: 'markup' | 'tag',
  attribute: number,
  limits: XmlLimits,
  fail: FailFn,
): void {
  const { maxTextBytes, maxRecordBytes } = limits;
  if (size <= maxTextBytes) return;
  if (kind === 'markup')
    fail(
      ErrorCode.XmlTextTooLarge,
      limitMessage('an unfinished comment or processing instruction', size, 'maxTextBytes', maxTextBytes),
    );
  if (attribute > maxTextBytes)
    fail(
      ErrorCode.XmlTextTooLarge,
      limitMessage('an unfinished attribute value', attribute, 'maxTextBytes', maxTextBytes),
    );
  if (size > maxRecordBytes)
    fail(ErrorCode.XmlRecordTooLarge, limitMessage('a single unfinished tag', size, 'maxRecordBytes', maxRecordBytes));
}

/** Where to cut text at the end of a batch so no reference, `]]>` or `\r\n` is split. */
export function textCut(s: string, i: number): number {
  const n = s.length;
  for (let k = n - 1; k >= i && k >= n - 40; k--) {
    const c = s.charCodeAt(k);
    if (c === 59 /* ; */ || c === 10 || c === 32) break;
    if (c === 38 /* & */) return k;
  }
  return cdataCut(s, i);
}

/** Where to cut CDATA (or text) at the end of a batch so no `]]>` or `\r\n` is split. */
export function cdataCut(s: string, i: number): number {
  const n = s.length;
  if (n > i && s.charCodeAt(n - 1) === 13 /* \r */) return n - 1;
  let cut = n;
  while (cut > i && cut > n - 2 && s.charCodeAt(cut - 1) === 93 /* ] */) cut--;
  return cut;
}
