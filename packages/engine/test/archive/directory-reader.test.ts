/** The folder reader: deterministic walk, skipping, random access, and files changed after the walk. */
import { appendFile, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/open-archive.ts';
import { expectCode, openFds, readAll, tempDir } from '@mbz-restore/test-support/archives';

describe('folder reader', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let folder = '';
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    folder = join(dir, 'backup');
    // Created out of order on purpose: the walk must not depend on creation or readdir order.
    for (const sub of ['sections/section_2', 'activities/quiz_9', 'activities/page_1', 'course', 'files/ab', 'empty']) {
      await mkdir(join(folder, sub), { recursive: true });
    }
    for (const [name, content] of [
      ['users.xml', '<users/>'],
      ['moodle_backup.xml', '<moodle_backup/>'],
      ['activities/quiz_9/quiz.xml', '<quiz/>'],
      ['activities/page_1/page.xml', '<page/>'],
      ['course/course.xml', '<course/>'],
      ['files/ab/abc', 'blob'],
      ['Zeta.xml', 'upper case sorts first'],
      ['.ARCHIVE_INDEX', 'left by tar -xzf'],
      ['course/.ARCHIVE_INDEX', 'only the root one is skipped'],
    ]) {
      await writeFile(join(folder, name!), content!);
    }
  });
  afterAll(() => cleanup());

  it('walks parents before children, siblings sorted by code unit, skipping the root .ARCHIVE_INDEX', async () => {
    const reader = await openArchive(folder);
    expect(reader.kind).toBe('directory');
    expect(reader.randomAccess).toBe(true);
    expect((await reader.list()).map((e) => `${e.type === 'directory' ? 'd' : 'f'} ${e.name}`)).toEqual([
      'f Zeta.xml',
      'd activities',
      'd activities/page_1',
      'f activities/page_1/page.xml',
      'd activities/quiz_9',
      'f activities/quiz_9/quiz.xml',
      'd course',
      'f course/.ARCHIVE_INDEX',
      'f course/course.xml',
      'd empty',
      'd files',
      'd files/ab',
      'f files/ab/abc',
      'f moodle_backup.xml',
      'd sections',
      'd sections/section_2',
      'f users.xml',
    ]);
    expect((await readAll(await reader.open('./course/course.xml'))).toString()).toBe('<course/>');
    expect(await reader.has('users.xml')).toBe(true);
    expect(await reader.has('.ARCHIVE_INDEX')).toBe(false);
    await expectCode(reader.open('course'), 'archive.entry-not-found');
    await expectCode(reader.open('../backup/users.xml'), 'archive.entry-not-found');
    await reader.close();
  });

  it('accepts a symbolic link as the root path itself (the caller chose it)', async () => {
    const link = join(dir, 'link-to-backup');
    await symlink(folder, link);
    const reader = await openArchive(link);
    expect((await reader.list()).length).toBe(17);
    await reader.close();
  });

  it('refuses a file swapped for a symlink after the walk (never follows it)', async () => {
    const reader = await openArchive(folder);
    await rename(join(folder, 'users.xml'), join(dir, 'users.xml'));
    await symlink(join(dir, 'users.xml'), join(folder, 'users.xml'));
    try {
      await expectCode(reader.open('users.xml'), 'archive.link-entry');
    } finally {
      await rm(join(folder, 'users.xml'));
      await rename(join(dir, 'users.xml'), join(folder, 'users.xml'));
      await reader.close();
    }
  });

  it('refuses a file replaced by another after the walk', async () => {
    const reader = await openArchive(folder);
    // Written beside, then renamed over: a new inode while the old one still exists.
    await writeFile(join(folder, 'files/ab/abc.new'), 'blob');
    await rename(join(folder, 'files/ab/abc.new'), join(folder, 'files/ab/abc'));
    await expectCode(reader.open('files/ab/abc'), 'archive.unreadable');
    await reader.close();
  });

  it('fails the stream of a file that grew after the walk', async () => {
    const reader = await openArchive(folder);
    await appendFile(join(folder, 'Zeta.xml'), ' and more');
    await expectCode(reader.open('Zeta.xml').then(readAll), 'archive.corrupt');
    await reader.close();
  });

  it('closes file descriptors on early break and on close, then refuses every call', async () => {
    const before = openFds();
    const reader = await openArchive(folder);
    for await (const entry of reader.entries()) {
      if (entry.type === 'file') {
        entry.open();
        break;
      }
    }
    const stream = await reader.open('moodle_backup.xml');
    stream.on('error', () => {});
    await reader.close();
    if (before !== undefined) expect(openFds()).toBe(before);
    await expectCode(reader.list(), 'archive.closed');
    await expectCode(reader.open('users.xml'), 'archive.closed');
  });
});
