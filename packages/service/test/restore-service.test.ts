/**
 * The asynchronous restore service through its public API, on both adapters (memory: restores on the calling
 * thread; SQLite: in worker threads): a restore goes 700 → 800 → 1000 with progress that only grows and ends at
 * exactly 1; a backup that fails mid-restore ends 900 with its typed error and leaves the store as it was; a
 * request the service cannot run is refused with Moodle's error codes and records nothing.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import {
  createRestoreService,
  moodleErrorcodeOf,
  RestoreServiceError,
  type RestoreService,
} from '@mbz-restore/service';
import { dumpStore, errorOf } from '@mbz-restore/storage-contract';
import {
  cacheDir,
  generated,
  truncatedAfterManifest,
  truncatedInHalf,
  withDamagedBlob,
} from '@mbz-restore/test-support/backups';
import { ADAPTERS, eventsOf, nextEvent, recordEvents, recordingJobs, withoutJobs } from './support/stores.ts';
import { testTempDir } from '@mbz-restore/test-support/temp';

describe.each(ADAPTERS)('restore service on %s', (_name, createStorage) => {
  let storage: StorageAdapter & JobStore;
  let service: RestoreService | undefined;
  afterEach(async () => {
    await service?.close();
    await storage.close();
  });

  async function start(options: { concurrency?: number; tempDir?: string } = {}) {
    const recorder = recordingJobs(createStorage());
    storage = recorder.storage;
    service = await createRestoreService({ storage, progressIntervalMs: 0, ...options });
    return { service, writes: recorder.writes, units: recorder.units, events: recordEvents(service) };
  }

  async function upload(svc: RestoreService, path: string) {
    const draft = await svc.saveDraftFile(path, { filename: 'backup.mbz' });
    return { contextid: draft.contextid, itemid: draft.itemid };
  }

  it('runs a restore 700 → 800 → 1000, progress growing through ≥ 20 values to exactly 1', async () => {
    const { service, writes, units, events } = await start();
    const localfile = await upload(service, await generated('s'));
    const unitsBefore = units.begun;
    const completed = nextEvent(service, 'completed');
    const midway = nextEvent(service, 'progress', (e) => e.progress >= 0.5);
    const { restoreid } = await service.restoreAsync({
      categoryid: 1,
      localfile,
      options: [{ name: 'users', value: 1 }],
    });
    expect(restoreid).toMatch(/^[0-9a-f]{32}$/);
    await midway;
    if (storage.capabilities.durable && storage.workerOpenSpec) {
      // Another handle on the store (as another process has) reads the job while the restore's unit of work is open.
      const spec = storage.workerOpenSpec();
      const other = ((await import(spec.module)) as Record<string, (o: unknown) => StorageAdapter & JobStore>)[
        spec.factory
      ]!(spec.options);
      const seen = await other.getJob(restoreid);
      await other.close();
      expect(seen).toMatchObject({ status: 800, owner: expect.any(String) });
      expect(seen!.progress).toBeGreaterThan(0);
    }
    const { courseid } = await completed;
    // A worker-safe store is restored from a worker thread's own handle: the service's handle begins no unit of work.
    expect(units.begun - unitsBefore).toBe(storage.capabilities.workerSafe ? 0 : 1);

    const mine = eventsOf(events, restoreid);
    expect(mine[0]!.name).toBe('queued');
    expect(mine[1]!.name).toBe('started');
    expect(mine.at(-1)).toMatchObject({ name: 'completed', courseid });
    const progress = mine.flatMap((e) => (e.name === 'progress' ? [e.progress] : []));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBeGreaterThanOrEqual(20);
    expect(progress.at(-1)).toBe(1);
    expect(mine.filter((e) => e.name === 'progress').every((e) => e.name === 'progress' && e.stage.length > 0)).toBe(
      true,
    );

    // What the store saw: statuses in order, progress never going back, 1 with 1000.
    const written = writes.filter((w) => w.restoreid === restoreid);
    expect(written.map((w) => w.status).filter((s, i, all) => s !== all[i - 1])).toEqual([700, 800, 1000]);
    expect(written.map((w) => w.progress)).toEqual(written.map((w) => w.progress).sort((a, b) => a - b));
    expect(written.at(-1)).toMatchObject({ status: 1000, progress: 1 });

    expect(await service.getStatus(restoreid)).toEqual({ status: 1000, progress: 1 });
    const detail = await service.getRestore(restoreid);
    expect(detail).toMatchObject({
      courseid,
      categoryid: 1,
      userid: 2,
      error: null,
      stage: 'commit',
      settings: expect.objectContaining({ users: 1 }),
    });
    expect(detail.source).toMatch(/^draft:5\/\d+\/backup\.mbz$/);
    expect(detail.timestarted).toBeGreaterThanOrEqual(detail.timecreated);
    expect(detail.timefinished).toBeGreaterThanOrEqual(detail.timestarted!);
    expect(await storage.select('course', { id: courseid })).toHaveLength(1);
    expect(await storage.count('user')).toBeGreaterThan(2);
    expect(service.queueState()).toMatchObject({ running: [], queued: [] });
    if (storage.capabilities.durable) {
      expect(await storage.select('backup_controllers', { backupid: restoreid })).toEqual([
        expect.objectContaining({
          operation: 'restore',
          status: 1000,
          progress: 1,
          itemid: courseid,
          userid: 2,
          purpose: 70,
        }),
      ]);
    }
  });

  it('ends 900 with backup.blob-mismatch for a backup whose blob is damaged, keeping nothing of it', async () => {
    const { service, events } = await start();
    const localfile = await upload(service, await withDamagedBlob());
    const before = withoutJobs(await dumpStore(storage));
    const failed = nextEvent(service, 'failed');
    const { restoreid } = await service.restoreAsync({ categoryid: 1, localfile });
    expect((await failed).error.code).toBe('backup.blob-mismatch');
    expect(await service.getStatus(restoreid)).toMatchObject({ status: 900 });
    expect((await service.getRestore(restoreid)).error).toMatchObject({
      code: 'backup.blob-mismatch',
      message: expect.stringContaining('damaged'),
    });
    expect(
      eventsOf(events, restoreid)
        .map((e) => e.name)
        .filter((n) => n !== 'progress'),
    ).toEqual(['queued', 'started', 'failed']);
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
    expect((await storage.listJobs()).map((j) => [j.restoreid, j.status])).toEqual([[restoreid, 900]]);
  });

  it('ends 900 with archive.truncated for an archive cut after its manifest, keeping nothing of it', async () => {
    const { service } = await start();
    const before = withoutJobs(await dumpStore(storage));
    const failed = nextEvent(service, 'failed');
    const { restoreid } = await service.restoreFile(await truncatedAfterManifest());
    expect((await failed).error.code).toBe('archive.truncated');
    expect(await service.getRestore(restoreid)).toMatchObject({
      status: 900,
      courseid: null,
      error: { code: 'archive.truncated' },
    });
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
  });

  it('takes workers: true only for a worker-safe store', async () => {
    const { service: first } = await start();
    await first.close();
    const asked = createRestoreService({ storage, workers: true });
    if (storage.capabilities.workerSafe) await (await asked).close();
    else await expect(asked).rejects.toMatchObject({ code: 'input.invalid-argument' });
  });

  it('runs onAccepted with the new id before the job exists; a hook that throws fails the request and records nothing', async () => {
    const tempDir = testTempDir('accept-');
    const { service } = await start({ tempDir });
    const xs = await generated('xs');
    const seen: unknown[] = [];
    const onAccepted = async (id: string) => {
      seen.push({ id, stored: await storage.getJob(id), queue: service.queueState() });
    };
    const { restoreid } = await service.restoreFile(xs, {}, {}, { onAccepted });
    expect(seen).toEqual([
      { id: restoreid, stored: undefined, queue: expect.objectContaining({ running: [], queued: [] }) },
    ]);
    await service.onIdle();
    expect(await service.getStatus(restoreid)).toEqual({ status: 1000, progress: 1 });

    const refused = new Error('the owner could not be recorded');
    const localfile = await upload(service, xs);
    const failing = { onAccepted: () => Promise.reject(refused) };
    await expect(service.restoreAsync({ categoryid: 1, localfile }, {}, failing)).rejects.toBe(refused);
    await expect(service.restoreFile(xs, {}, {}, failing)).rejects.toBe(refused);
    expect((await storage.listJobs()).map((j) => j.restoreid)).toEqual([restoreid]);
    expect(readdirSync(join(tempDir, 'mbz-restore-jobs'))).toEqual([]);
  });

  it("refuses what it cannot run with Moodle's error codes, and records no job", async () => {
    const { service } = await start();
    const good = await upload(service, await generated('xs'));
    const text = join(cacheDir, 'not-a-backup.txt');
    writeFileSync(text, 'just some text\n');
    const notBackup = await upload(service, text);
    const halfBackup = await upload(service, await truncatedInHalf());
    const cases: Array<[string, () => Promise<unknown>, string, string]> = [
      [
        'no such category',
        () => service.restoreAsync({ categoryid: 999, localfile: good }),
        'service.category-not-found',
        'invalidrecord',
      ],
      [
        'category 0',
        () => service.restoreAsync({ categoryid: 0, localfile: good }),
        'input.invalid-argument',
        'invalidparameter',
      ],
      [
        'no such draft file',
        () => service.restoreAsync({ categoryid: 1, localfile: { contextid: good.contextid, itemid: 4242 } }),
        'service.draft-file-not-found',
        'filenotfound',
      ],
      [
        'localfile missing',
        () => service.restoreAsync({ categoryid: 1 } as never),
        'input.invalid-argument',
        'invalidparameter',
      ],
      [
        'not a backup',
        () => service.restoreAsync({ categoryid: 1, localfile: notBackup }),
        'archive.unknown-format',
        'errorinvalidformat',
      ],
      [
        'truncated before its manifest',
        () => service.restoreAsync({ categoryid: 1, localfile: halfBackup }),
        'archive.truncated',
        'errorinvalidformat',
      ],
      [
        'bad option value',
        () => service.restoreAsync({ categoryid: 1, localfile: good, options: [{ name: 'users', value: 7 }] }),
        'input.invalid-argument',
        'invalidextparam',
      ],
      [
        'unknown option',
        () => service.restoreAsync({ categoryid: 1, localfile: good, options: [{ name: 'nosuch', value: 1 }] }),
        'input.invalid-argument',
        'invalidextparam',
      ],
      ['missing file', () => service.restoreFile(join(cacheDir, 'absent.mbz')), 'archive.not-found', 'filenotfound'],
      ['malformed restore id', () => service.getStatus('not-an-id'), 'input.invalid-argument', 'invalidparameter'],
      ['unknown restore id', () => service.getStatus('0'.repeat(32)), 'service.restore-not-found', 'invalidrecord'],
    ];
    for (const [label, call, code, moodle] of cases) {
      const error = await errorOf(call);
      expect(error, label).toBeInstanceOf(RestoreServiceError);
      expect({ label, code: (error as RestoreServiceError).code, moodle: moodleErrorcodeOf(error) }).toEqual({
        label,
        code,
        moodle,
      });
    }
    expect(await storage.listJobs()).toEqual([]);
  });
});
