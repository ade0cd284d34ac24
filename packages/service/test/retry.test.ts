/**
 * The job executor with a queue that retries (a durable test queue standing in for pg-boss, `support/fake-queue.ts`;
 * the local queue never retries, its jobs die with their process): a job whose worker died goes back to 700 and runs
 * again on the next worker (700 → 800 → 700 → 800 → 1000); once its retries are used up it ends 900 `interrupted`; a
 * worker handed a retry nobody recovered takes it over from the dead worker; a job another live worker runs is not
 * run twice; a worker whose job was taken back for a retry stops at its next write and keeps nothing. And the front
 * end on a durable queue: a 700 record without owner that no lease applies to, cancelled by taking it back from the
 * queue. The front end and the executor are the real ones; only the queue is the test's.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore, RestoreJobRecord, StorageAdapter } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { dumpStore } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { generated } from '@mbz-restore/test-support/backups';
import { testTempDir } from '@mbz-restore/test-support/temp';
import { FakeDurableQueue } from './support/fake-queue.ts';
import { eventsOf, nextEvent, recordEvents, recordingJobs, withoutJobs } from './support/stores.ts';

let storage: (StorageAdapter & JobStore) | undefined;
const services: RestoreService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await storage?.close();
  storage = undefined;
});

async function start(retryLimit?: number) {
  const recorder = recordingJobs(createMemoryStorage());
  storage = recorder.storage;
  const queue = new FakeDurableQueue(retryLimit);
  const tempDir = testTempDir('retry-');
  const service = await createRestoreService({ storage, queue, tempDir, progressIntervalMs: 0 });
  services.push(service);
  return { storage, service, queue, tempDir, writes: recorder.writes, events: recordEvents(service) };
}

/** The statuses written for one job, in order, repeats folded. */
function statuses(writes: readonly RestoreJobRecord[], restoreid: string): number[] {
  return writes
    .filter((w) => w.restoreid === restoreid)
    .map((w) => w.status)
    .filter((status, i, all) => status !== all[i - 1]);
}

async function restoreDraft(service: RestoreService) {
  const draft = await service.saveDraftFile(await generated('xs'), { filename: 'course.mbz' });
  return service.restoreAsync({ categoryid: 1, localfile: { contextid: draft.contextid, itemid: draft.itemid } });
}

const mine = expect.stringMatching(new RegExp(`^${process.pid}@`));

