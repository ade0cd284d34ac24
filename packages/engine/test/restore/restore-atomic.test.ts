/**
 * A restore that fails halfway leaves the store exactly as it was: a storage error injected at
 * several points of the restore (an insert early, one late, the commit) on both adapters, into an
 * empty store and into one that already holds a course.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type StorageAdapter } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { dumpStore, InjectedFault, withFaults } from '@mbz-restore/storage-contract';

const WITH_USERS = { users: 1, logs: 1, grade_histories: 1, comments: 1, userscompletion: 1, role_assignments: 1 };

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-atomic-'));
  backup = join(dir, 'xs.mbz');
  await generateBackup({ size: 'xs', out: backup, seed: 9 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const adapters: Array<[string, (name: string) => StorageAdapter]> = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', (name) => createSqliteStorage({ path: join(dir, `${name}.sqlite`) })],
];

describe.each(adapters)('%s: a failed restore leaves nothing', (adapterName, create) => {
  it.each([
    ['the 1st insert', { failInsertAt: 1 }],
    ['the 40th insert', { failInsertAt: 40 }],
    ['the commit', { failCommit: true }],
  ])('fault at %s, into a store that already holds a course', async (label, plan) => {
    const storage = create(`${adapterName}-${label.replace(/\W+/g, '-')}`);
    await storage.open();
    try {
      await restore(backup, { storage, options: WITH_USERS });
      const before = await dumpStore(storage);
      const error = await restore(backup, { storage: withFaults(storage, plan), options: WITH_USERS }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InjectedFault);
      expect(await dumpStore(storage)).toEqual(before);
      // The store still works: the same restore succeeds afterwards.
      const result = await restore(backup, { storage, options: WITH_USERS });
      expect(result.courseid).toBeGreaterThan(0);
    } finally {
      await storage.close();
    }
  });
});
