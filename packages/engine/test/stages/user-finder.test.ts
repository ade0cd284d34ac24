/**
 * The users precheck's in-memory look-ups must answer exactly what the store answers: the same filters go
 * to both (a SQLite store's `select` and the finder made from it) and must return the same rows in the same
 * order, including NULL filters, numbers given as text, blanks, ordering and limits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAdapter, Where } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { RowWriter } from '../../src/restore/row-writer.ts';
import { PRELOAD_MAX, userFinder } from '../../src/stages/users/user-finder.ts';

let dir: string;
let storage: StorageAdapter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-user-finder-'));
  storage = createSqliteStorage({ path: join(dir, 'store.sqlite') });
  await storage.open();
});
afterAll(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

describe('user finder', () => {
  it('answers every look-up of the precheck as the store does', async () => {
    const tx = await storage.begin();
    try {
      const rows = new RowWriter(tx);
      const people = [
        { username: 'ann', email: 'ann@example.com', firstaccess: 0, deleted: 0, mnethostid: 1 },
        { username: 'bob', email: 'same@example.com', firstaccess: 1700000000, deleted: 0, mnethostid: 1 },
        { username: 'bob', email: 'same@example.com', firstaccess: 1700000000, deleted: 0, mnethostid: 3 },
        {
          username: 'gone@x.1700000001',
          email: '0cc175b9c0f1b6a831c399e269772661',
          firstaccess: 1700000001,
          deleted: 1,
          mnethostid: 1,
        },
        { username: 'carl', email: '', firstaccess: 0, deleted: 0, mnethostid: 1 },
      ];
      for (const p of people)
        await rows.insert('user', { ...p, auth: 'manual', confirmed: 1, firstname: p.username, lastname: 'X' });
      await rows.flush();
      const finder = await userFinder(rows);
      expect(finder).not.toBe(rows); // few users: answered in memory
      const filters: Array<[Where, { limit?: number; orderBy?: string }?]> = [
        [{ username: 'bob', mnethostid: 1 }],
        [{ username: 'bob' }],
        [{ username: 'bob' }, { limit: 1 }],
        [{ username: 'bob' }, { orderBy: 'mnethostid' }],
        [{ id: 2 }],
        [{ id: '2' }],
        [{ id: 3, username: 'bob', mnethostid: 1 }],
        [{ mnethostid: 1, deleted: 1, email: '0cc175b9c0f1b6a831c399e269772661' }],
        [{ mnethostid: 1, deleted: 1, firstaccess: 1700000001 }],
        [{ mnethostid: 1, firstaccess: 0 }],
        [{ mnethostid: '1', firstaccess: '0' }],
        [{ firstaccess: '' }],
        [{ email: '' }],
        [{ email: null }],
        [{ username: 'nobody', mnethostid: 1 }],
        [{ mnethostid: 1, deleted: 0 }],
      ];
      for (const [where, options] of filters) {
        expect(await finder.select('user', where, options), JSON.stringify([where, options])).toEqual(
          await tx.select('user', where, options),
        );
      }
    } finally {
      await tx.rollback();
    }
  });

  it('reads the store per look-up when it holds more users than it keeps in memory', async () => {
    const tx = await storage.begin();
    try {
      const rows = new RowWriter(tx);
      for (let i = 0; i <= PRELOAD_MAX; i++)
        await rows.insert('user', {
          username: `u${i}`,
          mnethostid: 1,
          auth: 'manual',
          firstname: 'U',
          lastname: String(i),
          email: '',
        });
      await rows.flush();
      expect(await userFinder(rows)).toBe(rows);
    } finally {
      await tx.rollback();
    }
  }, 120_000);
});
