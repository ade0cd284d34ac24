/** Helpers for the XML reader tests: feed a document in chosen chunks and collect plain results. */
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { isMbzError, type ErrorCode, type MbzError } from '../../../src/errors.ts';
import { countRecords, readRecords } from '../../../src/xml/record-reader.ts';
import type { RecordReaderOptions, XmlObject, XmlRecord } from '../../../src/xml/types.ts';

/** A record as the tests compare it: its path, its data and the path + data of its parent. */
export interface PlainRecord {
  path: string;
  data: XmlObject;
  parent?: { path: string; id: string | undefined };
}

/** Cuts `bytes` into chunks of `size` bytes (the last one shorter), or at the given offsets. */
export function chunksOf(bytes: Buffer, size: number | number[]): Buffer[] {
  if (Array.isArray(size)) {
    const cuts = [0, ...size, bytes.length];
    return cuts.slice(1).map((end, k) => bytes.subarray(cuts[k], end));
  }
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** Reads every record of `xml` fed as `chunks` (default: one chunk). */
export async function collect(
  xml: string | Buffer,
  options: RecordReaderOptions,
  size?: number | number[],
): Promise<PlainRecord[]> {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const out: PlainRecord[] = [];
  for await (const record of readRecords(size === undefined ? [bytes] : chunksOf(bytes, size), options))
    out.push(plain(record));
  return out;
}

/** Only the data of each record. */
export async function dataOf(
  xml: string,
  paths: string[],
  extra: Partial<RecordReaderOptions> = {},
): Promise<XmlObject[]> {
  return (await collect(xml, { paths, ...extra })).map((record) => record.data);
}

/** Counts with `countRecords`, fed as `chunks`. */
export async function counts(xml: string | Buffer, paths: string[], size?: number): Promise<Record<string, number>> {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  return countRecords(size === undefined ? [bytes] : chunksOf(bytes, size), paths);
}

/** A record without object identity, for deep comparison. */
export function plain(record: XmlRecord): PlainRecord {
  const result: PlainRecord = { path: record.path, data: record.data };
  if (record.parent) result.parent = { path: record.parent.path, id: record.parent.data.id as string | undefined };
  return result;
}

/** Asserts that `promise` rejects with an `XmlError` of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<MbzError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(Error);
  if (!isMbzError(error)) throw error as Error;
  expect(error.code).toBe(code);
  return error;
}

/** The error (or `undefined`) of reading `xml` fed as `chunks`. */
export async function errorOf(
  xml: string | Buffer,
  options: RecordReaderOptions,
  size?: number | number[],
): Promise<unknown> {
  try {
    await collect(xml, options, size);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A Readable over `chunks` whose destruction the test can observe. */
export function trackedStream(chunks: Buffer[]): Readable & { pulled: () => number } {
  let pulled = 0;
  const stream = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        pulled++;
        yield chunk;
      }
    })(),
    { objectMode: false },
  ) as Readable & { pulled: () => number };
  stream.pulled = () => pulled;
  return stream;
}
