/** SQL building blocks shared by the store and its units: filters, ordering, and short write transactions. */
import { ErrorCode, InvalidArgumentError, StorageError } from '@mbz-restore/engine';
import type { SelectOptions, SqlValue, Where } from '@mbz-restore/engine';
import { checkColumns, quote } from './schema/ddl.ts';
import type { SqlTable } from './schema/ddl.ts';
import { isBusy, toStorageError } from './sqlite-database.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** A WHERE clause (`col = ?`, `col IS NULL`) and its parameters; empty clause when there is no filter. */
export interface Filter {
  readonly sql: string;
  readonly params: SqlValue[];
}

/** The filter for `where` on `table` (columns checked). */
export function filterOf(table: SqlTable, where: Where | undefined): Filter {
  if (!where) return { sql: '', params: [] };
  const names = Object.keys(where);
  checkColumns(table, names);
  if (names.length === 0) return { sql: '', params: [] };
  const params: SqlValue[] = [];
  const terms = names.map((name) => {
    const value = where[name] ?? null;
    if (value === null) return `${quote(name)} IS NULL`;
    params.push(typeof value === 'number' && table.textColumns.has(name) ? String(value) : value);
    return `${quote(name)} = ?`;
  });
  return { sql: ` WHERE ${terms.join(' AND ')}`, params };
}

/** `ORDER BY <col>, "id" [LIMIT n]` for `options` on `table` (column checked). */
export function orderOf(table: SqlTable, options: SelectOptions): string {
  const column = options.orderBy ?? 'id';
  checkColumns(table, [column]);
  const order = column === 'id' ? ' ORDER BY "id"' : ` ORDER BY ${quote(column)}, "id"`;
  if (options.limit === undefined) return order;
  if (!Number.isSafeInteger(options.limit) || options.limit < 0)
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${options.limit}.`);
  return `${order} LIMIT ${options.limit}`;
}

/**
 * Runs `fn` inside `BEGIN IMMEDIATE` … `COMMIT` on `db`, rolling back when it throws. While another
 * connection holds the write lock it retries after a growing pause without blocking the event loop, up to
 * `timeoutMs`, then fails with `storage.io`.
 */
export async function writeTransaction<T>(db: SqliteDatabase, timeoutMs: number, fn: () => T): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      break;
    } catch (error) {
      if (!isBusy(error)) throw toStorageError(error, 'Starting a write transaction');
      if (Date.now() >= deadline) {
        throw new StorageError(ErrorCode.StorageIo, `The store stayed locked by another writer for ${timeoutMs} ms.`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
