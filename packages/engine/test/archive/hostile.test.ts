/**
 * Hostile and broken inputs through every reader. Each case asserts the error code (never the
 * message), finishes in bounded time (per-test timeout), leaves no file descriptor open, and leaves
 * the temp dir exactly as it was (readers never write: nothing appears beside or above the archive).
 * Link entries of a tar.gz or ZIP are not errors but warnings (`src/archive/link-entry.ts`) unless
 * their name or target leaves the archive root; a link in an extracted folder is still refused.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveLimits } from '../../src/archive/limits.ts';
import { openArchive } from '../../src/archive/open-archive.ts';
import {
  expectCode,
  openFds,
  patchAll,
  patchZipCrc,
  patchZipUncompressedSizes,
  paxMember,
  snapshot,
  tarBuffer,
  tempDir,
  writeGzipBomb,
  writeTarGz,
  writeZip,
  zipBuffer,
} from '@mbz-restore/test-support/archives';
import type { TarMember } from '@mbz-restore/test-support/archives';

const MiB = 1024 * 1024;
const TIMEOUT = { timeout: 15_000 };
/** Low limits that make a moderately sized bomb trip quickly. */
const BOMB_LIMITS: Partial<ArchiveLimits> = { maxCompressionRatio: 100, compressionRatioGraceBytes: MiB };

let root = '';
let cleanup: () => Promise<void> = async () => {};
let counter = 0;
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('mbz-hostile-'));
});
afterAll(() => cleanup());

/** A fresh case folder: `<case>/area/` holds the archive, `<case>/marker/` must stay empty. */
async function caseDir(): Promise<{ work: string; caseRoot: string }> {
  counter += 1;
  const caseRoot = join(root, `case-${counter}`);
  await mkdir(join(caseRoot, 'area'), { recursive: true });
  await mkdir(join(caseRoot, 'marker'));
  return { work: join(caseRoot, 'area'), caseRoot };
}

/** Opens `path`, walks every entry, reads every file, closes — and asserts it fails with `code`, writes nothing, leaks no fd. */
async function expectFailure(path: string, code: string, limits?: Partial<ArchiveLimits>): Promise<void> {
  const caseRoot = join(path, '..', '..');
  const before = await snapshot(caseRoot);
  const fds = openFds();
  const readEverything = async (): Promise<void> => {
    const reader = await openArchive(path, limits === undefined ? {} : { limits });
    try {
      await reader.list();
      for await (const entry of reader.entries()) {
        if (entry.type !== 'file') continue;
        for await (const _chunk of entry.open()) {
          // discard
        }
      }
    } finally {
      await reader.close();
    }
  };
  await expectCode(readEverything(), code);
  expect(await snapshot(caseRoot)).toEqual(before);
  expect(await snapshot(join(caseRoot, 'marker'))).toEqual([]);
  if (fds !== undefined) expect(openFds()).toBe(fds);
}

/** Like {@link expectFailure}, for an archive whose link entries are skipped or read as their target: it reads through with exactly `warnings` (`code entry`). */
async function expectLinkWarnings(path: string, warnings: string[]): Promise<void> {
  const caseRoot = join(path, '..', '..');
  const before = await snapshot(caseRoot);
  const fds = openFds();
  const reader = await openArchive(path);
  try {
    await reader.list();
    for await (const entry of reader.entries()) {
      if (entry.type !== 'file') continue;
      for await (const _chunk of entry.open()) {
        // discard
      }
    }
  } finally {
    await reader.close();
  }
  expect(reader.warnings!().map((w) => `${w.code} ${w.entry}`)).toEqual(warnings);
  expect(await snapshot(caseRoot)).toEqual(before);
  expect(await snapshot(join(caseRoot, 'marker'))).toEqual([]);
  if (fds !== undefined) expect(openFds()).toBe(fds);
}

async function tarCase(members: TarMember[], options?: { endBlocks?: number }): Promise<string> {
  const { work } = await caseDir();
  return writeTarGz(
    join(work, 'backup.mbz'),
    [{ name: 'moodle_backup.xml', content: '<moodle_backup/>' }, ...members],
    options,
  );
}

