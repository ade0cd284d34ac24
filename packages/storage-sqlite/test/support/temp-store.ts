/** Test helpers: a store path in a new temp folder, a raw connection on it, a driver spy. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import type { SqliteDatabase, SqliteDriver } from '../../src/index.ts';

/** One temp folder per test file, removed after its tests; each store gets a folder of its own inside it. */
const root = mkdtempSync(join(tmpdir(), 'mbz-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A path for a new store. */
export function tempStorePath(): string {
  return join(mkdtempSync(join(root, 'store-')), 'store.sqlite');
}

/** A plain better-sqlite3 connection on a store file, as the sqlite3 CLI would see it. */
export function rawConnection(path: string): Database.Database {
  return new Database(path);
}

/** better-sqlite3 with a hook that sees every SQL text prepared (and may throw to simulate a crash there). */
export function spyDriver(onPrepare: (sql: string) => void): SqliteDriver {
  return (filename) => {
    const db = new Database(filename);
    const spy: SqliteDatabase = {
      prepare: (sql) => {
        onPrepare(sql);
        return db.prepare(sql);
      },
      exec: (sql) => db.exec(sql),
      pragma: (source, options) => db.pragma(source, options),
      close: () => db.close(),
      get inTransaction() {
        return db.inTransaction;
      },
    };
    return spy;
  };
}

/** The SQL commit() prepares right after the merge has committed, before it moves blobs. */
export const AFTER_MERGE_SQL = 'SELECT contenthash FROM stage.mbz_blobs';
