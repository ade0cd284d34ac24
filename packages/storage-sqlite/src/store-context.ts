/**
 * What the store shares with its units of work and with recovery: the main connection, the paths, the
 * settings, id allocation. Also the connection settings (see the README for why each one).
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '@mbz-restore/engine';
import type { BlobStore } from './blob-store.ts';
import { quote } from './schema/ddl.ts';
import type { SqlTable } from './schema/ddl.ts';
import { writeTransaction } from './sql.ts';
import type { SqliteDatabase, SqliteDriver, StatementCache } from './sqlite-database.ts';

/** How long one statement waits for a lock before SQLite reports busy; write transactions then retry asynchronously. */
export const STATEMENT_BUSY_TIMEOUT_MS = 100;

/** Shared state of one opened store. */
export interface StoreContext {
  /** The main database file. */
  readonly path: string;
  /** Folder of the units' staging databases: `<path>.staging`. */
  readonly stagingDir: string;
  readonly blobs: BlobStore;
  readonly driver: SqliteDriver;
  /** The store's own connection on the main file. */
  readonly db: SqliteDatabase;
  readonly statements: StatementCache;
  /** How long a write waits for another writer, in ms. */
  readonly busyTimeoutMs: number;
  /** Page cache per connection, in MiB. */
  readonly cacheSizeMiB: number;
  /** Rows of one table in one unit from which its merge drops and rebuilds that table's indexes. */
  readonly indexRebuildThreshold: number;
  /** Tables whose columns in the file are in spec order (merges can then `SELECT *`). */
  readonly specOrderTables: ReadonlySet<string>;
  /** True once the store is closed. */
  closed(): boolean;
}

/** Path of a unit's staging database. */
export function stagingFile(ctx: Pick<StoreContext, 'stagingDir'>, unitid: string): string {
  return join(ctx.stagingDir, `${unitid}.db`);
}

/**
 * `<path>.staging/<unitid>.owner`: `<host> <pid>` of the process creating the unit, written before its staging
 * database exists, so that recovery can tell a dead owner's half-created staging file from a live one's.
 */
export function stagingOwnerFile(stagingDbFile: string): string {
  return stagingDbFile.replace(/\.db$/, '.owner');
}

/** Settings of every connection on the main file: WAL, synchronous=NORMAL, busy timeout, page cache, WAL size cap. */
export function configureMain(db: SqliteDatabase, cacheSizeMiB: number): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal')
    throw new InvalidArgumentError(
      `The store must be a file SQLite can run in WAL mode (got journal_mode ${String(mode)}).`,
    );
  db.pragma('main.synchronous = NORMAL');
  db.pragma(`busy_timeout = ${STATEMENT_BUSY_TIMEOUT_MS}`);
  db.pragma(`main.cache_size = -${Math.round(cacheSizeMiB * 1024)}`);
  db.pragma(`main.journal_size_limit = ${64 * 1024 * 1024}`);
}

/** Reserves `count` ids of `table` on the main file; call inside a write transaction. */
export function reserveIds(ctx: Pick<StoreContext, 'statements'>, table: SqlTable, count: number): number {
  const s = ctx.statements;
  const row = s.get('SELECT nextid FROM main.mbz_id_sequence WHERE tablename = ?').get(table.spec.name) as
    | { nextid: number }
    | undefined;
  const first =
    row?.nextid ??
    (s.get(`SELECT coalesce(max("id"), 0) + 1 AS n FROM main.${quote(table.sqlName)}`).get() as { n: number }).n;
  s.get(
    'INSERT INTO main.mbz_id_sequence (tablename, nextid) VALUES (?, ?) ON CONFLICT (tablename) DO UPDATE SET nextid = excluded.nextid',
  ).run(table.spec.name, first + count);
  return first;
}

/** Reserves `count` ids of `table` in a short write transaction of its own. */
export async function allocateIds(ctx: StoreContext, table: SqlTable, count: number): Promise<number> {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new InvalidArgumentError(`allocateIds: count must be a positive integer, got ${count}.`);
  return writeTransaction(ctx.db, ctx.busyTimeoutMs, () => reserveIds(ctx, table, count));
}
