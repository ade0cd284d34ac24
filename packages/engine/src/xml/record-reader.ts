/**
 * The streaming, path-based XML record reader: the engine's counterpart of Moodle's
 * `progressive_parser` + `simplified_parser_processor` (`backup/util/xml/parser/`). A restore step
 * names the absolute element paths it wants and receives one plain record per element, in document
 * order, with memory bounded by the largest record rather than by the file.
 *
 * Bytes are decoded as strict UTF-8 (`utf8-decoder.ts`), checked and split into events by a
 * hand-written tokenizer (`tokenizer.ts`), and turned into records by `record-builder.ts`. See
 * `packages/engine/README.md` ("Streaming XML reader") for why this design and what it measures.
 */
import { InvalidArgumentError } from '../errors.ts';
import { compileArrayPaths, compileSelectedPaths, findPath, type PathNode } from './path-trie.ts';
import { RecordBuilder } from './record-builder.ts';
import { RecordCounter } from './record-counter.ts';
import { XmlTokenizer } from './tokenizer.ts';
import type { RecordReaderOptions, XmlRecord } from './types.ts';
import { Utf8BatchDecoder } from './utf8-decoder.ts';
import { UNNAMED_ENTRY, resolveXmlLimits } from './xml-error.ts';

/**
 * Where XML bytes come from: a Node stream (such as an archive entry), any async iterable of byte
 * chunks, a plain iterable (e.g. `[buffer]`), or one buffer. Chunks may be cut anywhere, even inside
 * a character.
 */
export type XmlSource =
  | AsyncIterable<Buffer | Uint8Array>
  | Iterable<Buffer | Uint8Array>
  | NodeJS.ReadableStream
  | Uint8Array;

/** Options of {@link countRecords}. */
export type CountRecordsOptions = Pick<RecordReaderOptions, 'limits' | 'entry'>;

/**
 * Reads the records at `options.paths` from an XML document, in document order.
 *
 * Shape of `record.data` (Moodle's element and attribute names are kept as they are):
 * - attributes become string properties (`<user id="4">` → `id: '4'`);
 * - a child element with no attributes and no child elements becomes its text: verbatim (not
 *   trimmed) after reference decoding, `''` when empty, `null` when the text is exactly `$@NULL@$`;
 *   CDATA sections are text, comments and processing instructions are skipped;
 * - any other child element becomes a nested object; if it also has non-whitespace text, that text
 *   is under `'#text'` (whitespace-only text between elements is ignored);
 * - a child name that repeats among its siblings becomes an array (in document order); paths in
 *   `options.arrays` (relative to the record, e.g. `preferences/preference`) are always arrays, and
 *   their parent element is then always an object (`preferences: { preference: [] }` when empty);
 * - an attribute and a child element of the same name: the child wins;
 * - the record's own element is always an object.
 *
 * When selected paths nest (`/question_categories/question_category` and
 * `…/question_category/questions/question`), each inner element is a record of its own whose
 * `parent` is the enclosing record. The enclosing record is emitted before its first nested record,
 * holding what was read so far, as Moodle's non-grouped processor does; elements at or on the way to
 * a selected path are never part of the enclosing record, and its content after the first nested
 * record is not read.
 *
 * Failures are `XmlError`s (see `ErrorCode`): `xml.doctype-forbidden`, `xml.entity-forbidden`,
 * `xml.malformed` (including truncated input), `xml.too-deep`, `xml.record-too-large`,
 * `xml.text-too-large`, `xml.invalid-encoding`; their `context` names `options.entry` and the element path.
 * Bad options throw `input.invalid-argument` at once.
 *
 * Back-pressure is natural: the source is read only as fast as records are consumed. When the
 * consumer stops early (break, return, throw) or reading fails, the source stream is destroyed.
 */