async function zipCase(bytes: Buffer | Promise<Buffer>): Promise<string> {
  const { work } = await caseDir();
  const path = join(work, 'backup.mbz');
  await writeFile(path, await bytes);
  return path;
}

async function fileCase(bytes: Buffer): Promise<string> {
  return zipCase(bytes);
}

describe('hostile tar.gz', () => {
  it.each<[string, TarMember[], string]>([
    ['path traversal', [{ name: '../evil', content: 'x' }], 'archive.unsafe-entry-name'],
    ['nested traversal', [{ name: 'files/../../evil', content: 'x' }], 'archive.unsafe-entry-name'],
    ['absolute name', [{ name: '/etc/x', content: 'x' }], 'archive.unsafe-entry-name'],
    ['traversal in the ustar prefix', [{ name: 'evil', prefix: '..', content: 'x' }], 'archive.unsafe-entry-name'],
    [
      'traversal in a pax path',
      [paxMember({ path: '../../evil' }), { name: 'harmless', content: 'x' }],
      'archive.unsafe-entry-name',
    ],
    ['backslash name', [{ name: '..\\evil', content: 'x' }], 'archive.unsafe-entry-name'],
    ['control character', [{ name: 'a\nb', content: 'x' }], 'archive.unsafe-entry-name'],
    [
      'symlink out of the root',
      [{ name: 'link', typeflag: '2', linkname: '/etc/passwd' }],
      'archive.unsafe-entry-name',
    ],
    [
      'symlink climbing out',
      [{ name: 'files/00/link', typeflag: '2', linkname: '../../../marker/evil' }],
      'archive.unsafe-entry-name',
    ],
    [
      'hard link out of the root',
      [{ name: 'hard', typeflag: '1', linkname: '../marker/evil' }],
      'archive.unsafe-entry-name',
    ],
    [
      'symlink named out of the root',
      [{ name: '../marker/link', typeflag: '2', linkname: 'moodle_backup.xml' }],
      'archive.unsafe-entry-name',
    ],
    ['character device', [{ name: 'dev', typeflag: '3' }], 'archive.unsafe-entry-name'],
    ['fifo', [{ name: 'fifo', typeflag: '6' }], 'archive.unsafe-entry-name'],
    ['GNU sparse file', [{ name: 'sparse', typeflag: 'S', content: 'x' }], 'archive.unsafe-entry-name'],
    ['duplicate entry', [{ name: './moodle_backup.xml', content: '<other/>' }], 'archive.duplicate-entry'],
  ])('%s', TIMEOUT, async (_label, members, code) => {
    await expectFailure(await tarCase(members), code);
  });

  it.each<[string, TarMember[], string[]]>([
    ['symlink inside', [{ name: 'link', typeflag: '2', linkname: 'moodle_backup.xml' }], ['archive-link-skipped link']],
    [
      'hard link to an earlier file',
      [{ name: 'hard', typeflag: '1', linkname: 'moodle_backup.xml' }],
      ['archive-hard-link-read hard'],
    ],
    [
      'hard link to nothing earlier',
      [
        { name: 'hard', typeflag: '1', linkname: 'later.xml' },
        { name: 'later.xml', content: 'x' },
      ],
      ['archive-link-skipped hard'],
    ],
  ])(
    '%s: skipped or read as its target, with a warning, nothing written',
    TIMEOUT,
    async (_label, members, warnings) => {
      await expectLinkWarnings(await tarCase(members), warnings);
    },
  );

  it('gzip bomb: 256 MiB of zeros trips the whole-archive compression ratio', TIMEOUT, async () => {
    const { work } = await caseDir();
    await expectFailure(
      await writeGzipBomb(join(work, 'bomb.mbz'), 256 * MiB),
      'archive.compression-ratio',
      BOMB_LIMITS,
    );
  });

  it('an entry declaring 10 GiB fails before any of it is read (default limits)', TIMEOUT, async () => {
    await expectFailure(
      await tarCase([{ name: 'files/aa/huge', size: 10 * 1024 ** 3 }], { endBlocks: 0 }),
      'archive.entry-too-large',
    );
  });

  it('declared sizes past maxTotalBytes', TIMEOUT, async () => {
    const members = [1, 2, 3].map((i) => ({ name: `f${i}`, content: Buffer.alloc(4096) }));
    await expectFailure(await tarCase(members), 'archive.too-large', { maxTotalBytes: 10_000 });
  });

  it('more entries than maxEntries', TIMEOUT, async () => {
    const members = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    await expectFailure(await tarCase(members), 'archive.too-many-entries', { maxEntries: 10 });
  });

  it('junk zero blocks after the last entry are bounded by maxTotalBytes', TIMEOUT, async () => {
    const { work } = await caseDir();
    const path = join(work, 'padded.mbz');
    const block = gzipSync(Buffer.alloc(MiB));
    await writeFile(
      path,
      Buffer.concat([gzipSync(tarBuffer([{ name: 'a', content: 'x' }], { endBlocks: 0 })), ...Array(80).fill(block)]),
    );
    await expectFailure(path, 'archive.too-large', { maxTotalBytes: MiB, maxCompressionRatio: 1e9 });
  });

  it('truncated gzip', TIMEOUT, async () => {
    const { work } = await caseDir();
    const path = join(work, 'cut.mbz');
    const whole = gzipSync(tarBuffer([{ name: 'moodle_backup.xml', content: randomBytes(64 * 1024) }]));
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    await expectFailure(path, 'archive.truncated');
  });

  it('tar cut in the middle of an entry (gzip itself complete)', TIMEOUT, async () => {
    const { work } = await caseDir();
    const path = join(work, 'cut-tar.mbz');
    const tar = tarBuffer([{ name: 'moodle_backup.xml', content: Buffer.alloc(10_000, 65) }]);
    await writeFile(path, gzipSync(tar.subarray(0, 4096)));
    await expectFailure(path, 'archive.truncated');
  });

  it('tar without its end-of-archive blocks', TIMEOUT, async () => {
    await expectFailure(await tarCase([], { endBlocks: 0 }), 'archive.truncated');
  });

  it('empty gzip', TIMEOUT, async () => {
    await expectFailure(await fileCase(gzipSync(Buffer.alloc(0))), 'archive.truncated');
  });

  it('gzip magic followed by garbage', TIMEOUT, async () => {
    await expectFailure(
      await fileCase(Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(4096)])),
      'archive.corrupt',
    );
  });

  it('valid gzip of random bytes (not a tar)', TIMEOUT, async () => {
    await expectFailure(await fileCase(gzipSync(randomBytes(8192))), 'archive.corrupt');
  });

  it('tar header with a bad checksum', TIMEOUT, async () => {
    const tar = tarBuffer([{ name: 'moodle_backup.xml', content: 'x' }]);
    tar[0] = 0x4e; // 'N': name changes, checksum no longer matches
    await expectFailure(await fileCase(gzipSync(tar)), 'archive.corrupt');
  });
});

