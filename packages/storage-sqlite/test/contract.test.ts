/** The storage and job store contracts, run against the SQLite adapter (a new store in a temp folder per test). */
import { describeJobStore, describeStorageAdapter } from '@mbz-restore/storage-contract';
import { createSqliteStorage } from '../src/index.ts';
import { tempStorePath } from './support/temp-store.ts';

describeStorageAdapter('sqlite', async () => createSqliteStorage({ path: tempStorePath() }));
describeJobStore('sqlite', async () => createSqliteStorage({ path: tempStorePath() }));
