/**
 * The storage contract, run against the PostgreSQL adapter on a real server (DATABASE_URL, or the run's private
 * cluster): each store is a new database cloned from a template this file migrates and seeds once.
 */
import { describeJobStore, describeStorageAdapter } from '@mbz-restore/storage-contract';
import { databaseFactory } from '@mbz-restore/test-support/postgres';
import { createPostgresStorage } from '../src/index.ts';

const newDatabase = databaseFactory(async (connectionString) => {
  const store = createPostgresStorage({ connectionString });
  await store.open();
  await store.close();
});

describeStorageAdapter('postgres', async () => createPostgresStorage({ connectionString: await newDatabase() }));
describeJobStore('postgres', async () => createPostgresStorage({ connectionString: await newDatabase() }));
