/**
 * Whole-document parsing for the few small XML files read at once, chiefly `moodle_backup.xml`
 * (Moodle loads it whole too: `backup_general_helper::get_backup_information()`). Same tokenizer,
 * same value rules and the same refusals (DOCTYPE, entities, malformed XML, limits) as the streaming
 * reader; the document as a whole must fit within `maxRecordBytes`.
 */
import { ErrorCode } from '../errors.ts';
import { compileArrayPaths, compileSelectedPaths } from './path-trie.ts';
import { RecordBuilder } from './record-builder.ts';
import { XmlTokenizer } from './tokenizer.ts';
import type { RecordReaderOptions, XmlObject } from './types.ts';
import { Utf8BatchDecoder } from './utf8-decoder.ts';
import { UNNAMED_ENTRY, limitMessage, resolveXmlLimits, xmlError } from './xml-error.ts';

/** Options of {@link parseXmlDocument}. */
export type ParseXmlDocumentOptions = Pick<RecordReaderOptions, 'arrays' | 'limits' | 'entry'>;

/**
 * Parses a whole XML document (bytes in UTF-8, or an already decoded string) into
 * `{ <root element name>: <root object> }`, with the value rules of `readRecords` (the root element
 * is always an object; `options.arrays` are relative to it). Throws `xml.record-too-large` when the
 * document is larger than `maxRecordBytes`, and the other `xml.*` errors as `readRecords` does.
 */
export function parseXmlDocument(input: string | Uint8Array, options: ParseXmlDocumentOptions = {}): XmlObject {
  const limits = resolveXmlLimits(options.limits);
  const entry = options.entry ?? UNNAMED_ENTRY;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > limits.maxRecordBytes) {
    throw xmlError(
      ErrorCode.XmlRecordTooLarge,
      limitMessage('the document', size, 'maxRecordBytes', limits.maxRecordBytes),
      { entry, xmlPath: '/' },
    );
  }
  const builder = new RecordBuilder(
    compileSelectedPaths(['/document']),
    compileArrayPaths(options.arrays),
    limits.maxRecordBytes,
    entry,
    true,
  );
  const tokenizer = new XmlTokenizer(builder, limits, entry);
  if (typeof input === 'string') {
    tokenizer.write(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
  } else {
    const decoder = new Utf8BatchDecoder(() => tokenizer.place());
    decoder.push(input);
    tokenizer.write(decoder.next(Infinity) ?? '');
    tokenizer.write(decoder.end());
  }
  tokenizer.end();
  const [record] = builder.take();
  if (record === undefined)
    throw xmlError(ErrorCode.XmlMalformed, 'the document has no root element', { entry, xmlPath: '/' });
  return { [record.path.slice(1)]: record.data };
}
