/**
 * A unit of work that refuses further writes once a restore is cancelled: each write method (`insert`,
 * `update`, `allocateIds`, `putBlob`, `adoptBlob`) first checks the signal, so a running restore stops at its
 * next batch of rows or its next blob, whichever stage it is in, and then rolls back. Everything else
 * (`select`, `commit`, `rollback`, members added later) is the unit's own; the restore checks the signal once
 * more before committing.
 */
import type { StorageTransaction } from '../storage/storage-adapter.ts';

/** `tx`, checking `signal` before each write. */
export function abortableTransaction(tx: StorageTransaction, signal: AbortSignal): StorageTransaction {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!WRITES.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        if (signal.aborted) {
          // A blob's content stream would otherwise stay open: the stage that made it waits for the write to read it.
          for (const arg of args) if (isStream(arg)) arg.destroy();
          signal.throwIfAborted();
        }
        return method.apply(target, args);
      };
    },
  });
}

// Internal helpers

const WRITES: ReadonlySet<string | symbol> = new Set(['allocateIds', 'insert', 'update', 'putBlob', 'adoptBlob']);

function isStream(value: unknown): value is { destroy(): void; pipe: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { destroy?: unknown }).destroy === 'function' &&
    'pipe' in value
  );
}