describe('hostile ZIP', () => {
  const base = (name: string, extra: object = {}) => [
    { name: 'moodle_backup.xml', content: '<moodle_backup/>' },
    { name, content: 'evil', ...extra },
  ];

  it.each<[string, () => Promise<Buffer>, string]>([
    [
      'path traversal',
      async () => patchAll(await zipBuffer(base('zz/evil')), 'zz/evil', '../evil'),
      'archive.unsafe-entry-name',
    ],
    [
      'absolute name',
      async () => patchAll(await zipBuffer(base('zetc/x')), 'zetc/x', '/etc/x'),
      'archive.unsafe-entry-name',
    ],
    [
      'drive letter',
      async () => patchAll(await zipBuffer(base('zz/evil')), 'zz/evil', 'C:/evil'),
      'archive.unsafe-entry-name',
    ],
    [
      'backslash',
      async () => patchAll(await zipBuffer(base('zz/evil')), 'zz/evil', '..\\evil'),
      'archive.unsafe-entry-name',
    ],
    [
      'NUL in name',
      async () => patchAll(await zipBuffer(base('zz/evil')), 'zz/evil', 'zz\0evil'),
      'archive.unsafe-entry-name',
    ],
    [
      'symlink out of the root',
      () =>
        zipBuffer([
          { name: 'moodle_backup.xml', content: '<moodle_backup/>' },
          { name: 'link', content: '/etc/passwd', mode: 0o120777 },
        ]),
      'archive.unsafe-entry-name',
    ],
    ['fifo', () => zipBuffer(base('fifo', { mode: 0o010644 })), 'archive.unsafe-entry-name'],
    ['duplicate entry', () => zipBuffer(base('moodle_backup.xml')), 'archive.duplicate-entry'],
    [
      'duplicate after normalisation',
      async () => patchAll(await zipBuffer(base('zzmoodle_backup.xml')), 'zzmoodle', './moodle'),
      'archive.duplicate-entry',
    ],
    ['CRC mismatch', async () => patchZipCrc(await zipBuffer(base('files/aa/x')), 0xdeadbeef), 'archive.corrupt'],
    [
      'encrypted entry',
      async () => {
        const zip = await zipBuffer([{ name: 'secret', content: 'x', compress: false }]);
        zip.writeUInt16LE(zip.readUInt16LE(zip.indexOf('PK\u0001\u0002') + 8) | 1, zip.indexOf('PK\u0001\u0002') + 8);
        return zip;
      },
      'archive.corrupt',
    ],
    [
      'overlapping entries',
      async () => {
        const zip = await zipBuffer([
          { name: 'a', content: 'aaaa' },
          { name: 'b', content: 'bbbb' },
        ]);
        const second = zip.indexOf('PK\u0001\u0002', zip.indexOf('PK\u0001\u0002') + 4);
        zip.writeUInt32LE(0, second + 42);
        return zip;
      },
      'archive.corrupt',
    ],
    ['truncated (end cut off)', async () => (await zipBuffer(base('x'))).subarray(0, 60), 'archive.truncated'],
    [
      'PK magic then random bytes',
      async () => Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(4096)]),
      'archive.truncated',
    ],
  ])('%s', TIMEOUT, async (_label, build, code) => {
    await expectFailure(await zipCase(build()), code);
  });

  it('symlink inside: skipped with a warning, nothing written', TIMEOUT, async () => {
    await expectLinkWarnings(await zipCase(zipBuffer(base('link', { mode: 0o120777 }))), ['archive-link-skipped link']);
  });

  it('zip bomb: declared sizes over the compression ratio fail at open', TIMEOUT, async () => {
    await expectFailure(
      await zipCase(zipBuffer([{ name: 'bomb', content: Buffer.alloc(16 * MiB) }])),
      'archive.compression-ratio',
      BOMB_LIMITS,
    );
  });

  it('a header that lies about the size (smaller than the data) fails the stream', TIMEOUT, async () => {
    const zip = patchZipUncompressedSizes(
      await zipBuffer([{ name: 'files/aa/liar', content: Buffer.alloc(4 * MiB) }]),
      100,
    );
    await expectFailure(await zipCase(zip), 'archive.corrupt');
  });

  it('a header that lies about the size (larger than the data) fails the stream', TIMEOUT, async () => {
    const zip = patchZipUncompressedSizes(
      await zipBuffer([{ name: 'files/aa/liar', content: Buffer.alloc(4096, 1) }]),
      8192,
    );
    await expectFailure(await zipCase(zip), 'archive.corrupt');
  });

  it.each<[string, Partial<ArchiveLimits>, string]>([
    ['maxEntries', { maxEntries: 1 }, 'archive.too-many-entries'],
    ['maxEntryBytes', { maxEntryBytes: 100 }, 'archive.entry-too-large'],
    ['maxTotalBytes', { maxTotalBytes: 1000 }, 'archive.too-large'],
  ])('limit %s', TIMEOUT, async (_label, limits, code) => {
    const zip = zipBuffer([
      { name: 'a', content: Buffer.alloc(600) },
      { name: 'b', content: Buffer.alloc(600) },
    ]);
    await expectFailure(await zipCase(zip), code, limits);
  });
});

