/**
 * Repacks a real backup the way an administrator's tools would, with link entries added: a tar.gz
 * through tar-stream (every entry of the original, headers as they were, then extra entries such as
 * the hard link GNU tar writes for a file named twice), and a ZIP through yazl.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { openArchive } from '../../../src/archive/open-archive.ts';
import { zipBuffer, type ZipMember } from '@mbz-restore/test-support/archives';

/** One tar entry to add: a tar-stream header, with content for files. */
export interface ExtraTarEntry {
  readonly name: string;
  readonly type?: 'file' | 'link' | 'symlink' | 'directory';
  readonly linkname?: string;
  readonly content?: Buffer | string;
}

/**
 * Writes to `out` the tar.gz `source` with every entry name given the `./` prefix GNU tar writes for
 * `tar -czf out.mbz .` (so `.ARCHIVE_INDEX` becomes `./.ARCHIVE_INDEX`), but for the names in `drop`,
 * then `extra` at the end.
 */
export async function repackTarGz(
  source: string,
  out: string,
  extra: readonly ExtraTarEntry[],
  drop: readonly string[] = [],
): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
  const packed = new Promise<void>((resolve, reject) => {
    pack.once('end', () => resolve());
    pack.once('error', reject);
  });
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: unknown) => void parts.push(chunk as Buffer));
    stream.once('end', () => {
      if (drop.includes(header.name.replace(/^(\.\/)+/u, ''))) return void next();
      const name = header.name.startsWith('./') ? header.name : `./${header.name}`;
      const done = (error?: Error | null): void => next(error ?? undefined);
      if (header.type === 'file') pack.entry({ ...header, name }, Buffer.concat(parts), done);
      else pack.entry({ ...header, name }, done);
    });
  });
  await pipeline(createReadStream(source), createGunzip(), extract);
  for (const entry of extra) {
    const header = {
      name: entry.name,
      type: entry.type ?? 'file',
      mtime: new Date(Date.UTC(2013, 0, 1)),
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (entry.content === undefined) pack.entry(header, done);
      else pack.entry(header, Buffer.from(entry.content), done);
    });
  }
  pack.finalize();
  await packed;
  await writeFile(out, gzipSync(Buffer.concat(chunks)));
}

/** Writes to `out` a ZIP with every file of the backup at `source` (any container), then `extra`. */
export async function repackZip(source: string, out: string, extra: readonly ZipMember[]): Promise<void> {
  const reader = await openArchive(source);
  const members: ZipMember[] = [];
  try {
    for await (const entry of reader.entries()) {
      if (entry.type !== 'file') continue;
      const parts: Buffer[] = [];
      for await (const chunk of entry.open()) parts.push(chunk as Buffer);
      members.push({ name: entry.name, content: Buffer.concat(parts) });
    }
  } finally {
    await reader.close();
  }
  await writeFile(out, await zipBuffer([...members, ...extra]));
}
