/**
 * An adapter wrapper that makes a unit of work fail on purpose: the N-th `insert` call, or `commit`, throws
 * before reaching the real adapter; the N-th `putBlob` reads a first chunk of the content and then fails the
 * way a full disk does (`ENOSPC`). Used to prove a failed restore (which then calls `rollback()`) leaves the
 * store exactly as it was, and that the engine reports a full disk as a typed error.
 */
import type { Readable } from 'node:stream';
import type { StorageAdapter, StorageTransaction } from '@mbz-restore/engine';

/** Where to fail. */
export interface FaultPlan {
  /** Throw on this insert call of each unit (1-based). Default is never. */
  readonly failInsertAt?: number;
  /** Throw from `commit()`. Default is false. */
  readonly failCommit?: boolean;
  /** Fail this `putBlob` call of each unit (1-based) with `code: 'ENOSPC'`, after reading a first chunk. Default is never. */
  readonly failBlobAt?: number;
}

/** The error thrown by an injected fault. A disk fault carries a Node system error `code` (`ENOSPC`), as `fs` errors do. */
export class InjectedFault extends Error {
  /** The system error code, for faults that stand for one. */
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;

  constructor(where: string, system?: { code: 'ENOSPC'; errno: number; syscall: string }) {
    super(
      system
        ? `${system.code}: no space left on device, ${system.syscall} (injected fault: ${where})`
        : `Injected fault: ${where}`,
    );
    this.name = 'InjectedFault';
    this.code = system?.code;
    this.errno = system?.errno;
    this.syscall = system?.syscall;
  }
}

/** `adapter` with `plan`'s faults injected into each unit of work it begins (what else it is, a job store say, it stays). */
export function withFaults<T extends StorageAdapter>(adapter: T, plan: FaultPlan): T {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === 'begin') return async () => faultyTransaction(await target.begin(), plan);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// Internal helpers

function faultyTransaction(tx: StorageTransaction, plan: FaultPlan): StorageTransaction {
  let inserts = 0;
  let blobs = 0;
  return {
    allocateIds: (table, count) => tx.allocateIds(table, count),
    insert: async (table, rows) => {
      inserts += 1;
      if (inserts === plan.failInsertAt) throw new InjectedFault(`insert #${inserts} into ${table}`);
      return tx.insert(table, rows);
    },
    update: (table, id, changes) => tx.update(table, id, changes),
    select: (table, where, options) => tx.select(table, where, options),
    putBlob: async (hash, content) => {
      blobs += 1;
      if (blobs === plan.failBlobAt) await diskFull(content, `putBlob #${blobs} (${hash})`);
      return tx.putBlob(hash, content);
    },
    hasBlob: (hash) => tx.hasBlob(hash),
    commit: async () => {
      if (plan.failCommit) throw new InjectedFault('commit');
      return tx.commit();
    },
    rollback: () => tx.rollback(),
  };
}

/** Reads one chunk of `content` (a disk fills part way through a write), then throws an `ENOSPC` fault. */
async function diskFull(content: Readable, where: string): Promise<never> {
  for await (const _chunk of content) break;
  throw new InjectedFault(where, { code: 'ENOSPC', errno: -28, syscall: 'write' });
}
