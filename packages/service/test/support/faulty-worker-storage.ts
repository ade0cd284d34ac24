/**
 * A SQLite store for the worker pool tests whose handles in worker threads misbehave once, on cue: while the
 * flag file exists, the first unit of work a worker thread begins removes it and then either crashes the
 * thread (an uncaught exception) or hangs at its first insert, ignoring cancellation, after saying so on the
 * BroadcastChannel {@link HANG_CHANNEL}. On the main thread it is the plain SQLite store. Worker threads open
 * it through `workerOpenSpec()`, which names this module.
 */
import { rmSync } from 'node:fs';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import type { StorageAdapter, StorageTransaction, JobStore } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';

/** Options of {@link createFaultyWorkerStorage} (plain data: they cross to the worker threads). */
export interface FaultyWorkerStorageOptions {
  readonly path: string;
  /** While this file exists, the next unit of work begun in a worker thread misbehaves (and removes it). */
  readonly flag: string;
  readonly fault: 'crash' | 'hang';
}

/** Where a hung unit of work says that it hangs. */
export const HANG_CHANNEL = 'mbz-restore-test-worker-hang';

/** The store. */
export function createFaultyWorkerStorage(options: FaultyWorkerStorageOptions): StorageAdapter & JobStore {
  const inner = createSqliteStorage({ path: options.path });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'workerOpenSpec')
        return () => ({ module: import.meta.url, factory: 'createFaultyWorkerStorage', options: { ...options } });
      if (prop === 'begin' && !isMainThread) return async () => misbehave(await target.begin(), options);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

// Internal helpers

function misbehave(tx: StorageTransaction, options: FaultyWorkerStorageOptions): StorageTransaction {
  if (!takeFlag(options.flag)) return tx;
  if (options.fault === 'crash') {
    setImmediate(() => {
      throw new Error('injected crash of a restore worker thread');
    });
    return tx;
  }
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'insert') {
        return () => {
          const channel = new BroadcastChannel(HANG_CHANNEL);
          channel.postMessage('hung');
          channel.unref();
          return new Promise<never>(() => undefined);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function takeFlag(flag: string): boolean {
  try {
    rmSync(flag);
    return true;
  } catch {
    return false;
  }
}
