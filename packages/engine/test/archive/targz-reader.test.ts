/** The tar.gz reader: names (ustar prefix, pax, GNU), skipping, one-pass semantics, rescans and cleanup. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveReader } from '../../src/archive/archive-reader.ts';
import { openArchive } from '../../src/archive/open-archive.ts';
import { expectCode, openFds, paxMember, readAll, sha1, tempDir, writeTarGz } from '@mbz-restore/test-support/archives';
import type { TarMember } from '@mbz-restore/test-support/archives';

const longDir = `activities/${'quiz_'.repeat(20)}1/${'d'.repeat(40)}`; // 152 characters
const longName = `${longDir}/questions_with_a_long_name.xml`;

const members: TarMember[] = [
  { name: '.ARCHIVE_INDEX', content: 'Moodle archive file index. Count: 99\nlies\tf\t1\t?\n' },
  { name: './', typeflag: '5' },
  { name: './moodle_backup.xml', content: '<moodle_backup/>' },
  { name: 'activities/', typeflag: '5' },
  { name: 'questions_with_a_long_name.xml', prefix: longDir, content: 'prefix' },
  paxMember({ path: `course/${'p'.repeat(300)}.xml` }),
  { name: 'ignored-by-pax', content: 'pax path' },
  paxMember({ size: '5' }),
  { name: 'pax-size.txt', size: 0, content: 'hello' },
  { name: 'gnu.txt', magic: 'gnu', content: 'gnu header' },
  { name: 'contiguous.bin', typeflag: '7', content: 'contiguous' },
  { name: 'empty.txt', content: '' },
  { name: 'files/ab/abcdef', content: Buffer.alloc(3 * 1024 * 1024, 7) },
  { name: 'users.xml', content: '<users/>' },
];

describe('tar.gz reader', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let path = '';
  let reader: ArchiveReader;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    path = await writeTarGz(join(dir, 'backup.mbz'), members);
    reader = await openArchive(path);
  });
  afterAll(async () => {
    await reader.close();
    await cleanup();
  });

  it('reports normalised names in container order, skipping the root and .ARCHIVE_INDEX', async () => {
    expect(reader.kind).toBe('tar.gz');
    expect(reader.randomAccess).toBe(false);
    const list = await reader.list();
    expect(list.map((e) => [e.name, e.type, e.size])).toEqual([
      ['moodle_backup.xml', 'file', 16],
      ['activities', 'directory', 0],
      [longName, 'file', 6],
      [`course/${'p'.repeat(300)}.xml`, 'file', 8],
      ['pax-size.txt', 'file', 5],
      ['gnu.txt', 'file', 10],
      ['contiguous.bin', 'file', 10],
      ['empty.txt', 'file', 0],
      ['files/ab/abcdef', 'file', 3 * 1024 * 1024],
      ['users.xml', 'file', 8],
    ]);
    expect(longName.length).toBeGreaterThan(100);
  });

  it('reads content through the ustar prefix, pax records and GNU headers', async () => {
    expect((await readAll(await reader.open(longName))).toString()).toBe('prefix');
    expect((await readAll(await reader.open(`course/${'p'.repeat(300)}.xml`))).toString()).toBe('pax path');
    expect((await readAll(await reader.open('pax-size.txt'))).toString()).toBe('hello');
    expect((await readAll(await reader.open('./gnu.txt'))).toString()).toBe('gnu header');
    expect((await readAll(await reader.open('contiguous.bin'))).toString()).toBe('contiguous');
    expect((await readAll(await reader.open('empty.txt'))).length).toBe(0);
    expect(await sha1(await reader.open('files/ab/abcdef'))).toBe(await sha1(await reader.open('files/ab/abcdef')));
  });

  it('answers has() and refuses what is not a file entry', async () => {
    expect(await reader.has('users.xml')).toBe(true);
    expect(await reader.has('./users.xml')).toBe(true);
    expect(await reader.has('activities')).toBe(false);
    expect(await reader.has('.ARCHIVE_INDEX')).toBe(false);
    expect(await reader.has('../users.xml')).toBe(false);
    await expectCode(reader.open('missing.xml'), 'archive.entry-not-found');
    await expectCode(reader.open('activities'), 'archive.entry-not-found');
    await expectCode(reader.open('.ARCHIVE_INDEX'), 'archive.entry-not-found');
    await expectCode(reader.open('../etc/passwd'), 'archive.entry-not-found');
  });

  it('rescans for open() without a cached listing, and caches the listing a miss produces', async () => {
    const fresh = await openArchive(path);
    try {
      expect((await readAll(await fresh.open('users.xml'))).toString()).toBe('<users/>');
      await expectCode(fresh.open('nope.xml'), 'archive.entry-not-found');
      expect((await fresh.list()).length).toBe(10);
    } finally {
      await fresh.close();
    }
  });

  it('skips entries the consumer does not open, and drains streams opened but not read', async () => {
    const seen: string[] = [];
    for await (const entry of reader.entries()) {
      seen.push(entry.name);
      if (entry.name === 'files/ab/abcdef') entry.open(); // opened, never read: discarded when the walk moves on
    }
    expect(seen.at(-1)).toBe('users.xml');
  });

  it('waits for a stream that is being read when the walk moves on', async () => {
    const pending: Promise<[string, string]>[] = [];
    for await (const entry of reader.entries()) {
      if (entry.type === 'file') pending.push(sha1(entry.open()).then((hash) => [entry.name, hash]));
    }
    const hashes = new Map(await Promise.all(pending));
    expect(hashes.size).toBe(9);
    expect(hashes.get('files/ab/abcdef')).toBe(await sha1(await reader.open('files/ab/abcdef')));
  });

  it('refuses to open an entry twice or after the walk moved on', async () => {
    let first: { open(): unknown } | undefined;
    for await (const entry of reader.entries()) {
      if (entry.name === 'moodle_backup.xml') {
        first = entry;
        await readAll(entry.open() as never);
        expect(() => entry.open()).toThrow(expect.objectContaining({ code: 'archive.closed' }));
      }
    }
    expect(() => first!.open()).toThrow(expect.objectContaining({ code: 'archive.closed' }));
  });

  it.each(['break', 'break after open', 'throw', 'return'])(
    'cleans up when the consumer leaves early (%s)',
    async (how) => {
      const before = openFds();
      const run = async (): Promise<void> => {
        for await (const entry of reader.entries()) {
          if (entry.name !== 'files/ab/abcdef') continue;
          if (how === 'break') break;
          if (how === 'break after open') {
            entry.open();
            break;
          }
          if (how === 'throw') throw new Error('consumer failed');
          return;
        }
      };
      if (how === 'throw') await expect(run()).rejects.toThrow('consumer failed');
      else await run();
      if (before !== undefined) expect(openFds()).toBe(before);
      expect(await reader.has('users.xml')).toBe(true);
    },
  );

  it('gives the stream being read the same ArchiveError as the walk when the archive is cut short', async () => {
    const whole = await readFile(path);
    const cut = join(dir, 'cut.mbz');
    await writeFile(cut, whole.subarray(0, whole.length - 2048));
    const other = await openArchive(cut);
    try {
      await expectCode(other.open('files/ab/abcdef').then(readAll), 'archive.truncated');
      const seen: string[] = [];
      const walk = async (): Promise<void> => {
        for await (const entry of other.entries()) {
          seen.push(entry.name);
          if (entry.name === 'files/ab/abcdef') await expectCode(readAll(entry.open()), 'archive.truncated');
        }
      };
      await expectCode(walk(), 'archive.truncated');
      expect(seen.at(-1)).toBe('files/ab/abcdef');
    } finally {
      await other.close();
    }
  });

  it('fails pending and later calls with archive.closed once closed, and cuts streams being read', async () => {
    const other = await openArchive(path);
    const stream = await other.open('files/ab/abcdef');
    const failed = new Promise<{ code?: string }>((resolve) => stream.once('error', resolve));
    const iterator = other.entries()[Symbol.asyncIterator]();
    await iterator.next();
    await other.close();
    expect((await failed).code).toBe('archive.closed');
    await expectCode(iterator.next(), 'archive.closed');
    await expectCode(other.list(), 'archive.closed');
    await expectCode(other.open('users.xml'), 'archive.closed');
    await expectCode(
      (async () => {
        for await (const _ of other.entries()) break;
      })(),
      'archive.closed',
    );
  });
});
