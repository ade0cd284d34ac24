/**
 * Faults of the store under a restore, on both adapters, into a store that already holds a course: a
 * write that fails mid-restore, a full disk while a file's content is written (`ENOSPC` from the blob
 * store), a commit that fails. Each leaves the store exactly as it was (rows, blobs, jobs, no staged
 * leftovers); a full disk and any other system error surface as typed `storage.*` errors whose message
 * says what to do. Through the restore service, the job then ends 900 with the cause.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMbzError, restore, type StorageAdapter } from '@mbz-restore/engine';
import { createRestoreService } from '@mbz-restore/service';
import { generateBackup } from '@mbz-restore/generator';
import { dumpStore, InjectedFault, withFaults, type FaultPlan } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { createArea, listTree, type Area } from './area.ts';
import { CORPUS_RESTORE_OPTIONS } from './run-case.ts';
import { restoreDraft } from './run-service.ts';

let area: Area;
/** A backup whose restore writes rows and file contents, and another one restored first (other contents). */
let backup: string;
let earlier: string;

beforeAll(async () => {
  area = await createArea('mbz-storage-faults-');
  backup = join(area.cases, 'xs-7.mbz');
  earlier = join(area.cases, 'xs-11.mbz');
  await generateBackup({ size: 'xs', out: backup, seed: 7 });
  await generateBackup({ size: 'xs', out: earlier, seed: 11, container: 'zip' });
});
afterAll(async () => {
  await area?.remove();
});

const adapters: Array<[string, (name: string) => StorageAdapter]> = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', (name) => createSqliteStorage({ path: join(area.stores, `${name}.sqlite`) })],
];

const faults: Array<[string, FaultPlan, (error: unknown) => void]> = [
  [
    'a write that fails mid-restore (the 30th of ≈ 60 insert calls)',
    { failInsertAt: 30 },
    (error) => expect(error).toBeInstanceOf(InjectedFault),
  ],
  ['a full disk while the first file content is written', { failBlobAt: 1 }, expectDiskFull],
  ['a full disk while the third file content is written', { failBlobAt: 3 }, expectDiskFull],
  ['a commit that fails', { failCommit: true }, (error) => expect(error).toBeInstanceOf(InjectedFault)],
];

describe.each(adapters)('%s: a storage fault leaves the store as it was', (adapterName, create) => {
  it.each(faults)('%s', async (label, plan, check) => {
    const name = `${adapterName}-${label.replace(/\W+/g, '-')}`;
    const storage = create(name);
    await storage.open();
    try {
      await restore(earlier, { storage, options: { users: 0 }, tempDir: area.tmp });
      const before = await dumpStore(storage);
      const error = await restore(backup, {
        storage: withFaults(storage, plan),
        options: CORPUS_RESTORE_OPTIONS,
        tempDir: area.tmp,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      check(error);
      expect(await dumpStore(storage)).toEqual(before);
      if (adapterName === 'sqlite')
        expect(await listTree(join(area.stores, `${name}.sqlite.blobs`)), 'no staged blob is left').not.toContainEqual(
          expect.stringMatching(/^\.staging\/./),
        );
      expect(await listTree(area.tmp), 'the temp area is empty again').toEqual([]);
      // The store still works: the same restore succeeds afterwards.
      expect(
        (await restore(backup, { storage, options: CORPUS_RESTORE_OPTIONS, tempDir: area.tmp })).courseid,
      ).toBeGreaterThan(0);
    } finally {
      await storage.close();
    }
  });
});

describe('through the restore service: the job ends 900 with the cause, the store keeps nothing but the job record', () => {
  it.each(faults)('%s', async (label, plan) => {
    const storage = createMemoryStorage();
    await storage.open();
    // Upload without faults (the upload is a unit of work of its own), then restore through a faulty store.
    const uploader = await createRestoreService({ storage, tempDir: area.tmp });
    const draft = await uploader.saveDraftFile(backup, { filename: 'xs.mbz' });
    await uploader.close();
    const before = await dumpStore(storage);
    const service = await createRestoreService({
      storage: withFaults(storage, plan),
      tempDir: area.tmp,
      concurrency: 1,
    });
    try {
      const run = await restoreDraft(service, draft);
      expect(run.at, label).toBe(900);
      const job = (await service.listRestores())[0]!;
      if (plan.failBlobAt) {
        expect(job.error?.code).toBe('storage.no-space');
        expect(job.error?.message).toMatch(/^The disk is full \(ENOSPC: .*Free space on the disk/);
      } else {
        expect(job.error).toEqual({ code: 'internal', message: expect.stringContaining('Injected fault') });
      }
      const after = await dumpStore(storage);
      expect({ ...after.tables, backup_controllers: [] }).toEqual({ ...before.tables, backup_controllers: [] });
      expect(after.blobs).toEqual(before.blobs);
    } finally {
      await service.close();
      await storage.close();
    }
  });
});

describe('system errors of the disk are typed', () => {
  it('a temp folder that cannot be used is storage.io, and the message says what to check', async () => {
    const notAFolder = join(area.root, 'not-a-folder');
    await writeFile(notAFolder, 'a file where the temp folder should be');
    const storage = createMemoryStorage();
    await storage.open();
    const before = await dumpStore(storage);
    const error = await restore(backup, { storage, tempDir: notAFolder }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMbzError(error, 'storage.io'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /ENOTDIR.*Nothing was restored\. Check that the store and the temp folder/,
    );
    expect(await dumpStore(storage)).toEqual(before);
  });
});

// Internal helpers

function expectDiskFull(error: unknown): void {
  expect(isMbzError(error, 'storage.no-space'), String(error)).toBe(true);
  const typed = error as Error & { cause?: unknown };
  expect(typed.message).toMatch(
    /^The disk is full \(ENOSPC: .*\)\. Nothing was restored\. Free space on the disk that holds the store and the temp folder/,
  );
  expect(typed.cause).toBeInstanceOf(InjectedFault);
}
