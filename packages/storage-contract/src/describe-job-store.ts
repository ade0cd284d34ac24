/**
 * The contract of a `JobStore` (where the restore service keeps its job records), as a function that registers
 * vitest tests: `describeJobStore('sqlite', () => createSqliteStorage(…))`, beside `describeStorageAdapter()` for an
 * adapter that is both. Each test gets a new store on a new, empty store from `createStore`, opened when it has an
 * `open()` and closed after the test when it has a `close()`. Tests that need units of work (a store that is also a
 * `StorageAdapter`) or `close()` are skipped for a store without them.
 */
import { afterEach, describe } from 'vitest';
import type { ContractJobStore, JobStoreContext } from './support.ts';
import { jobTests } from './tests/jobs.ts';

/** Registers the job store contract tests for one store. `createStore` must return a store on a new, empty store. */
export function describeJobStore(name: string, createStore: () => Promise<ContractJobStore>): void {
  describe(`job store contract: ${name}`, () => {
    const created: ContractJobStore[] = [];
    const ctx: JobStoreContext = {
      async create() {
        const store = await createStore();
        created.push(store);
        await store.open?.();
        return store;
      },
    };
    afterEach(async () => {
      for (const store of created.splice(0)) await store.close?.();
    });
    describe('jobs', () => jobTests(ctx));
  });
}
