/**
 * What the tokenizer reports, in document order: the interface between `tokenizer.ts` and its two
 * consumers, `record-builder.ts` (records) and `record-counter.ts` (counts).
 */

/** Receives the events of one document. */
export interface TokenHandler {
  /** True while text values are wanted; otherwise text is checked and measured but not kept. */
  readonly capturing: boolean;
  /** An element starts. `attrs` is `[name, value, …]` (decoded), reused after the call; `start` is the index of `<` in `s`. */
  open(name: string, attrs: readonly string[], s: string, start: number): void;
  /** The innermost element ends; `end` is the index after its `>` in `s`. */
  close(name: string, s: string, end: number): void;
  /** A whole, decoded text node of the innermost element (only while `capturing`). */
  text(value: string): void;
  /**
   * A child element with no attributes and no children (`<name>text</name>`, `<name></name>`):
   * `value` is its text when `capturing`, else `undefined`. Return false to have it reported as
   * `open` + `text` + `close` instead.
   */
  leaf(name: string, value: string | undefined, s: string, start: number, end: number): boolean;
  /** The tokenizer is done with `s[0, consumed)`; the rest starts the next batch. */
  batchEnd(s: string, consumed: number): void;
}
