/** The storage contract, run against the SQLite adapter (a new store in a temp folder per test). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageAdapter } from '@mbz-restore/storage-contract';
import { createSqliteStorage } from '../src/index.ts';

describeStorageAdapter('sqlite', async () => createSqliteStorage({ path: join(mkdtempSync(join(tmpdir(), 'mbz-sqlite-')), 'store.sqlite') }));
