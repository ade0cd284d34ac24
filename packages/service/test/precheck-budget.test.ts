import { afterEach, describe, expect, it } from 'vitest';
import { restore, type StorageAdapter, type JobStore } from '@mbz-restore/engine';
import {
  createRestoreService,
  moodleErrorcodeOf,
  RestoreServiceError,
  type RestoreService,
} from '@mbz-restore/service';
import { dumpStore, errorOf } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { generated, withDoctypeManifest } from '@mbz-restore/test-support/backups';
import { ADAPTERS, withoutJobs } from './support/stores.ts';
import { testTempDir } from '@mbz-restore/test-support/temp';

describe.each(ADAPTERS)('precheck budget on %s', (_name, createStorage) => {
  let storage: StorageAdapter & JobStore;
  let service: RestoreService | undefined;
  afterEach(async () => {
    await service?.close();
    await storage.close();
  });

  async function start(precheckTarBytes?: number) {
    storage = createStorage();
    service = await createRestoreService({
      storage,
      progressIntervalMs: 0,
      ...(precheckTarBytes === undefined ? {} : { precheckTarBytes }),
    });
    return service;
  }

  it('accepts a tar.gz whose manifest lies past the budget at once, with settings known when the restore ends', async () => {
    const service = await start(0);
    const { restoreid } = await service.restoreFile(await generated('xs'), { options: { users: 1, logs: 0 } });
    const accepted = await service.getRestore(restoreid);
    expect(accepted.status).toBeLessThanOrEqual(800);
    expect(accepted.settings).toEqual({});
    await service.onIdle();
    const done = await service.getRestore(restoreid);
    expect(done).toMatchObject({ status: 1000, error: null });
    expect(done.settings).toMatchObject({ users: 1, logs: 0, activities: 1 });
  });

  it('checks the manifest up front within the budget: the same backup gets its settings at 700', async () => {
    const service = await start();
    const { restoreid } = await service.restoreFile(await generated('xs'), { options: { users: 1, logs: 0 } });
    expect((await service.getRestore(restoreid)).settings).toMatchObject({ users: 1, logs: 0, activities: 1 });
    await service.onIdle();
  });

  it("refuses a bad manifest up front within the budget, and past it ends the job 900 with restore()'s own error, keeping nothing", async () => {
    const bad = await withDoctypeManifest();
    const refused = await errorOf(async () => (await start()).restoreFile(bad));
    expect(refused).toBeInstanceOf(RestoreServiceError);
    expect(moodleErrorcodeOf(refused)).toBe('errorinvalidformat');
    expect(await storage.listJobs()).toEqual([]);
    await service!.close();
    await storage.close();

    const service2 = await start(0);
    const before = withoutJobs(await dumpStore(storage));
    const { restoreid } = await service2.restoreFile(bad);
    await service2.onIdle();
    const job = await service2.getRestore(restoreid);
    const direct = createMemoryStorage();
    await direct.open();
    const expected = (await errorOf(() => restore(bad, { storage: direct, tempDir: testTempDir('precheck-') }))) as {
      code: string;
    };
    await direct.close();
    expect(job.status).toBe(900);
    expect(job.error?.code).toBe(expected.code);
    expect(job.error?.code).toMatch(/^(xml|backup)\./u);
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
  });

  it('still refuses bad option names and values up front past the budget; a well-formed setting the backup lacks fails the job', async () => {
    const service = await start(0);
    const xs = await generated('xs');
    for (const [options, label] of [
      [{ users: 7 }, 'bad value'],
      [{ nosuch: 1 }, 'unknown name'],
      [{ section_12_included: 2 }, 'bad scoped value'],
    ] as const) {
      const error = await errorOf(() => service.restoreFile(xs, { options }));
      expect({ label, code: (error as RestoreServiceError).code, moodle: moodleErrorcodeOf(error) }).toEqual({
        label,
        code: 'input.invalid-argument',
        moodle: 'invalidextparam',
      });
    }
    expect(await storage.listJobs()).toEqual([]);
    const { restoreid } = await service.restoreFile(xs, { options: { section_999999_included: 0 } });
    await service.onIdle();
    expect(await service.getRestore(restoreid)).toMatchObject({
      status: 900,
      error: { code: 'input.invalid-argument' },
    });
  });

  it('refuses a budget that is not a whole number of bytes', async () => {
    storage = createStorage();
    for (const precheckTarBytes of [-1, 1.5, Number.NaN]) {
      const error = await errorOf(() => createRestoreService({ storage, precheckTarBytes }));
      expect((error as { code: string }).code).toBe('input.invalid-argument');
    }
  });
});
