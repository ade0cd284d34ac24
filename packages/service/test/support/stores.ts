import { join } from 'node:path';
import type { RestoreJobRecord, StorageAdapter, JobStore } from '@mbz-restore/engine';
import type { RestoreService, RestoreServiceEvents } from '@mbz-restore/service';
import type { StoreDump } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { testTempDir } from '@mbz-restore/test-support/temp';

/** Both adapters, each making a new store: memory (restores on the calling thread) and SQLite (in worker threads). */
export const ADAPTERS: Array<[string, () => StorageAdapter & JobStore]> = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', () => createSqliteStorage({ path: join(testTempDir('service-'), 'store.sqlite') })],
];

/** `storage`, with every job record written through it kept in `writes` (in order) and its units of work counted. */
export function recordingJobs(storage: StorageAdapter & JobStore): {
  storage: StorageAdapter & JobStore;
  writes: RestoreJobRecord[];
  units: { begun: number };
} {
  const writes: RestoreJobRecord[] = [];
  const units = { begun: 0 };
  const proxy = new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'putJob') {
        return async (job: RestoreJobRecord) => {
          writes.push(job);
          return target.putJob(job);
        };
      }
      if (prop === 'begin') {
        return () => {
          units.begun += 1;
          return target.begin();
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage: proxy, writes, units };
}

/** Events about one restore (not about worker threads). */
export type RestoreEventName = Exclude<keyof RestoreServiceEvents, 'workerStarted' | 'workerExited'>;

/** One event of the service about a restore. */
export type ServiceEvent = {
  [K in RestoreEventName]: { name: K } & Parameters<RestoreServiceEvents[K]>[0];
}[RestoreEventName];

/** Every event about a restore `service` emits from now on, in order. */
export function recordEvents(service: RestoreService): ServiceEvent[] {
  const events: ServiceEvent[] = [];
  for (const name of ['queued', 'started', 'progress', 'completed', 'failed', 'cancelled'] as const) {
    service.on(name, (event: object) => events.push({ name, ...event } as ServiceEvent));
  }
  return events;
}

/** The events of one restore. */
export function eventsOf(events: readonly ServiceEvent[], restoreid: string): ServiceEvent[] {
  return events.filter((e) => e.restoreid === restoreid);
}

/** A store dump without job records (SQLite keeps them in backup_controllers): what a restore may change. */
export function withoutJobs(dump: StoreDump): Omit<StoreDump, 'jobs'> {
  const { backup_controllers: _jobs, ...tables } = dump.tables;
  return { tables, blobs: dump.blobs };
}

/** Resolves with the first event `name` of `service` that `match` accepts. */
export function nextEvent<K extends keyof RestoreServiceEvents>(
  service: RestoreService,
  name: K,
  match: (event: Parameters<RestoreServiceEvents[K]>[0]) => boolean = () => true,
): Promise<Parameters<RestoreServiceEvents[K]>[0]> {
  return new Promise((resolve) => {
    const listener = (event: Parameters<RestoreServiceEvents[K]>[0]) => {
      if (!match(event)) return;
      service.off(name, listener as never);
      resolve(event);
    };
    service.on(name, listener as never);
  });
}
