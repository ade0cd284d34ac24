/** The storage and job store contracts, run against the memory adapter. */
import { describeJobStore, describeStorageAdapter } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '../src/index.ts';

describeStorageAdapter('memory', async () => createMemoryStorage());
describeJobStore('memory', async () => createMemoryStorage());
