/**
 * Link entries in tar.gz and ZIP backups (`src/archive/link-entry.ts`): skipped with an
 * `archive-link-skipped` warning as Moodle's `tgz_extractor::process_header()` skips them, a tar.gz
 * hard link to an earlier file read as that file (`archive-hard-link-read`), names and targets that
 * leave the archive root refused with `archive.unsafe-entry-name`, and never a link on disk. Ends with
 * real Moodle backups repacked with link entries, restored into a memory store and inspected.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup, openBackupSource, restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { checkLinkTarget } from '../../src/archive/entry-name.ts';
import { openArchive } from '../../src/archive/open-archive.ts';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import {
  expectCode,
  openFds,
  paxMember,
  readAll,
  snapshot,
  tempDir,
  writeTarGz,
  writeZip,
} from '@mbz-restore/test-support/archives';
import type { TarMember, ZipMember } from '@mbz-restore/test-support/archives';
import { repackTarGz, repackZip } from './support/repack.ts';

const MANIFEST: TarMember = { name: 'moodle_backup.xml', content: '<moodle_backup/>' };
const USERS = '<users>the users</users>';

let root = '';
let cleanup: () => Promise<void> = async () => {};
let counter = 0;
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('mbz-links-'));
});
afterAll(() => cleanup());

/** A fresh `<case>/area/` for the archive, with `<case>/marker/` beside it that must stay empty. */
async function area(): Promise<{ work: string; caseRoot: string }> {
  counter += 1;
  const caseRoot = join(root, `case-${counter}`);
  await mkdir(join(caseRoot, 'area'), { recursive: true });
  await mkdir(join(caseRoot, 'marker'));
  return { work: join(caseRoot, 'area'), caseRoot };
}

/** What one full read of an archive gives: file name → content, the warnings, and the listing. */
interface Read {
  files: Map<string, string>;
  listed: string[];
  warnings: { code: string; entry?: string; message: string }[];
}

/** Opens `path`, lists it, walks and reads every file, closes; asserts no fd leaks and nothing written around it. */
async function readEverything(path: string): Promise<Read> {
  const caseRoot = join(path, '..', '..');
  const before = await snapshot(caseRoot);
  const fds = openFds();
  const reader = await openArchive(path);
  const files = new Map<string, string>();
  let listed: string[];
  try {
    listed = (await reader.list()).map((e) => e.name);
    for await (const entry of reader.entries()) {
      if (entry.type === 'file') files.set(entry.name, (await readAll(entry.open())).toString());
    }
  } finally {
    await reader.close();
  }
  expect(await snapshot(caseRoot)).toEqual(before);
  if (fds !== undefined) expect(openFds()).toBe(fds);
  return { files, listed, warnings: reader.warnings!().map((w) => ({ ...w })) };
}

async function tarCase(members: TarMember[]): Promise<string> {
  const { work } = await area();
  return writeTarGz(join(work, 'backup.mbz'), members);
}

async function zipCase(members: ZipMember[]): Promise<string> {
  const { work } = await area();
  return writeZip(join(work, 'backup.mbz'), members);
}

async function failsWith(path: string, code: string): Promise<void> {
  const caseRoot = join(path, '..', '..');
  const before = await snapshot(caseRoot);
  await expectCode(readEverything(path), code);
  expect(await snapshot(caseRoot)).toEqual(before);
}

describe('checkLinkTarget', () => {
  it.each<[string, string, 'symbolic' | 'hard', string]>([
    ['link', 'moodle_backup.xml', 'symbolic', 'moodle_backup.xml'],
    ['course/link.xml', '../users.xml', 'symbolic', 'users.xml'],
    ['files/00/link', '../../moodle_backup.xml', 'symbolic', 'moodle_backup.xml'],
    ['a/b/link', './c/../d', 'symbolic', 'a/b/d'],
    ['a/link', '..', 'symbolic', ''],
    ['a/link', '', 'symbolic', 'a'],
    ['.ARCHIVE_INDEX', './.ARCHIVE_INDEX', 'hard', '.ARCHIVE_INDEX'],
    ['course/copy.xml', 'course/course.xml', 'hard', 'course/course.xml'],
  ])('%s → %s (%s) resolves to %s', (name, target, kind, resolved) => {
    expect(checkLinkTarget(name, target, kind)).toEqual({ name: resolved });
  });

  it.each<[string, string, 'symbolic' | 'hard']>([
    ['link', '/etc/passwd', 'symbolic'],
    ['link', 'C:/Windows', 'symbolic'],
    ['link', '..\\evil', 'symbolic'],
    ['link', 'a\u0000b', 'symbolic'],
    ['link', '../x', 'symbolic'],
    ['files/00/link', '../../../etc/passwd', 'symbolic'],
    ['a/link', 'b/../../../x', 'symbolic'],
    // A hard link's target is a path from the archive root, so `..` never stays inside.
    ['a/b/link', '../x', 'hard'],
    ['link', '/etc/passwd', 'hard'],
    ['link', '', 'hard'],
  ])('%s → %j (%s) is refused', (name, target, kind) => {
    expect(checkLinkTarget(name, target, kind)).toMatchObject({ code: 'archive.unsafe-entry-name' });
  });
});

