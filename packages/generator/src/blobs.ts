/**
 * File contents ("blobs"): random bytes from the seeded generator, stored as
 * `files/<first two hex chars>/<sha1>` like Moodle's file pool in a backup
 * (`backup_file_manager::get_backup_content_file_location()`).
 *
 * Content is a pure function of `(seed, blob index, size)` and is produced in 1 MiB chunks, so a
 * 1 GiB set of blobs is hashed once while the model is built and produced again while the archive
 * is written — never held in memory. Random content, like the files of Moodle's own test-course
 * generator, does not compress: the archive size is dominated by blob bytes.
 */
import { createHash } from 'node:crypto';
import type { EntrySink } from './archive-writer.ts';
import { fillRandom, streamState } from './prng.ts';

/** Chunk size used to produce blob content. */
const CHUNK = 1024 * 1024;

/** SHA-1 of the empty string: Moodle's contenthash of directory records. */
export const EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** Yields the content of blob `index` of `size` bytes, in chunks of at most 1 MiB (fresh buffers). */
export function* blobChunks(seed: number, index: number, size: number): Generator<Buffer> {
  const state = streamState(seed, 'blob', index);
  let left = size;
  while (left > 0) {
    const length = Math.min(CHUNK, left);
    const chunk = Buffer.allocUnsafe((length + 3) & ~3);
    fillRandom(chunk, state);
    left -= length;
    yield length === chunk.length ? chunk : chunk.subarray(0, length);
  }
}

/** SHA-1 (hex) of blob `index`. */
export function blobSha1(seed: number, index: number, size: number): string {
  const hash = createHash('sha1');
  for (const chunk of blobChunks(seed, index, size)) hash.update(chunk);
  return hash.digest('hex');
}

/** Archive path of a content hash. */
export function blobPath(sha1: string): string {
  return `files/${sha1.slice(0, 2)}/${sha1}`;
}

/** Streams blob `index` into an archive entry. */
export async function writeBlob(seed: number, index: number, size: number, sink: EntrySink): Promise<void> {
  for (const chunk of blobChunks(seed, index, size)) {
    const wait = sink.write(chunk);
    if (wait !== undefined) await wait;
  }
}

/** A plausible MIME type for a generated file name (files.xml `mimetype`). */
export function mimeTypeOf(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

// Internal helpers

const MIME_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  dat: 'application/octet-stream',
};
