/**
 * Test helper: reads a generated archive (tar.gz or ZIP) fully into memory — fine for the xs and s
 * sizes the tests use — independently of the generator's own code.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import yauzl from 'yauzl';

/** Entry names in archive order, and the content of every file entry. */
export interface ArchiveContents {
  readonly names: string[];
  readonly files: Map<string, Buffer>;
  /** Directory entries (names ending in `/`). */
  readonly dirs: Set<string>;
}

/** Reads a tar.gz archive. */
export async function readTarGz(path: string): Promise<ArchiveContents> {
  const names: string[] = [];
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>();
  const ex = extract();
  createReadStream(path).pipe(createGunzip()).pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const name = entry.header.name;
    names.push(name);
    if (entry.header.type === 'directory') dirs.add(name.endsWith('/') ? name : `${name}/`);
    else files.set(name, Buffer.concat(chunks));
  }
  return { names, files, dirs };
}

/** Reads a ZIP archive. */
export async function readZip(path: string): Promise<ArchiveContents> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const names: string[] = [];
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      if (entry.fileName.endsWith('/')) {
        dirs.add(entry.fileName);
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return { names, files, dirs };
}

/** Text of an XML entry (throws when missing). */
export function text(contents: ArchiveContents, name: string): string {
  const buf = contents.files.get(name);
  if (buf === undefined) throw new Error(`missing entry ${name}`);
  return buf.toString('utf8');
}

/** Number of non-overlapping matches of `re` (must have the g flag). */
export function countMatches(source: string, re: RegExp): number {
  return source.match(re)?.length ?? 0;
}
