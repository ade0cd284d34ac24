/**
 * The part of better-sqlite3 this adapter calls, declared structurally (after kysely's
 * `SqliteDatabase`), so a test can hand in a spy or another binding with the same shape; and the mapping
 * of SQLite failures to the engine's `storage.*` codes.
 */
import { ErrorCode, InvalidArgumentError, isMbzError, StorageError } from '@mbz-restore/engine';

/** A prepared statement. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A connection. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
}

/** Opens a connection on a file (created when missing). */
export type SqliteDriver = (filename: string) => SqliteDatabase;

/** better-sqlite3, loaded on first use. */
export async function loadBetterSqlite3(): Promise<SqliteDriver> {
  const { default: Database } = await import('better-sqlite3');
  return (filename) => new Database(filename);
}

/** A small cache of prepared statements, one per SQL text (so one per table and column set). */
export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  get(sql: string): SqliteStatement {
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.#db.prepare(sql)));
    return stmt;
  }
}

/** True when SQLite said the database is locked by another connection. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'))
  );
}

/** An engine error for a failure of SQLite (constraint → `storage.constraint`, bad value → invalid argument, else `storage.io`). */
export function toStorageError(error: unknown, doing: string): Error {
  if (isMbzError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new StorageError(ErrorCode.StorageConstraint, `${doing}: ${message}.`, { cause: error });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new InvalidArgumentError(`${doing}: ${message}.`, { cause: error });
  }
  return new StorageError(ErrorCode.StorageIo, `${doing} failed: ${message}.`, { cause: error });
}
