/**
 * Cancelling a restore in each state, on both adapters: a queued restore never starts; a running one stops
 * and rolls back, leaving the store as it was; a finished one stays as it ended. The service's queue runs
 * first in, first out, with its state visible.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { dumpStore } from '@mbz-restore/storage-contract';
import { generated } from '@mbz-restore/test-support/backups';
import { ADAPTERS, eventsOf, nextEvent, recordEvents, withoutJobs } from './support/stores.ts';

describe.each(ADAPTERS)('cancelling restores on %s', (_name, createStorage) => {
  let storage: StorageAdapter & JobStore;
  let service: RestoreService;
  afterEach(async () => {
    await service.close();
    await storage.close();
  });

  async function start(concurrency: number) {
    storage = createStorage();
    service = await createRestoreService({ storage, concurrency, progressIntervalMs: 0 });
    return recordEvents(service);
  }

  it('cancels a queued restore: it never starts, and the queue moves on first in, first out', async () => {
    const events = await start(1);
    const [s, xs] = [await generated('s'), await generated('xs')];
    const first = await service.restoreFile(s);
    const second = await service.restoreFile(xs);
    const third = await service.restoreFile(xs);
    expect(service.queueState()).toEqual({
      concurrency: 1,
      running: [first.restoreid],
      queued: [second.restoreid, third.restoreid],
    });
    expect(await service.getStatus(second.restoreid)).toEqual({ status: 700, progress: 0 });

    expect(await service.cancel(second.restoreid)).toBe(true);
    expect(service.queueState().queued).toEqual([third.restoreid]);
    expect(await service.getStatus(second.restoreid)).toEqual({ status: 900, progress: 0 });
    expect(await service.getRestore(second.restoreid)).toMatchObject({
      error: { code: 'cancelled' },
      timestarted: null,
    });

    await service.onIdle();
    expect(eventsOf(events, second.restoreid).map((e) => e.name)).toEqual(['queued', 'cancelled']);
    expect(events.filter((e) => e.name === 'started').map((e) => e.restoreid)).toEqual([
      first.restoreid,
      third.restoreid,
    ]);
    expect((await service.getStatus(first.restoreid)).status).toBe(1000);
    expect((await service.getStatus(third.restoreid)).status).toBe(1000);
  });

  it('cancels a running restore: it stops and rolls back, leaving the store as it was', async () => {
    const events = await start(2);
    const before = withoutJobs(await dumpStore(storage));
    const running = nextEvent(service, 'progress', (e) => e.progress > 0);
    const { restoreid } = await service.restoreFile(await generated('s'), { options: { users: 1 } });
    await running;
    expect(service.queueState().running).toEqual([restoreid]);

    expect(await service.cancel(restoreid)).toBe(true);
    const detail = await service.getRestore(restoreid);
    expect(detail).toMatchObject({ status: 900, courseid: null, error: { code: 'cancelled' } });
    expect(detail.progress).toBeLessThan(1);
    expect(
      eventsOf(events, restoreid)
        .map((e) => e.name)
        .filter((n) => n !== 'progress'),
    ).toEqual(['queued', 'started', 'cancelled']);
    expect(service.queueState()).toMatchObject({ running: [], queued: [] });
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);
  });

  it('leaves a finished restore as it ended', async () => {
    await start(1);
    const completed = nextEvent(service, 'completed');
    const { restoreid } = await service.restoreFile(await generated('xs'));
    await completed;
    expect(await service.cancel(restoreid)).toBe(false);
    expect(await service.getStatus(restoreid)).toEqual({ status: 1000, progress: 1 });
  });
});