describe('a job whose worker died, on a queue that retries', () => {
  it('goes back to 700 while it waits for its retry, and runs again: 700 → 800 → 700 → 800 → 1000', async () => {
    const { storage, service, queue, tempDir, writes, events } = await start();
    const { restoreid } = await restoreDraft(service);
    const backup = join(tempDir, 'mbz-restore-jobs', `${restoreid}.backup`);
    expect(service.queueState()).toEqual({ concurrency: 1, running: [], queued: [restoreid] });

    await queue.handOutToDeadWorker(restoreid, storage);
    // Whoever reads the job next finds its worker gone; the queue will hand it out again: back to 700, progress kept.
    expect(await service.getStatus(restoreid)).toEqual({ status: 700, progress: 0.3 });
    expect(await storage.getJob(restoreid)).toMatchObject({
      status: 700,
      owner: null,
      heartbeat: null,
      timestarted: null,
      error: null,
    });
    expect(existsSync(backup)).toBe(true); // the next attempt reads it

    const completed = nextEvent(service, 'completed');
    await queue.handOut(restoreid);
    const { courseid } = await completed;
    expect(await service.getRestore(restoreid)).toMatchObject({ status: 1000, progress: 1, courseid, owner: mine });
    expect(statuses(writes, restoreid)).toEqual([700, 800, 700, 800, 1000]);
    const progress = writes.filter((w) => w.restoreid === restoreid).map((w) => w.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(
      eventsOf(events, restoreid)
        .map((e) => e.name)
        .filter((name) => name !== 'progress'),
    ).toEqual(['queued', 'started', 'completed']);
    expect(queue.entries.get(restoreid)).toMatchObject({ state: 'completed', attempts: 2 });
    await service.onIdle(); // the job's files go once its record has ended
    expect(existsSync(backup)).toBe(false);
  });

  it('ends 900 interrupted once its retries are used up (three attempts with a retry limit of 2)', async () => {
    const { storage, service, queue, tempDir, writes } = await start(2);
    const before = withoutJobs(await dumpStore(storage));
    const { restoreid } = await restoreDraft(service);
    for (let attempt = 1; attempt <= 2; attempt++) {
      await queue.handOutToDeadWorker(restoreid, storage);
      expect(await service.getStatus(restoreid)).toEqual({ status: 700, progress: 0.3 });
    }
    await queue.handOutToDeadWorker(restoreid, storage);
    expect(await service.getRestore(restoreid)).toMatchObject({
      status: 900,
      courseid: null,
      error: { code: 'interrupted', message: expect.stringContaining('will not run it again after 3 attempts') },
    });
    expect(statuses(writes, restoreid)).toEqual([700, 800, 700, 800, 700, 800, 900]);
    expect(queue.entries.get(restoreid)).toMatchObject({ state: 'failed', attempts: 3 });
    expect(existsSync(join(tempDir, 'mbz-restore-jobs', `${restoreid}.backup`))).toBe(false);
    // A draft file was stored for it; nothing of the restore was.
    const after = withoutJobs(await dumpStore(storage));
    expect(after.tables.course).toEqual(before.tables.course);
    expect((await service.listRestores()).map((j) => [j.restoreid, j.status])).toEqual([[restoreid, 900]]);
  });

  it('is taken over from the dead worker by the worker the queue hands its retry to, before anyone noticed', async () => {
    const { storage, service, queue, writes } = await start();
    const { restoreid } = await service.restoreFile(await generated('xs'));
    await queue.handOutToDeadWorker(restoreid, storage);
    // Nobody read the job; the queue's own expiry hands it out again, to this service's executor.
    queue.expire(restoreid);
    await queue.handOut(restoreid);
    expect(await storage.getJob(restoreid)).toMatchObject({ status: 1000, owner: mine });
    const owners = writes.filter((w) => w.restoreid === restoreid && w.status === 800).map((w) => w.owner);
    expect(new Set(owners)).toEqual(new Set([expect.stringMatching(/0badcafe$/), mine]));
    expect(statuses(writes, restoreid)).toEqual([700, 800, 1000]);
  });
});

describe('a worker of a queue that retries', () => {
  it('does not run a job another live worker runs', async () => {
    const { storage, service, queue, events } = await start();
    const { restoreid } = await service.restoreFile(await generated('xs'));
    const live = `${process.pid}@${hostname()}/feedf00d`;
    const stored = (await storage.getJob(restoreid))!;
    const now = Date.now();
    // A worker of another service of this process took the job (the queue handed it out, then again after an expiry).
    await storage.putJob({ ...stored, status: 800, owner: live, heartbeat: now, timestarted: now });
    await queue.handOut(restoreid);
    expect(await storage.getJob(restoreid)).toMatchObject({ status: 800, owner: live });
    expect(eventsOf(events, restoreid).map((e) => e.name)).toEqual(['queued']);
  });

  it('stops at its next write and keeps nothing when its job was taken back for a retry', async () => {
    const { storage, service, queue, events } = await start();
    const before = withoutJobs(await dumpStore(storage));
    const { restoreid } = await service.restoreFile(await generated('s'), { options: { users: 1 } });
    const running = nextEvent(service, 'progress', (e) => e.progress > 0);
    const run = queue.handOut(restoreid);
    await running;
    // Another process took this worker for dead and its queue will retry the job: its record is back at 700.
    const stored = (await storage.getJob(restoreid))!;
    const back = { ...stored, status: 700 as const, owner: null, heartbeat: null, timestarted: null };
    await storage.putJob(back);
    await run;
    expect(await storage.getJob(restoreid)).toEqual(back);
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
    const ended = eventsOf(events, restoreid).filter((e) => e.name !== 'progress');
    expect(ended.map((e) => e.name)).toEqual(['queued', 'started', 'failed']);
    expect(ended.at(-1)).toMatchObject({ error: { code: 'interrupted', message: expect.stringContaining('retry') } });
  });
});

describe('the front end on a durable queue', () => {
  it('records 700 without owner, which no lease applies to, and cancels a waiting job by taking it back', async () => {
    const { storage, service, queue } = await start();
    const { restoreid } = await service.restoreFile(await generated('xs'));
    expect(await storage.getJob(restoreid)).toMatchObject({ status: 700, owner: null, heartbeat: null });
    // Another front end with a lease of 0 ms leaves it waiting: it is the queue's, not a process's.
    const other = await createRestoreService({ storage, queue: new FakeDurableQueue(), leaseMs: 0 });
    services.push(other);
    expect(await other.getStatus(restoreid)).toEqual({ status: 700, progress: 0 });

    expect(await service.cancel(restoreid)).toBe(true);
    expect(await service.getRestore(restoreid)).toMatchObject({ status: 900, error: { code: 'cancelled' } });
    expect(queue.entries.get(restoreid)).toMatchObject({ state: 'withdrawn' });
    expect(service.queueState().queued).toEqual([]);
  });
});
