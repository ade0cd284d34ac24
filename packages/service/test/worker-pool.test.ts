/**
 * The service's pool of restore worker threads, on SQLite (`workers: true`): restores run one after another
 * on the same thread instead of a new thread each; never more threads than the concurrency; a cancel stops a
 * restore through a message, it rolls back and the thread runs the next one; a thread that crashes, or that
 * does not stop a cancelled restore in time and is terminated, is replaced by a fresh one and the store's
 * recovery discards what it left; a free thread is ended after `workerIdleMs`, and one that a restore left
 * holding more than `workerMemory.recycleAboveMb` at once; `close()` ends every thread
 * before it resolves. Threads are counted through the service's `workerStarted`/`workerExited` events and the
 * `threadId` of `started`.
 */
import { writeFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel, threadId as mainThreadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import {
  createRestoreService,
  type RestoreService,
  type RestoreServiceEvents,
  type RestoreServiceOptions,
} from '@mbz-restore/service';
import { dumpStore } from '@mbz-restore/storage-contract';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { generated } from '@mbz-restore/test-support/backups';
import { createFaultyWorkerStorage, HANG_CHANNEL } from './support/faulty-worker-storage.ts';
import { nextEvent, withoutJobs } from './support/stores.ts';

type Lifecycle = { name: 'workerStarted' | 'workerExited' } & Partial<
  Parameters<RestoreServiceEvents['workerExited']>[0]
>;

let storage: (StorageAdapter & JobStore) | undefined;
let service: RestoreService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.close();
  await storage?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  service = storage = dir = undefined;
});

async function start(options: Partial<RestoreServiceOptions> & { fault?: 'crash' | 'hang' } = {}) {
  dir = await mkdtemp(join(tmpdir(), 'mbz-pool-'));
  const path = join(dir, 'store.sqlite');
  const flag = join(dir, 'misbehave');
  const { fault, ...rest } = options;
  storage = fault ? createFaultyWorkerStorage({ path, flag, fault }) : createSqliteStorage({ path });
  service = await createRestoreService({ storage, workers: true, concurrency: 2, progressIntervalMs: 0, ...rest });
  const threads: Lifecycle[] = [];
  service.on('workerStarted', (e) => threads.push({ name: 'workerStarted', ...e }));
  service.on('workerExited', (e) => threads.push({ name: 'workerExited', ...e }));
  return { service, storage, threads, path, misbehaveNext: () => writeFileSync(flag, '') };
}

/** Restores `backup` and waits for its end; answers its thread and final record. */
async function restoreOnce(svc: RestoreService, backup: string) {
  const started = nextEvent(svc, 'started');
  const { restoreid } = await svc.restoreFile(backup);
  const { threadId } = await started;
  await svc.onIdle();
  return { restoreid, threadId, job: await svc.getRestore(restoreid) };
}

