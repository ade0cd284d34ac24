/**
 * The contract every storage adapter must pass, as a function that registers vitest tests (after
 * unstorage's `testDriver()`): `describeStorageAdapter('sqlite', () => createSqliteStorage(…))`. Each test
 * gets new stores from `createAdapter`; they are closed after it. Tests only one adapter can pass go in
 * `extraTests`, which receives the same context. Job records are a contract of their own (`describeJobStore()`),
 * which an adapter that is also a job store registers beside this one.
 */
import type { StorageAdapter } from '@mbz-restore/engine';
import { afterEach, describe } from 'vitest';
import type { ContractContext } from './support.ts';
import { blobTests } from './tests/blobs.ts';
import { faultTests } from './tests/faults.ts';
import { rowTests } from './tests/rows.ts';
import { unitTests } from './tests/units.ts';

/** Options of {@link describeStorageAdapter}. */
export interface DescribeStorageAdapterOptions {
  /** Registers the adapter's own tests inside the same `describe`. Default is none. */
  readonly extraTests?: (ctx: ContractContext) => void;
}

/** Registers the storage contract tests for one adapter. `createAdapter` must return an adapter on a new, empty store. */
export function describeStorageAdapter(
  name: string,
  createAdapter: () => Promise<StorageAdapter>,
  options: DescribeStorageAdapterOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    const created: StorageAdapter[] = [];
    const ctx: ContractContext = {
      async create() {
        const adapter = await createAdapter();
        created.push(adapter);
        await adapter.open();
        return adapter;
      },
    };
    afterEach(async () => {
      for (const adapter of created.splice(0)) await adapter.close();
    });
    describe('rows', () => rowTests(ctx));
    describe('units of work', () => unitTests(ctx));
    describe('blobs', () => blobTests(ctx));
    describe('faults', () => faultTests(ctx));
    if (options.extraTests) describe('adapter-specific', () => options.extraTests!(ctx));
  });
}
