/**
 * A restore looks up the contexts it created itself (module, block, user and course contexts: for role
 * assignments, block parents, comments, logs, files) without asking the store: on a server database each
 * look-up would be a round trip. The store is asked only for contexts the restore did not create.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type Row, type StorageAdapter, type Where } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createMemoryStorage } from '@mbz-restore/storage-memory';

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-contexts-'));
  backup = join(dir, 's.mbz');
  await generateBackup({ size: 's', out: backup, seed: 3 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The store, with every `context` select of its units of work recorded. */
function watched(storage: StorageAdapter, selects: Where[]): StorageAdapter {
  return new Proxy(storage, {
    get(target, key, receiver) {
      if (key !== 'begin') {
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async () => {
        const tx = await target.begin();
        return new Proxy(tx, {
          get(t, k, r) {
            if (k !== 'select') {
              const value = Reflect.get(t, k, r);
              return typeof value === 'function' ? value.bind(t) : value;
            }
            return (table: string, where?: Where, options?: object): Promise<Row[]> => {
              if (table === 'context') selects.push(where ?? {});
              return t.select(table, where, options);
            };
          },
        });
      };
    },
  });
}

describe('context look-ups', () => {
  it('finds the contexts the restore created without a select, and asks the store only for the others', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const selects: Where[] = [];
    const result = await restore(backup, {
      storage: watched(storage, selects),
      options: { users: 1, role_assignments: 1, comments: 1, logs: 1, userscompletion: 1, grade_histories: 1 },
    });
    const created = new Set(
      (await storage.select('context')).filter((c) => Number(c.id) > 5).map((c) => Number(c.id)), // past the seed's
    );
    expect(created.size).toBeGreaterThan(20); // course, modules, blocks, users
    expect(created.size).toBe(result.counts.mdl_context);
    // Every select was for a context the restore did not create (the category's, say).
    const asked = await Promise.all(
      selects.map(async (where) => (await storage.select('context', where)).map((c) => Number(c.id))),
    );
    for (const ids of asked) for (const id of ids) expect(created.has(id)).toBe(false);
    expect(selects.length).toBeLessThanOrEqual(3);
  });
});