describe('tar.gz link entries', () => {
  it('a symbolic link pointing inside is skipped with a warning naming it', async () => {
    const read = await readEverything(
      await tarCase([MANIFEST, { name: 'course/link.xml', typeflag: '2', linkname: '../moodle_backup.xml' }]),
    );
    expect(read.listed).toEqual(['moodle_backup.xml']);
    expect([...read.files.keys()]).toEqual(['moodle_backup.xml']);
    expect(read.warnings).toEqual([
      { code: 'archive-link-skipped', entry: 'course/link.xml', message: expect.stringContaining('symbolic link') },
    ]);
  });

  it('a hard link to an earlier file is read as that file, with a warning', async () => {
    const read = await readEverything(
      await tarCase([
        MANIFEST,
        { name: 'aa/users.xml', content: USERS },
        { name: 'users.xml', typeflag: '1', linkname: 'aa/users.xml' },
      ]),
    );
    expect(read.listed).toEqual(['moodle_backup.xml', 'aa/users.xml', 'users.xml']);
    expect(read.files.get('users.xml')).toBe(USERS);
    expect(read.warnings).toEqual([
      { code: 'archive-hard-link-read', entry: 'users.xml', message: expect.stringContaining('aa/users.xml') },
    ]);
  });

  it("reader.open() of a hard link gives its target's content; has() sees it", async () => {
    const path = await tarCase([
      MANIFEST,
      { name: 'aa/users.xml', content: USERS },
      { name: './users.xml', typeflag: '1', linkname: './aa/users.xml' },
    ]);
    const reader = await openArchive(path);
    try {
      expect((await readAll(await reader.open('users.xml'))).toString()).toBe(USERS);
      expect(await reader.has('users.xml')).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('a chain of hard links reads the first file', async () => {
    const read = await readEverything(
      await tarCase([
        MANIFEST,
        { name: 'a', content: USERS },
        { name: 'b', typeflag: '1', linkname: 'a' },
        { name: 'c', typeflag: '1', linkname: 'b' },
      ]),
    );
    expect(read.files.get('c')).toBe(USERS);
    expect(read.warnings.map((w) => [w.code, w.entry])).toEqual([
      ['archive-hard-link-read', 'b'],
      ['archive-hard-link-read', 'c'],
    ]);
  });

  it.each<[string, TarMember[], string]>([
    [
      'named .ARCHIVE_INDEX, as GNU tar writes it',
      [
        { name: './.ARCHIVE_INDEX', content: 'index' },
        { name: '.ARCHIVE_INDEX', typeflag: '1', linkname: './.ARCHIVE_INDEX' },
      ],
      '.ARCHIVE_INDEX',
    ],
    [
      'to itself',
      [
        { name: './users.xml', content: USERS },
        { name: 'users.xml', typeflag: '1', linkname: './users.xml' },
      ],
      'users.xml',
    ],
    [
      'to a later entry',
      [
        { name: 'users.xml', typeflag: '1', linkname: 'aa/users.xml' },
        { name: 'aa/users.xml', content: USERS },
      ],
      'users.xml',
    ],
    ['to a missing entry', [{ name: 'users.xml', typeflag: '1', linkname: 'nothing.xml' }], 'users.xml'],
    [
      'to a folder',
      [
        { name: 'course/', typeflag: '5' },
        { name: 'users.xml', typeflag: '1', linkname: 'course' },
      ],
      'users.xml',
    ],
    [
      'to a symbolic link',
      [
        { name: 'sym', typeflag: '2', linkname: 'moodle_backup.xml' },
        { name: 'users.xml', typeflag: '1', linkname: 'sym' },
      ],
      'users.xml',
    ],
  ])('a hard link %s is skipped with a warning', async (_label, members, skipped) => {
    const read = await readEverything(await tarCase([MANIFEST, ...members]));
    expect(read.warnings.filter((w) => w.entry === skipped).map((w) => w.code)).toEqual(['archive-link-skipped']);
    expect(read.warnings.every((w) => w.code === 'archive-link-skipped')).toBe(true);
    // Whatever real file has the name is read as itself; the link adds nothing.
    if (skipped === 'users.xml' && read.files.has('users.xml')) expect(read.files.get('users.xml')).toBe(USERS);
    expect(read.listed.filter((n) => n === skipped).length).toBeLessThanOrEqual(1);
  });

  it('a hard link whose name is already a different file → archive.duplicate-entry', async () => {
    await failsWith(
      await tarCase([
        MANIFEST,
        { name: 'a', content: 'a' },
        { name: 'b', content: 'b' },
        { name: 'a', typeflag: '1', linkname: 'b' },
      ]),
      'archive.duplicate-entry',
    );
  });

  it.each<[string, TarMember[]]>([
    ['symbolic link to an absolute path', [{ name: 'files/00/link', typeflag: '2', linkname: '/etc/passwd' }]],
    ['symbolic link climbing out', [{ name: 'files/00/link', typeflag: '2', linkname: '../../../marker/evil.xml' }]],
    ['symbolic link with a backslash', [{ name: 'link', typeflag: '2', linkname: '..\\..\\evil' }]],
    ['hard link to ../', [{ name: 'files/00/link', typeflag: '1', linkname: '../../etc/passwd' }]],
    ['hard link to an absolute path', [{ name: 'link', typeflag: '1', linkname: '/etc/passwd' }]],
    [
      'hard link target through a pax linkpath',
      [
        paxMember({ linkpath: '../../marker/evil.xml' }),
        { name: 'link', typeflag: '1', linkname: 'moodle_backup.xml' },
      ],
    ],
    ['symbolic link named ../', [{ name: '../marker/link', typeflag: '2', linkname: 'moodle_backup.xml' }]],
    ['hard link with an absolute name', [{ name: '/tmp/link', typeflag: '1', linkname: 'moodle_backup.xml' }]],
  ])('%s → archive.unsafe-entry-name', async (_label, members) => {
    await failsWith(await tarCase([MANIFEST, ...members]), 'archive.unsafe-entry-name');
  });

  it('links count as entries (maxEntries)', async () => {
    const links = Array.from(
      { length: 5 },
      (_, i): TarMember => ({ name: `l${i}`, typeflag: '2', linkname: 'moodle_backup.xml' }),
    );
    const reader = await openArchive(await tarCase([MANIFEST, ...links]), { limits: { maxEntries: 3 } });
    try {
      await expectCode(reader.list(), 'archive.too-many-entries');
    } finally {
      await reader.close();
    }
  });

  it('reading hard links counts the archive decompressed again against maxTotalBytes', async () => {
    const big = 'x'.repeat(4000);
    const links = Array.from(
      { length: 5 },
      (_, i): TarMember => ({ name: `copy${i}`, typeflag: '1', linkname: 'big' }),
    );
    const path = await tarCase([MANIFEST, { name: 'big', content: big }, ...links]);
    // One copy costs the archive up to `big` again plus `big` itself (≈ 8 KB); five pass 30,000 bytes.
    const reader = await openArchive(path, { limits: { maxTotalBytes: 30_000 } });
    try {
      const error = await expectCode(reader.list(), 'archive.too-large');
      expect(error.message).toMatch(/hard link copy\d/);
    } finally {
      await reader.close();
    }
    const generous = await openArchive(path, { limits: { maxTotalBytes: 60_000 } });
    try {
      expect((await generous.list()).length).toBe(7);
    } finally {
      await generous.close();
    }
  });

  it('each warning is reported once however many passes meet the link', async () => {
    const path = await tarCase([
      MANIFEST,
      { name: 'a', content: 'a' },
      { name: 'sym', typeflag: '2', linkname: 'a' },
      { name: 'b', typeflag: '1', linkname: 'a' },
    ]);
    const reader = await openArchive(path);
    try {
      expect(reader.warnings!()).toEqual([]);
      await reader.list();
      await readAll(await reader.open('b'));
      for await (const entry of reader.entries()) if (entry.type === 'file') await readAll(entry.open());
      expect(reader.warnings!().map((w) => [w.code, w.entry])).toEqual([
        ['archive-link-skipped', 'sym'],
        ['archive-hard-link-read', 'b'],
      ]);
    } finally {
      await reader.close();
    }
    expect(reader.warnings!()).toHaveLength(2);
  });
});

describe('ZIP link entries', () => {
  it('a symbolic link (Unix mode 120777) pointing inside is skipped with a warning naming it', async () => {
    const read = await readEverything(
      await zipCase([MANIFEST, { name: 'course/link.xml', content: '../moodle_backup.xml', mode: 0o120777 }]),
    );
    expect(read.listed).toEqual(['moodle_backup.xml']);
    expect(read.warnings).toEqual([
      {
        code: 'archive-link-skipped',
        entry: 'course/link.xml',
        message: expect.stringContaining('"../moodle_backup.xml"'),
      },
    ]);
  });

  it('a symbolic link does not hide a real file of the same name', async () => {
    const read = await readEverything(
      await zipCase([
        { name: 'users.xml', content: 'moodle_backup.xml', mode: 0o120777 },
        MANIFEST,
        { name: 'users.xml', content: USERS },
      ]),
    );
    expect(read.files.get('users.xml')).toBe(USERS);
    expect(read.warnings.map((w) => w.entry)).toEqual(['users.xml']);
  });

  it.each<[string, string]>([
    ['absolute target', '/etc/passwd'],
    ['target climbing out', '../../../etc/passwd'],
    ['drive letter', 'C:/Windows/win.ini'],
  ])('%s → archive.unsafe-entry-name', async (_label, target) => {
    await failsWith(
      await zipCase([MANIFEST, { name: 'files/00/link', content: target, mode: 0o120777 }]),
      'archive.unsafe-entry-name',
    );
  });

  it('a symbolic link whose "target" is longer than any path → archive.corrupt', async () => {
    await failsWith(
      await zipCase([MANIFEST, { name: 'link', content: 'a/'.repeat(3000), mode: 0o120777 }]),
      'archive.corrupt',
    );
  });

  it('links count as entries (maxEntries)', async () => {
    const links = Array.from(
      { length: 5 },
      (_, i): ZipMember => ({ name: `l${i}`, content: 'moodle_backup.xml', mode: 0o120777 }),
    );
    await expectCode(
      openArchive(await zipCase([MANIFEST, ...links]), { limits: { maxEntries: 3 } }),
      'archive.too-many-entries',
    );
  });
});

describe('a restore never puts a link on disk', () => {
  it('tar.gz: the unpacked copy holds the hard link as a plain file and no symbolic link', async () => {
    const { work, caseRoot } = await area();
    const big = Buffer.alloc(300 * 1024, 7); // over the in-memory budget of one entry: written to the temp folder
    const path = await writeTarGz(join(work, 'backup.mbz'), [
      MANIFEST,
      { name: 'course/big.bin', content: big },
      { name: 'course/copy.bin', typeflag: '1', linkname: 'course/big.bin' },
      { name: 'course/sym.bin', typeflag: '2', linkname: 'big.bin' },
    ]);
    const spoolParent = join(caseRoot, 'tmp');
    await mkdir(spoolParent);
    const source = await openBackupSource(path, { tempDir: spoolParent });
    try {
      expect(source.names()).toEqual(['course/big.bin', 'course/copy.bin', 'moodle_backup.xml']);
      expect(source.warnings().map((w) => [w.code, w.entry])).toEqual([
        ['archive-hard-link-read', 'course/copy.bin'],
        ['archive-link-skipped', 'course/sym.bin'],
      ]);
      expect((await readAll(await source.open('course/copy.bin'))).equals(big)).toBe(true);
      const [spool] = await readdir(spoolParent);
      for (const name of ['big.bin', 'copy.bin']) {
        const stats = await lstat(join(spoolParent, spool!, 'course', name));
        expect(stats.isFile() && !stats.isSymbolicLink()).toBe(true);
        expect(stats.nlink).toBe(1);
      }
      expect(await readdir(join(spoolParent, spool!, 'course'))).toEqual(['big.bin', 'copy.bin']);
    } finally {
      await source.close();
    }
    expect(await readdir(spoolParent)).toEqual([]);
    expect(await readdir(join(caseRoot, 'marker'))).toEqual([]);
  });
});

const shared = hasShared();

describe.skipIf(!shared)('real backups repacked with link entries', () => {
  /** A small course backup Moodle wrote as tar.gz, and one it wrote as ZIP (MANIFEST.json). */
  const TAR_FIXTURE = 'tool_s3wsrestore__tests-fixtures-validRestore.mbz';
  const ZIP_FIXTURE = 'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz';

  async function restoreAndInspect(
    path: string,
    caseRoot: string,
  ): Promise<{ restored: string[]; inspected: string[]; courseid: number; fullname: unknown }> {
    const tmp = join(caseRoot, 'tmp');
    await mkdir(tmp);
    const storage = createMemoryStorage();
    await storage.open();
    try {
      const result = await restore(path, { storage, tempDir: tmp });
      const inspection = await inspectBackup(path);
      const [course] = await storage.select('course', { id: result.courseid });
      expect(await readdir(tmp), 'the extraction folder is removed').toEqual([]);
      expect(await readdir(join(caseRoot, 'marker')), 'nothing is written outside the extraction folder').toEqual([]);
      return {
        restored: result.warnings.filter((w) => w.code.startsWith('archive-')).map((w) => `${w.code} ${w.entry}`),
        inspected: inspection.warnings.filter((w) => w.code.startsWith('archive-')).map((w) => `${w.code} ${w.entry}`),
        courseid: result.courseid,
        fullname: course?.fullname,
      };
    } finally {
      await storage.close();
    }
  }

  it('tar.gz repacked by GNU tar with .ARCHIVE_INDEX → ./.ARCHIVE_INDEX: restores and inspects with the warning', async () => {
    const { work, caseRoot } = await area();
    const path = join(work, 'repacked.mbz');
    await repackTarGz(mbzFixture(TAR_FIXTURE), path, [
      { name: '.ARCHIVE_INDEX', type: 'link', linkname: './.ARCHIVE_INDEX' },
    ]);
    const outcome = await restoreAndInspect(path, caseRoot);
    expect(outcome.restored).toEqual(['archive-link-skipped .ARCHIVE_INDEX']);
    expect(outcome.inspected).toEqual(['archive-link-skipped .ARCHIVE_INDEX']);
    expect(outcome.courseid).toBeGreaterThan(1);
  });

  it('tar.gz whose course/course.xml is a hard link to an earlier copy: the course is restored from that copy', async () => {
    const { work, caseRoot } = await area();
    const path = join(work, 'repacked.mbz');
    const reader = await openArchive(mbzFixture(TAR_FIXTURE));
    let courseXml: Buffer;
    try {
      courseXml = await readAll(await reader.open('course/course.xml'));
    } finally {
      await reader.close();
    }
    const fullname = /<fullname>([^<]+)<\/fullname>/u.exec(courseXml.toString())![1]!;
    await repackTarGz(
      mbzFixture(TAR_FIXTURE),
      path,
      [
        { name: 'spare/course.xml', content: courseXml },
        { name: 'course/course.xml', type: 'link', linkname: 'spare/course.xml' },
      ],
      ['course/course.xml'],
    );
    const outcome = await restoreAndInspect(path, caseRoot);
    expect(outcome.restored).toEqual(['archive-hard-link-read course/course.xml']);
    expect(outcome.inspected).toEqual(outcome.restored);
    expect(outcome.fullname).toBe(fullname);
  });

  it('ZIP with symbolic links inside: restores and inspects with one warning per link', async () => {
    const { work, caseRoot } = await area();
    const path = join(work, 'repacked.mbz');
    await repackZip(mbzFixture(ZIP_FIXTURE), path, [
      { name: 'course/link.xml', content: '../moodle_backup.xml', mode: 0o120777 },
      { name: 'files/link', content: '.', mode: 0o120777 },
    ]);
    const outcome = await restoreAndInspect(path, caseRoot);
    expect(outcome.restored).toEqual(['archive-link-skipped course/link.xml', 'archive-link-skipped files/link']);
    expect(outcome.inspected).toEqual(outcome.restored);
    expect(outcome.courseid).toBeGreaterThan(1);
  });

  it('the same repack with a link pointing out of the root is refused', async () => {
    const { work } = await area();
    const path = join(work, 'repacked.mbz');
    await repackTarGz(mbzFixture(TAR_FIXTURE), path, [
      { name: 'files/evil', type: 'symlink', linkname: '../../marker/evil.xml' },
    ]);
    const storage = createMemoryStorage();
    await storage.open();
    try {
      await expect(restore(path, { storage })).rejects.toMatchObject({ code: 'archive.unsafe-entry-name' });
      await expect(inspectBackup(path)).rejects.toMatchObject({ code: 'archive.unsafe-entry-name' });
    } finally {
      await storage.close();
    }
  });
});
