/**
 * The bytes and descriptive fields of a draft file before it is stored: its SHA-1 and size (read from a path,
 * or from a stream spooled to a temp file so it can be read again), its mimetype and the `source` Moodle's
 * `webservice/upload.php` records.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter } from '../service-error.ts';

/** SHA-1 and size of content. */
export interface ContentDigest {
  readonly contenthash: string;
  readonly filesize: number;
}

/** SHA-1 and size of the file at `path`; `invalidparameter` when it cannot be read. */
export async function hashFile(path: string): Promise<ContentDigest> {
  const hash = createHash('sha1');
  let filesize = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      filesize += (chunk as Buffer).length;
    }
  } catch (error) {
    throw invalidParameter(`Cannot read ${basename(path)} to store it as a draft file: ${(error as Error).message}.`);
  }
  return { contenthash: hash.digest('hex'), filesize };
}

/** Copies `content` to the new file `path`, hashing it on the way. */
export async function spoolStream(content: Readable, path: string): Promise<ContentDigest> {
  const hash = createHash('sha1');
  let filesize = 0;
  await pipeline(
    content,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        filesize += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path, { flags: 'wx' }),
  );
  return { contenthash: hash.digest('hex'), filesize };
}

/** Moodle's mimetype of a file name (`mimeinfo()`): the backup types, else `document/unknown`. */
export function mimetypeOf(filename: string): string {
  const ext = /\.([^.]+)$/u.exec(filename)?.[1]?.toLowerCase();
  return ext === 'mbz'
    ? 'application/vnd.moodle.backup'
    : ext === 'zip'
      ? 'application/zip'
      : ext === 'gz' || ext === 'tgz'
        ? 'application/g-zip'
        : 'document/unknown';
}

/** `serialize((object)['source' => $filename])`, which upload.php stores as the file's source. */
export function phpSerializedSource(filename: string): string {
  return `O:8:"stdClass":1:{s:6:"source";s:${Buffer.byteLength(filename)}:"${filename}";}`;
}
