/** PostgreSQL failures as the engine's `storage.*` codes. */
import { ErrorCode, isMbzError, StorageError } from '@mbz-restore/engine';

/**
 * An engine error for a failure of PostgreSQL or the driver, by SQLSTATE: class 23 (integrity: unique, NOT NULL)
 * and class 22 (a value the column cannot hold: too long, out of range, not a number) → `storage.constraint`,
 * like SQLite's constraint failures; 40P01 (deadlock: two units waiting on each other's rows, one is cancelled)
 * → `storage.constraint` too, since it arises only when both units write the same unique key; 53100 (disk
 * full, or ENOSPC writing a blob file) → `storage.no-space`; anything else (connection lost, server gone) → `storage.io`.
 */
export function toStorageError(error: unknown, doing: string): Error {
  if (isMbzError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    if (code.startsWith('23') || code.startsWith('22') || code === '40P01')
      return new StorageError(ErrorCode.StorageConstraint, `${doing}: ${message} (SQLSTATE ${code}).`, {
        cause: error,
      });
    if (code === '53100' || code === 'ENOSPC')
      return new StorageError(ErrorCode.StorageNoSpace, `${doing}: ${message} (SQLSTATE ${code}).`, { cause: error });
  }
  return new StorageError(ErrorCode.StorageIo, `${doing} failed: ${message}.`, { cause: error });
}
