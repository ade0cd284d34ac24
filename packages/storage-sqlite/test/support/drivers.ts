/**
 * Test helpers without the test runner (child processes of the tests import them too): a raw connection on a store,
 * a driver spy, the SQL after a merge.
 */
import Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteDriver } from '../../src/index.ts';

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
