/** The ZIP reader: index, random access, stored and deflated entries, streams, close and cleanup. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveReader } from '../../src/archive/archive-reader.ts';
import { openArchive } from '../../src/archive/open-archive.ts';
import {
  expectCode,
  openFds,
  readAll,
  renameZipEntry,
  tempDir,
  writeZip,
  zipBuffer,
} from '@mbz-restore/test-support/archives';
import { writeFile } from 'node:fs/promises';

const big = Buffer.alloc(2 * 1024 * 1024);
for (let i = 0; i < big.length; i += 1) big[i] = (i * 7919) % 251;

describe('ZIP reader', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let path = '';
  let reader: ArchiveReader;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    path = join(dir, 'backup.mbz');
    const zip = await zipBuffer([
      { name: 'Q', directory: true },
      { name: 'moodle_backup.xml', content: '<moodle_backup/>' },
      { name: 'activities', directory: true },
      { name: 'activities/page_1/page.xml', content: '<page/>', compress: false },
      { name: 'zzcourse/course.xml', content: '<course/>' },
      { name: '.ARCHIVE_INDEX', content: 'not content' },
      { name: 'files/ab/abcdef', content: big },
      { name: 'empty.txt', content: '' },
    ]);
    // yazl refuses these names; write them over same-length placeholders.
    renameZipEntry(zip, 'Q/', './');
    renameZipEntry(zip, 'zzcourse/course.xml', './course/course.xml');
    await writeFile(path, zip);
    reader = await openArchive(path);
  });
  afterAll(async () => {
    await reader.close();
    await cleanup();
  });

  it('indexes the central directory, normalising names and skipping the root and .ARCHIVE_INDEX', async () => {
    expect(reader.kind).toBe('zip');
    expect(reader.randomAccess).toBe(true);
    expect((await reader.list()).map((e) => [e.name, e.type, e.size])).toEqual([
      ['moodle_backup.xml', 'file', 16],
      ['activities', 'directory', 0],
      ['activities/page_1/page.xml', 'file', 7],
      ['course/course.xml', 'file', 9],
      ['files/ab/abcdef', 'file', big.length],
      ['empty.txt', 'file', 0],
    ]);
  });

  it('reads stored and deflated entries by name, in any order and concurrently', async () => {
    const [a, b, c, d] = await Promise.all([
      reader.open('files/ab/abcdef').then(readAll),
      reader.open('./activities/page_1/page.xml').then(readAll),
      reader.open('course/course.xml').then(readAll),
      reader.open('empty.txt').then(readAll),
    ]);
    expect(a.equals(big)).toBe(true);
    expect(b.toString()).toBe('<page/>');
    expect(c.toString()).toBe('<course/>');
    expect(d.length).toBe(0);
    expect(await reader.has('course/course.xml')).toBe(true);
    expect(await reader.has('activities')).toBe(false);
    expect(await reader.has('.ARCHIVE_INDEX')).toBe(false);
  });

  it('refuses names that are not file entries', async () => {
    await expectCode(reader.open('missing'), 'archive.entry-not-found');
    await expectCode(reader.open('activities'), 'archive.entry-not-found');
    await expectCode(reader.open('../moodle_backup.xml'), 'archive.entry-not-found');
    await expectCode(reader.open('.ARCHIVE_INDEX'), 'archive.entry-not-found');
  });

  it('lets entries be opened during or after the walk, and survives streams destroyed early', async () => {
    const kept: { name: string; open(): NodeJS.ReadableStream }[] = [];
    for await (const entry of reader.entries()) {
      if (entry.name === 'files/ab/abcdef') entry.open().destroy();
      kept.push(entry as never);
      if (entry.name === 'course/course.xml') break;
    }
    const course = kept.find((e) => e.name === 'course/course.xml')!;
    expect((await readAll(course.open() as never)).toString()).toBe('<course/>');
    const dirEntry = kept.find((e) => e.name === 'activities')!;
    expect((await readAll(dirEntry.open() as never)).length).toBe(0);
  });

  it('releases its file descriptor on close and then refuses every call', async () => {
    const before = openFds();
    const other = await openArchive(path);
    const stream = await other.open('files/ab/abcdef');
    const failed = new Promise<{ code?: string }>((resolve) => stream.once('error', resolve));
    await other.close();
    expect((await failed).code).toBe('archive.closed');
    if (before !== undefined) expect(openFds()).toBe(before);
    await expectCode(other.list(), 'archive.closed');
    await expectCode(other.has('empty.txt'), 'archive.closed');
    await expectCode(other.open('empty.txt'), 'archive.closed');
    await expectCode(
      (async () => {
        for await (const _ of other.entries()) break;
      })(),
      'archive.closed',
    );
    await other.close(); // idempotent
  });

  it('reads an empty ZIP', async () => {
    const empty = await openArchive(await writeZip(join(dir, 'empty.mbz'), []));
    expect(await empty.list()).toEqual([]);
    await empty.close();
  });
});