describe('restore worker pool', () => {
  it('runs restores one after another on one thread, and never more threads than the concurrency', async () => {
    const { service, threads } = await start();
    const xs = await generated('xs');
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await restoreOnce(service, xs));
    expect(runs.map((r) => r.job.status)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(new Set(runs.map((r) => r.threadId)).size).toBe(1);
    expect(runs[0]!.threadId).not.toBe(mainThreadId);
    expect(threads).toEqual([{ name: 'workerStarted', threadId: runs[0]!.threadId }]);

    // Five at once with a concurrency of 2: at most two threads, the free one reused.
    const seen = new Set<number>();
    service.on('started', (e) => seen.add(e.threadId));
    const ids = await Promise.all(Array.from({ length: 5 }, () => service.restoreFile(xs)));
    await service.onIdle();
    for (const { restoreid } of ids) expect((await service.getStatus(restoreid)).status).toBe(1000);
    expect(threads.filter((t) => t.name === 'workerStarted').length).toBeLessThanOrEqual(2);
    expect(threads.filter((t) => t.name === 'workerExited')).toEqual([]);
    expect(seen.size).toBeLessThanOrEqual(2);
  });

  it("bounds each thread's heap: a thread out of memory fails its restore and keeps nothing", async () => {
    // A heap far too small for any restore proves the limits reach the thread and that running out is survivable.
    const { service, storage, threads } = await start({
      workerMemory: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    });
    const before = withoutJobs(await dumpStore(storage));
    const { restoreid } = await service.restoreFile(await generated('s'));
    await service.onIdle();
    const job = await service.getRestore(restoreid);
    expect(job.status).toBe(900);
    expect(threads.some((t) => t.name === 'workerExited' && t.reason === 'crashed')).toBe(true);
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
    await expect(
      createRestoreService({ storage, workers: true, workerMemory: { maxOldGenerationSizeMb: 0 } }),
    ).rejects.toMatchObject({ code: 'input.invalid-argument' });
  });

  it('cancels through a message: the restore rolls back and the same thread runs the next one', async () => {
    const { service, storage, threads } = await start();
    await restoreOnce(service, await generated('xs'));
    const before = withoutJobs(await dumpStore(storage));
    const running = nextEvent(service, 'progress', (e) => e.progress > 0);
    const started = nextEvent(service, 'started');
    const { restoreid } = await service.restoreFile(await generated('s'), { options: { users: 1 } });
    const { threadId } = await started;
    await running;
    expect(await service.cancel(restoreid)).toBe(true);
    expect(await service.getRestore(restoreid)).toMatchObject({
      status: 900,
      courseid: null,
      error: { code: 'cancelled' },
    });
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
    const next = await restoreOnce(service, await generated('xs'));
    expect(next).toMatchObject({ threadId, job: { status: 1000 } });
    expect(threads.map((t) => t.name)).toEqual(['workerStarted']);
  });

  it('replaces a thread that crashed: its restore fails, the next one runs on a fresh thread', async () => {
    const { service, storage, threads, path, misbehaveNext } = await start({ fault: 'crash' });
    const xs = await generated('xs');
    const before = withoutJobs(await dumpStore(storage));
    misbehaveNext();
    const crashed = await restoreOnce(service, xs);
    expect(crashed.job).toMatchObject({
      status: 900,
      courseid: null,
      error: { code: 'internal', message: expect.stringContaining('injected crash') },
    });
    expect(crashed.job.error!.message).toContain('worker thread ended unexpectedly');
    expect(threads).toEqual([
      { name: 'workerStarted', threadId: crashed.threadId },
      { name: 'workerExited', threadId: crashed.threadId, exitCode: 1, reason: 'crashed' },
    ]);
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);

    const fresh = await restoreOnce(service, xs);
    const again = await restoreOnce(service, xs);
    expect(fresh.job.status).toBe(1000);
    expect(fresh.threadId).not.toBe(crashed.threadId);
    expect(again).toMatchObject({ threadId: fresh.threadId, job: { status: 1000 } });
    // The fresh thread's store handle recovered what the crashed one left.
    expect(readdirSync(`${path}.staging`)).toEqual([]);
  });

  it('terminates a thread that does not stop a cancelled restore in time, and replaces it', async () => {
    const { service, storage, threads, path, misbehaveNext } = await start({ fault: 'hang', cancelTimeoutMs: 200 });
    const courses = await storage.count('course');
    misbehaveNext();
    const channel = new BroadcastChannel(HANG_CHANNEL);
    const hung = new Promise((resolve) => (channel.onmessage = resolve));
    const started = nextEvent(service, 'started');
    const { restoreid } = await service.restoreFile(await generated('xs'));
    const { threadId } = await started;
    await hung;
    channel.close();
    expect(await service.cancel(restoreid)).toBe(true);
    expect(await service.getRestore(restoreid)).toMatchObject({ status: 900, error: { code: 'cancelled' } });
    expect(threads.at(-1)).toEqual({ name: 'workerExited', threadId, exitCode: 1, reason: 'terminated' });

    const next = await restoreOnce(service, await generated('xs'));
    expect(next.job.status).toBe(1000);
    expect(next.threadId).not.toBe(threadId);
    expect(readdirSync(`${path}.staging`)).toEqual([]);
    expect(await storage.count('course')).toBe(courses + 1);
  });

  it('ends a thread free for workerIdleMs; the next restore starts a fresh one', async () => {
    const { service, threads } = await start({ workerIdleMs: 20 });
    const first = await restoreOnce(service, await generated('xs'));
    if (!threads.some((t) => t.name === 'workerExited')) await nextEvent(service, 'workerExited');
    expect(threads.at(-1)).toEqual({ name: 'workerExited', threadId: first.threadId, exitCode: 0, reason: 'idle' });
    const second = await restoreOnce(service, await generated('xs'));
    expect(second.job.status).toBe(1000);
    expect(second.threadId).not.toBe(first.threadId);
  });

  it('ends a thread that holds more than workerMemory.recycleAboveMb once its restore has ended; the next restore starts a fresh one', async () => {
    // Every thread holds more than 1 MB (its heap alone), so each is ended after its restore. The default keeps
    // threads that small restores leave (the first test: five xs restores on one thread).
    const { service, storage, threads } = await start({ workerMemory: { recycleAboveMb: 1 } });
    const xs = await generated('xs');
    const first = await restoreOnce(service, xs);
    // The restore settles only once its thread has ended, so the next never runs beside a heap being given back.
    expect(threads.at(-1)).toEqual({ name: 'workerExited', threadId: first.threadId, exitCode: 0, reason: 'recycled' });
    const second = await restoreOnce(service, xs);
    expect([first.job.status, second.job.status]).toEqual([1000, 1000]);
    expect(second.threadId).not.toBe(first.threadId);
    expect(await storage.count('course')).toBe(3); // the site course and two restored
    await expect(
      createRestoreService({ storage, workers: true, workerMemory: { recycleAboveMb: 0 } }),
    ).rejects.toMatchObject({ code: 'input.invalid-argument' });
  });

  it('close() ends every thread before it resolves', async () => {
    const { service, threads } = await start();
    const xs = await generated('xs');
    await Promise.all([service.restoreFile(xs), service.restoreFile(xs)]);
    await service.onIdle();
    const startedIds = threads.filter((t) => t.name === 'workerStarted').map((t) => t.threadId);
    expect(startedIds.length).toBeGreaterThan(0);
    await service.close();
    const exited = threads.filter((t) => t.name === 'workerExited');
    expect(exited.map((t) => t.threadId).sort()).toEqual([...startedIds].sort());
    expect(exited.every((t) => t.reason === 'closed' && t.exitCode === 0)).toBe(true);
  });
});
