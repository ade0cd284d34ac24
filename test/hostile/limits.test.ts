/**
 * Every named limit can be changed by the caller of `inspectBackup()` and `restore()`, and crossing it
 * is a typed error whose message names the limit, its value and the option that raises it. A good
 * backup is read with each limit lowered below what it needs; with the defaults it restores (see
 * `corpus.test.ts`), so each failure here comes from the lowered limit alone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ARCHIVE_LIMITS,
  DEFAULT_XML_LIMITS,
  inspectBackup,
  isMbzError,
  restore,
  type ArchiveLimits,
  type XmlLimits,
} from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createArea, type Area } from './area.ts';
import { loadBaseBackup, writeBackup } from './base-backup.ts';

let area: Area;
const backups: Record<'tar.gz' | 'zip', string> = { 'tar.gz': '', zip: '' };

beforeAll(async () => {
  area = await createArea('mbz-limits-');
  const base = await loadBaseBackup();
  for (const container of ['tar.gz', 'zip'] as const) {
    backups[container] = join(area.cases, `base.${container === 'zip' ? 'zip' : 'tar.gz'}.mbz`);
    await writeBackup(backups[container], base, container);
  }
});
afterAll(async () => {
  await area?.remove();
});

type Case = [
  name: string,
  limits: { limits?: Partial<ArchiveLimits>; xmlLimits?: Partial<XmlLimits> },
  code: string,
  message: RegExp,
];

const cases: Case[] = [
  [
    'maxArchiveBytes',
    { limits: { maxArchiveBytes: 1000 } },
    'archive.too-large',
    /maxArchiveBytes = 1000 bytes; pass limits\.maxArchiveBytes/,
  ],
  [
    'maxTotalBytes',
    { limits: { maxTotalBytes: 100 * 1024 } },
    'archive.too-large',
    /limit maxTotalBytes\).*100 KiB|100 KiB.*limit maxTotalBytes/,
  ],
  [
    'maxEntryBytes',
    { limits: { maxEntryBytes: 16 * 1024 } },
    'archive.entry-too-large',
    /maxEntryBytes = 16 KiB; pass limits\.maxEntryBytes/,
  ],
  [
    'maxEntries',
    { limits: { maxEntries: 50 } },
    'archive.too-many-entries',
    /more than 50 entries \(limit maxEntries\)|over the limit maxEntries = 50; pass limits\.maxEntries/,
  ],
  [
    'maxCompressionRatio',
    { limits: { maxCompressionRatio: 1.5, compressionRatioGraceBytes: 1024 } },
    'archive.compression-ratio',
    /maxCompressionRatio = 1\.5:1/,
  ],
  ['maxDepth', { xmlLimits: { maxDepth: 3 } }, 'xml.too-deep', /more than the maxDepth limit of 3/],
  [
    'maxRecordBytes',
    { xmlLimits: { maxRecordBytes: 2000 } },
    'xml.record-too-large',
    /more than the maxRecordBytes limit of 2000 bytes/,
  ],
  [
    'maxTextBytes',
    { xmlLimits: { maxTextBytes: 100 } },
    'xml.text-too-large',
    /more than the maxTextBytes limit of 100 bytes/,
  ],
];

describe.each(['tar.gz', 'zip'] as const)('limits through inspect and restore (%s)', (container) => {
  it.each(cases)('%s', async (_name, limits, code, message) => {
    const inspected = await inspectBackup(backups[container], limits).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectLimitError(inspected, code, message);
    const storage = createMemoryStorage();
    await storage.open();
    const restored = await restore(backups[container], { storage, tempDir: area.tmp, ...limits }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectLimitError(restored, code, message);
  });
});

describe('defaults', () => {
  it('are named, documented values a caller can read', () => {
    expect(DEFAULT_ARCHIVE_LIMITS).toEqual({
      maxArchiveBytes: 16 * 1024 ** 3,
      maxTotalBytes: 16 * 1024 ** 3,
      maxEntryBytes: 8 * 1024 ** 3,
      maxEntries: 1_000_000,
      maxCompressionRatio: 200,
      compressionRatioGraceBytes: 64 * 1024 ** 2,
    });
    expect(DEFAULT_XML_LIMITS).toEqual({ maxDepth: 64, maxRecordBytes: 256 * 1024 ** 2, maxTextBytes: 64 * 1024 ** 2 });
  });

  it('an unknown limit name is refused instead of ignored', async () => {
    const error = await inspectBackup(backups.zip, { limits: { maxArchiveSize: 1 } as Partial<ArchiveLimits> }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMbzError(error, 'input.invalid-argument'), String(error)).toBe(true);
    expect((error as Error).message).toContain('maxArchiveBytes');
  });
});

// Internal helpers

function expectLimitError(error: unknown, code: string, message: RegExp): void {
  expect(isMbzError(error), String(error)).toBe(true);
  expect((error as { code: string }).code, (error as Error).message).toBe(code);
  expect((error as Error).message).toMatch(message);
}
