/** What the job commands (`status`, `jobs`, `restore --detach`) share: opening a store's restore service. */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type StorageAdapter, type JobStore } from '@mbz-restore/engine';
import type { JobQueue, RestoreService } from '@mbz-restore/service';
import { createStore, type StoreChoice } from './store-option.ts';

/** An opened store and its restore service (which ends jobs of dead processes as it starts). */
export interface OpenedJobStore {
  readonly storage: StorageAdapter & JobStore;
  readonly service: RestoreService;
  close(): Promise<void>;
}

/**
 * Opens the restore service of a store; for SQLite, `input.invalid-argument` when there is none at its path, unless
 * `create` (then a new store is made, as `mbz restore` does). A PostgreSQL store's jobs wait in its pg-boss queue: the
 * service here only enqueues and reads (`workers` 0 by default), restores run on `mbz worker` or `mbz serve`.
 */
export async function openJobStore(
  choice: StoreChoice,
  options: { create?: boolean; workers?: number } = {},
): Promise<OpenedJobStore> {
  if (choice.kind === 'sqlite' && !options.create && !existsSync(choice.path))
    throw new InvalidArgumentError(`There is no store at ${choice.path}; give the --db the restore used.`);
  const storage = await createStore(choice);
  try {
    const { createRestoreService } = await import('@mbz-restore/service');
    const queue = choice.kind === 'postgres' ? await pgQueue(choice.url, options.workers ?? 0) : undefined;
    const service = await createRestoreService({ storage, ...(queue ? { queue } : {}) });
    return {
      storage,
      service,
      async close() {
        await service.close({ wait: true });
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
}

/** The pg-boss queue of a PostgreSQL store, taking `workers` jobs at once in this process (0: none). */
export async function pgQueue(url: string, workers: number): Promise<JobQueue> {
  const { createPgBossQueue } = await import('@mbz-restore/service/pg-boss');
  return createPgBossQueue({ connectionString: url, concurrency: workers });
}
