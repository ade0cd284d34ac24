/**
 * Jobs are never left stuck: a restore whose process is killed mid-way is reported 900 `interrupted` by the
 * next process that opens the store, and the store holds no part of its course; a job whose owner stopped
 * proving it is alive (heartbeat older than the lease) is ended the same way; a live owner's job is left
 * alone; closing the service ends what it still held, and a second, impatient close stops what the first
 * one waited for.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type RestoreJobRecord } from '@mbz-restore/engine';
import { createRestoreService } from '@mbz-restore/service';
import { dumpStore, jobRecord } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { repoRoot } from '@mbz-restore/test-support/shared';
import { generated } from '@mbz-restore/test-support/backups';
import { ADAPTERS, nextEvent, withoutJobs } from './support/stores.ts';
import { testTempDir } from '@mbz-restore/test-support/temp';

describe('a restore whose process is killed', () => {
  it('is reported 900 interrupted by the next process opening the store, which holds no part of its course', async () => {
    const db = join(testTempDir('crash-'), 'store.sqlite');
    const backup = await generated('s');
    const fresh = createSqliteStorage({ path: db });
    await fresh.open();
    const before = withoutJobs(await dumpStore(fresh));
    await fresh.close();

    // One process (node with tsx's loader, not the tsx command, which would run the script in a second one).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'packages', 'service', 'test', 'support', 'crash-child.ts'), db, backup],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let restoreid = '';
    let killedAt = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as { restoreid: string; progress?: number; stage?: string };
      restoreid = event.restoreid;
      if (event.progress !== undefined && event.progress >= 0.3 && event.stage !== 'commit') {
        killedAt = event.progress;
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThanOrEqual(0.3);

    const storage = createSqliteStorage({ path: db });
    try {
      // As the dead process left it: running, owned by a process that no longer exists.
      const left = (await storage.getJob(restoreid))!;
      expect(left).toMatchObject({ status: 800, owner: expect.stringMatching(/^\d+@/) });
      expect(left.progress).toBeGreaterThan(0);
      const service = await createRestoreService({ storage });
      const detail = await service.getRestore(restoreid);
      expect(detail).toMatchObject({
        status: 900,
        courseid: null,
        error: { code: 'interrupted', message: expect.stringContaining('stopped while running') },
      });
      expect(detail.progress).toBe(left.progress);
      expect(await storage.getJob(restoreid)).toEqual(detail);
      expect(withoutJobs(await dumpStore(storage))).toEqual(before);
      expect(readdirSync(`${db}.staging`)).toEqual([]);
      await service.close();
    } finally {
      await storage.close();
    }
  });
});

describe.each(ADAPTERS)('jobs of other processes on %s', (_name, createStorage) => {
  const owner = '4242@another-host.example/0a0b0c0d';
  const job = (id: string, created: number, status: 700 | 800, heartbeat: number): RestoreJobRecord =>
    jobRecord(id.repeat(32), created, { status, heartbeat, owner, timestarted: status === 800 ? created : null });

  it('ends jobs whose owner stopped beating 900 interrupted, at start-up and when read; leaves live ones alone', async () => {
    const storage = createStorage();
    await storage.open();
    const now = Date.now();
    await storage.putJob(
      jobRecord('d'.repeat(32), now - 90_000, { status: 1000, progress: 1, owner, heartbeat: now - 90_000 }),
    );
    await storage.putJob(job('a', now - 80_000, 800, now - 60_000));
    await storage.putJob(job('b', now - 70_000, 700, now - 60_000));
    await storage.putJob(job('c', now - 50_000, 800, now + 60_000));
    const service = await createRestoreService({ storage, leaseMs: 5000 });
    try {
      const jobs = new Map((await storage.listJobs()).map((j) => [j.restoreid[0], j]));
      expect(jobs.get('a')).toMatchObject({
        status: 900,
        error: { code: ErrorCode.Interrupted, message: expect.stringContaining('while running') },
      });
      expect(jobs.get('b')).toMatchObject({
        status: 900,
        error: { code: ErrorCode.Interrupted, message: expect.stringContaining('before it started') },
      });
      expect(jobs.get('c')).toMatchObject({ status: 800, error: null });
      expect(jobs.get('d')).toMatchObject({ status: 1000, error: null });

      // A job that goes quiet after start-up is ended by the next read.
      await storage.putJob(job('e', now - 40_000, 800, now - 60_000));
      expect(await service.getStatus('e'.repeat(32))).toEqual({ status: 900, progress: 0 });
      expect(await storage.getJob('e'.repeat(32))).toMatchObject({ status: 900, error: { code: 'interrupted' } });
      expect((await service.listRestores()).map((j) => [j.restoreid[0], j.status])).toEqual([
        ['e', 900],
        ['c', 800],
        ['b', 900],
        ['a', 900],
        ['d', 1000],
      ]);
    } finally {
      await service.close();
      await storage.close();
    }
  });
});

describe('closing the service', () => {
  it('ends a running and a queued restore 900 interrupted and keeps nothing of them', async () => {
    const storage = createMemoryStorage();
    const service = await createRestoreService({ storage, concurrency: 1, progressIntervalMs: 0 });
    const before = withoutJobs(await dumpStore(storage));
    const running = nextEvent(service, 'progress', (e) => e.progress > 0);
    const first = await service.restoreFile(await generated('s'));
    const second = await service.restoreFile(await generated('xs'));
    await running;
    await service.close();
    for (const { restoreid } of [first, second])
      expect(await storage.getJob(restoreid)).toMatchObject({ status: 900, error: { code: 'interrupted' } });
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
    await expect(service.restoreFile(await generated('xs'))).rejects.toMatchObject({
      code: 'service.closed',
      moodleErrorcode: 'servicenotavailable',
    });
    await storage.close();
  });

  it.each(ADAPTERS)(
    'on %s, close() during close({ wait: true }) interrupts the running restore: both resolve once it rolled back',
    async (_name, createStorage) => {
      const storage = createStorage();
      const service = await createRestoreService({ storage, concurrency: 1, progressIntervalMs: 0 });
      const before = withoutJobs(await dumpStore(storage));
      const running = nextEvent(service, 'progress', (e) => e.progress > 0);
      const first = await service.restoreFile(await generated('s'), { options: { users: 1 } });
      const second = await service.restoreFile(await generated('xs'));
      await running;
      const graceful = service.close({ wait: true });
      const forced = service.close({ wait: false });
      await Promise.all([graceful, forced]);
      expect(await storage.getJob(first.restoreid)).toMatchObject({
        status: 900,
        courseid: null,
        error: { code: 'interrupted', message: expect.stringContaining('while this restore ran') },
      });
      expect(await storage.getJob(second.restoreid)).toMatchObject({
        status: 900,
        error: { code: 'interrupted', message: expect.stringContaining('before this restore started') },
      });
      expect(withoutJobs(await dumpStore(storage))).toEqual(before);
      await storage.close();
    },
  );

  it('with { wait: true }, lets the running restore finish', async () => {
    const storage = createMemoryStorage();
    const service = await createRestoreService({ storage, concurrency: 1 });
    const started = nextEvent(service, 'started');
    const first = await service.restoreFile(await generated('xs'));
    const second = await service.restoreFile(await generated('xs'));
    await started;
    await service.close({ wait: true });
    expect(await storage.getJob(first.restoreid)).toMatchObject({ status: 1000 });
    expect(await storage.getJob(second.restoreid)).toMatchObject({
      status: 900,
      error: { code: 'interrupted', message: expect.stringContaining('before this restore started') },
    });
    await storage.close();
  });
});