describe('hostile folder', () => {
  const folderCase = async (): Promise<string> => {
    const { work } = await caseDir();
    const folder = join(work, 'backup');
    await mkdir(join(folder, 'course'), { recursive: true });
    await writeFile(join(folder, 'moodle_backup.xml'), '<moodle_backup/>');
    return folder;
  };

  it.each([
    [
      'symlink to a file inside the folder',
      (f: string) => symlink(join(f, 'moodle_backup.xml'), join(f, 'course', 'link.xml')),
    ],
    [
      'relative symlink inside the folder',
      (f: string) => symlink('../moodle_backup.xml', join(f, 'course', 'link.xml')),
    ],
    ['symlink pointing outside', (f: string) => symlink('/etc/passwd', join(f, 'passwd'))],
    ['symlinked folder', (f: string) => symlink(join(f, 'course'), join(f, 'course2'))],
    ['dangling symlink', (f: string) => symlink(join(f, 'nothing'), join(f, 'dangling'))],
  ])('%s → archive.link-entry', TIMEOUT, async (_label, make) => {
    const folder = await folderCase();
    await make(folder);
    await expectFailure(folder, 'archive.link-entry');
  });

  it.each([
    ['backslash in a name', 'a\\b'],
    ['newline in a name', 'a\nb'],
  ])('%s → archive.unsafe-entry-name', TIMEOUT, async (_label, name) => {
    const folder = await folderCase();
    await writeFile(join(folder, name), 'x');
    await expectFailure(folder, 'archive.unsafe-entry-name');
  });

  it('a FIFO → archive.unsafe-entry-name (never opened, so nothing blocks)', TIMEOUT, async () => {
    const folder = await folderCase();
    execFileSync('mkfifo', [join(folder, 'course', 'pipe')]);
    await expectFailure(folder, 'archive.unsafe-entry-name');
  });

  it.each<[string, Partial<ArchiveLimits>, string]>([
    ['maxEntries', { maxEntries: 2 }, 'archive.too-many-entries'],
    ['maxEntryBytes', { maxEntryBytes: 10 }, 'archive.entry-too-large'],
    ['maxTotalBytes', { maxTotalBytes: 20 }, 'archive.too-large'],
  ])('limit %s', TIMEOUT, async (_label, limits, code) => {
    const folder = await folderCase();
    await writeFile(join(folder, 'course', 'course.xml'), 'x'.repeat(15));
    await expectFailure(folder, code, limits);
  });
});

describe('not an archive', () => {
  it('random bytes → archive.unknown-format', TIMEOUT, async () => {
    await expectFailure(await fileCase(Buffer.concat([Buffer.from([0]), randomBytes(4095)])), 'archive.unknown-format');
  });

  it('empty file → archive.unknown-format', TIMEOUT, async () => {
    await expectFailure(await fileCase(Buffer.alloc(0)), 'archive.unknown-format');
  });

  it('missing path → archive.not-found', TIMEOUT, async () => {
    const { work } = await caseDir();
    await expectFailure(join(work, 'missing.mbz'), 'archive.not-found');
  });

  it('a good archive passes the same helper (sanity check)', TIMEOUT, async () => {
    // Sanity check for the helper itself: a good archive does not fail.
    const { work } = await caseDir();
    const path = await writeZip(join(work, 'good.mbz'), [{ name: 'moodle_backup.xml', content: 'x' }]);
    const reader = await openArchive(path);
    expect((await readFile(path)).length).toBeGreaterThan(0);
    expect((await reader.list()).map((e) => e.name)).toEqual(['moodle_backup.xml']);
    await reader.close();
  });
});
