/**
 * The unpack of a tar.gz into a restore's backup source (`src/restore/backup-source.ts` over
 * `ArchiveReader.visitFiles`, `src/archive/tar-visit.ts`): every file readable with its exact content, small
 * ones held, large ones spooled, blobs hashed on the way (only a blob whose content matches its name may be
 * adopted by the store), hard links read as their earlier file from either place, links skipped with a
 * warning; and when the pass stops (signal, truncated archive, closed reader, an error of the visitor), the
 * error is the right one, no file descriptor stays open and the temp folder is gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive, openBackupSource } from '@mbz-restore/engine';
import type { FileContent, FileVisitor } from '@mbz-restore/engine';
import { expectCode, openFds, readAll, tarBuffer, tempDir, writeTarGz } from '@mbz-restore/test-support/archives';
import type { TarMember } from '@mbz-restore/test-support/archives';
import { writeFile } from 'node:fs/promises';

const sha1 = (content: Buffer): string => createHash('sha1').update(content).digest('hex');
const big = randomBytes(700 * 1024); // over the 256 KiB held in memory: spooled to disk
const bigHash = sha1(big);
const damaged = randomBytes(300 * 1024);
const damagedName = `files/aa/${'a'.repeat(40)}`; // a blob whose content does not hash to its name
const small = Buffer.from('<course>small</course>');

const MEMBERS: TarMember[] = [
  { name: 'moodle_backup.xml', content: '<moodle_backup/>' },
  { name: 'course/', typeflag: '5' },
  { name: 'course/course.xml', content: small },
  { name: 'course/logstores.xml', content: big },
  { name: `files/${bigHash.slice(0, 2)}/${bigHash}`, content: big },
  { name: damagedName, content: damaged },
  { name: 'course/copy.xml', typeflag: '1', linkname: 'course/course.xml' },
  { name: 'course/copy-big.xml', typeflag: '1', linkname: 'course/logstores.xml' },
  { name: 'course/sym.xml', typeflag: '2', linkname: 'course.xml' },
];

let root = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('mbz-unpack-'));
});
afterAll(() => cleanup());

let counter = 0;
async function fixture(members: readonly TarMember[] = MEMBERS): Promise<{ path: string; spool: string }> {
  counter += 1;
  const path = await writeTarGz(join(root, `case-${counter}.mbz`), members);
  return { path, spool: join(root, `spool-${counter}`) };
}

describe('unpacking a tar.gz for a restore', () => {
  it('gives every file its exact content, hashes blobs on the way and reads hard links as their file', async () => {
    const { path, spool } = await fixture();
    const fds = openFds();
    const source = await openBackupSource(path, { tempDir: spool });
    expect(source.names()).toEqual(
      [
        'course/copy-big.xml',
        'course/copy.xml',
        'course/course.xml',
        'course/logstores.xml',
        damagedName,
        `files/${bigHash.slice(0, 2)}/${bigHash}`,
        'moodle_backup.xml',
      ].sort(),
    );
    expect(await readAll(await source.open('course/course.xml'))).toEqual(small);
    expect(await readAll(await source.open('course/copy.xml'))).toEqual(small);
    expect(await readAll(await source.open('course/logstores.xml'))).toEqual(big);
    expect(await readAll(await source.open('course/copy-big.xml'))).toEqual(big);
    expect(await readAll(await source.open(damagedName))).toEqual(damaged);
    // Only the blob that hashes to its name may be moved into the store as it is.
    expect(source.adoptable(`files/${bigHash.slice(0, 2)}/${bigHash}`)).toBeDefined();
    expect(source.adoptable(damagedName)).toBeUndefined();
    expect(source.adoptable('course/logstores.xml')).toBeUndefined();
    expect(source.warnings().map((w) => [w.code, w.entry])).toEqual([
      ['archive-hard-link-read', 'course/copy.xml'],
      ['archive-hard-link-read', 'course/copy-big.xml'],
      ['archive-link-skipped', 'course/sym.xml'],
    ]);
    await source.close();
    expect(await readdir(spool)).toEqual([]);
    if (fds !== undefined) expect(openFds()).toBe(fds);
  });

  it('reports progress in bytes, ending at the sum of the file sizes', async () => {
    const { path, spool } = await fixture();
    const seen: number[] = [];
    const source = await openBackupSource(path, { tempDir: spool, onUnpack: (bytes) => seen.push(bytes) });
    await source.close();
    const files = MEMBERS.filter((m) => (m.typeflag ?? '0') === '0');
    const total = files.reduce((sum, m) => sum + Buffer.from(m.content ?? '').length, 0) + small.length + big.length;
    expect(seen.at(-1)).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops at an aborted signal with its reason, and leaves nothing in the temp folder', async () => {
    const { path, spool } = await fixture();
    const controller = new AbortController();
    const reason = new Error('stop here');
    let calls = 0;
    const fds = openFds();
    const opening = openBackupSource(path, {
      tempDir: spool,
      signal: controller.signal,
      onUnpack: () => {
        calls += 1;
        if (calls === 2) controller.abort(reason);
      },
    });
    await expect(opening).rejects.toBe(reason);
    expect(await readdir(spool)).toEqual([]);
    if (fds !== undefined) expect(openFds()).toBe(fds);
  });

  it('fails a truncated archive with archive.truncated and leaves nothing behind', async () => {
    const { path, spool } = await fixture();
    const whole = tarBuffer(MEMBERS);
    // Cut inside the big spooled entry: a file is open on disk when the data runs out.
    await writeFile(path, gzipSync(whole.subarray(0, 512 * 6 + 400 * 1024)));
    const fds = openFds();
    await expectCode(openBackupSource(path, { tempDir: spool }), 'archive.truncated');
    expect(await readdir(spool)).toEqual([]);
    if (fds !== undefined) expect(openFds()).toBe(fds);
  });
});

describe('ArchiveReader.visitFiles on a tar.gz', () => {
  /** A visitor that keeps every file's content, or fails at `failOn` with `error`. */
  function collecting(failOn?: string, error?: Error): { visitor: FileVisitor; files: Map<string, Buffer> } {
    const files = new Map<string, Buffer>();
    const visitor: FileVisitor = {
      file(info): FileContent {
        const chunks: Buffer[] = [];
        return {
          data: (chunk) => {
            if (info.name === failOn) return Promise.reject(error);
            chunks.push(Buffer.from(chunk));
            return undefined;
          },
          end: () => {
            files.set(info.name, Buffer.concat(chunks));
            return undefined;
          },
          abort: () => undefined,
        };
      },
      link: (info, source) => {
        files.set(info.name, files.get(source)!);
        return undefined;
      },
    };
    return { visitor, files };
  }

  it('gives the same files as entries()', async () => {
    const { path } = await fixture();
    const reader = await openArchive(path);
    const { visitor, files } = collecting();
    await reader.visitFiles!(visitor);
    const walked = new Map<string, Buffer>();
    for await (const entry of reader.entries())
      if (entry.type === 'file') walked.set(entry.name, await readAll(entry.open()));
    expect([...files.keys()].sort()).toEqual([...walked.keys()].sort());
    for (const [name, content] of walked) expect(files.get(name)?.equals(content), name).toBe(true);
    await reader.close();
  });

  it("passes the visitor's own error on unchanged and closes the archive file", async () => {
    const { path } = await fixture();
    const fds = openFds();
    const reader = await openArchive(path);
    const diskFull = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    await expect(reader.visitFiles!(collecting('course/logstores.xml', diskFull).visitor)).rejects.toBe(diskFull);
    await reader.close();
    if (fds !== undefined) expect(openFds()).toBe(fds);
  });

  it('ends with archive.closed when the reader is closed during the pass', async () => {
    const { path } = await fixture();
    const reader = await openArchive(path);
    let closing: Promise<void> | undefined;
    const visitor: FileVisitor = {
      file: () => ({
        data: () => {
          closing ??= reader.close();
          return undefined;
        },
        end: () => undefined,
        abort: () => undefined,
      }),
      link: () => undefined,
    };
    await expectCode(reader.visitFiles!(visitor), 'archive.closed');
    await closing;
  });

  it('refuses an unsafe name before handing out any byte', async () => {
    const { path } = await fixture([
      { name: 'moodle_backup.xml', content: '<moodle_backup/>' },
      { name: '../escape.xml', content: 'x' },
    ]);
    const reader = await openArchive(path);
    const { visitor, files } = collecting();
    await expectCode(reader.visitFiles!(visitor), 'archive.unsafe-entry-name');
    expect([...files.keys()]).toEqual(['moodle_backup.xml']);
    await reader.close();
  });
});
