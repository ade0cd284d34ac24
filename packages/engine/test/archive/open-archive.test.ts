/** openArchive: dispatch by magic bytes and validation of the caller's limits. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/archive/limits.ts';
import { openArchive, resolveArchiveLimits } from '../../src/archive/open-archive.ts';
import { expectCode, tempDir, writeTarGz, writeZip } from '@mbz-restore/test-support/archives';

describe('openArchive', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('dispatches on the bytes, whatever the extension', async () => {
    const tarGz = await writeTarGz(join(dir, 'backup.zip'), [{ name: 'moodle_backup.xml', content: 'x' }]);
    const zip = await writeZip(join(dir, 'backup.tar.gz'), [{ name: 'moodle_backup.xml', content: 'x' }]);
    const folder = join(dir, 'folder');
    await mkdir(folder);
    for (const [path, kind] of [
      [tarGz, 'tar.gz'],
      [zip, 'zip'],
      [folder, 'directory'],
    ] as const) {
      const reader = await openArchive(path, { limits: { maxEntries: 10 } });
      expect(reader.kind).toBe(kind);
      await reader.close();
    }
  });

  it.each([
    ['zero', { maxEntries: 0 }],
    ['negative', { maxEntryBytes: -1 }],
    ['NaN', { maxTotalBytes: Number.NaN }],
    ['Infinity', { maxCompressionRatio: Number.POSITIVE_INFINITY }],
    ['a string', { compressionRatioGraceBytes: '64' }],
    ['a fraction of an entry', { maxEntries: 1.5 }],
    ['an unknown limit (typo)', { maxEntrySize: 1024 }],
    ['null', null],
    ['an array', [1]],
  ])('refuses %s as limits with input.invalid-argument', async (_label, limits) => {
    await expectCode(openArchive(dir, { limits: limits as never }), 'input.invalid-argument');
  });

  it('refuses an empty or non-string path', async () => {
    await expectCode(openArchive(''), 'input.invalid-argument');
    await expectCode(openArchive(42 as never), 'input.invalid-argument');
  });

  it('merges partial limits over the defaults and freezes the result', () => {
    const limits = resolveArchiveLimits({ maxCompressionRatio: 2.5, maxEntries: 5 });
    expect(limits).toEqual({ ...DEFAULT_ARCHIVE_LIMITS, maxCompressionRatio: 2.5, maxEntries: 5 });
    expect(Object.isFrozen(limits)).toBe(true);
    expect(resolveArchiveLimits(undefined)).toBe(DEFAULT_ARCHIVE_LIMITS);
    expect(resolveArchiveLimits({ maxEntries: undefined })).toEqual(DEFAULT_ARCHIVE_LIMITS);
  });
});
