/** What the job commands (`status`, `jobs`, `restore --detach`) share: opening a store's restore service. */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type StorageAdapter, type JobStore } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';

/** An opened store and its restore service (which ends jobs of dead processes as it starts). */
export interface OpenedJobStore {
  readonly storage: StorageAdapter & JobStore;
  readonly service: RestoreService;
  close(): Promise<void>;
}

/**
 * Opens the restore service of a SQLite store; `input.invalid-argument` when there is none at `db`, unless
 * `create` (then a new store is made, as `mbz restore` does).
 */
export async function openJobStore(db: string, options: { create?: boolean } = {}): Promise<OpenedJobStore> {
  if (!options.create && !existsSync(db))
    throw new InvalidArgumentError(`There is no store at ${db}; give the --db the restore used.`);
  const storage = createSqliteStorage({ path: db });
  try {
    const service = await createRestoreService({ storage });
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
