/** The storage contract, run against the memory adapter. */
import { describeStorageAdapter } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '../src/index.ts';

describeStorageAdapter('memory', async () => createMemoryStorage());