export function readRecords(
  source: XmlSource,
  options: RecordReaderOptions,
): AsyncGenerator<XmlRecord, void, undefined> {
  try {
    const limits = resolveXmlLimits(options.limits);
    const entry = options.entry ?? UNNAMED_ENTRY;
    const builder = new RecordBuilder(
      compileSelectedPaths(options.paths),
      compileArrayPaths(options.arrays),
      limits.maxRecordBytes,
      entry,
    );
    checkSource(source);
    return generateRecords(source, builder, new XmlTokenizer(builder, limits, entry));
  } catch (error) {
    destroySource(source);
    throw error;
  }
}

/**
 * Counts the elements at each absolute path in `paths` without building records (much faster, and
 * memory does not depend on record size). The whole document is still checked: DOCTYPE, entities,
 * well-formedness, depth, text size and encoding fail as in {@link readRecords} (`maxRecordBytes`
 * does not apply: nothing is kept). Returns every path asked for, with 0 when absent. With no paths it only checks
 * the document (`mbz inspect --verify`).
 */
export async function countRecords(
  source: XmlSource,
  paths: readonly string[],
  options: CountRecordsOptions = {},
): Promise<Record<string, number>> {
  let tokenizer: XmlTokenizer;
  let root: PathNode;
  try {
    root = compileSelectedPaths(paths, { allowNone: true });
    checkSource(source);
    tokenizer = new XmlTokenizer(
      new RecordCounter(root),
      resolveXmlLimits(options.limits),
      options.entry ?? UNNAMED_ENTRY,
    );
  } catch (error) {
    destroySource(source);
    throw error;
  }
  for await (const text of textBatches(source, tokenizer)) tokenizer.write(text);
  tokenizer.end();
  const counts: Record<string, number> = {};
  for (const path of paths) counts[path] = findPath(root, path)?.count ?? 0;
  return counts;
}

// Internal helpers

/**
 * Bytes handed to the tokenizer at a time: small enough that records flow out of a big chunk
 * progressively and few are alive at once, large enough that per-batch costs vanish (measured).
 */
const BATCH_BYTES = 64 * 1024;

async function* generateRecords(
  source: XmlSource,
  builder: RecordBuilder,
  tokenizer: XmlTokenizer,
): AsyncGenerator<XmlRecord, void, undefined> {
  for await (const text of textBatches(source, tokenizer)) {
    tokenizer.write(text);
    const records = builder.take();
    for (let k = 0; k < records.length; k++) yield records[k]!;
  }
  tokenizer.end();
  yield* builder.take();
}

/** Decodes the source into text batches; destroys the source when it is not read to its end. */
async function* textBatches(source: XmlSource, tokenizer: XmlTokenizer): AsyncGenerator<string, void, undefined> {
  const decoder = new Utf8BatchDecoder(() => tokenizer.place());
  let finished = false;
  try {
    for await (const chunk of (source instanceof Uint8Array ? [source] : source) as AsyncIterable<unknown>) {
      decoder.push(toBytes(chunk));
      for (let text = decoder.next(BATCH_BYTES); text !== undefined; text = decoder.next(BATCH_BYTES)) yield text;
    }
    finished = true;
    yield decoder.end();
  } finally {
    if (!finished) destroySource(source);
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new InvalidArgumentError(`The XML source yielded a ${typeof chunk} chunk; expected Buffer or Uint8Array.`);
}

function checkSource(source: XmlSource): void {
  const candidate = source as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    (typeof candidate[Symbol.asyncIterator] !== 'function' && typeof candidate[Symbol.iterator] !== 'function')
  ) {
    throw new InvalidArgumentError(
      'The XML source must be a readable stream or an (async) iterable of Buffer/Uint8Array chunks.',
    );
  }
}

/** Destroys a Node stream that was not read to its end (no-op for other iterables). */
function destroySource(source: unknown): void {
  const stream = source as { destroy?: () => void; destroyed?: boolean } | null;
  if (
    stream !== null &&
    typeof stream === 'object' &&
    typeof stream.destroy === 'function' &&
    stream.destroyed !== true
  )
    stream.destroy();
}
