/**
 * An adapter wrapper that makes a unit of work fail on purpose: the N-th `insert` call, or `commit`, throws
 * before reaching the real adapter. Used to prove a failed restore (which then calls `rollback()`) leaves
 * the store exactly as it was.
 */
import type { StorageAdapter, StorageTransaction } from '@mbz-restore/engine';

/** Where to fail. */
export interface FaultPlan {
  /** Throw on this insert call of each unit (1-based). Default is never. */
  readonly failInsertAt?: number;
  /** Throw from `commit()`. Default is false. */
  readonly failCommit?: boolean;
}

/** The error thrown by an injected fault. */
export class InjectedFault extends Error {
  constructor(where: string) {
    super(`Injected fault: ${where}`);
    this.name = 'InjectedFault';
  }
}

/** `adapter` with `plan`'s faults injected into each unit of work it begins. */
export function withFaults(adapter: StorageAdapter, plan: FaultPlan): StorageAdapter {
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
  return {
    allocateIds: (table, count) => tx.allocateIds(table, count),
    insert: async (table, rows) => {
      inserts += 1;
      if (inserts === plan.failInsertAt) throw new InjectedFault(`insert #${inserts} into ${table}`);
      return tx.insert(table, rows);
    },
    update: (table, id, changes) => tx.update(table, id, changes),
    select: (table, where, options) => tx.select(table, where, options),
    putBlob: (hash, content) => tx.putBlob(hash, content),
    hasBlob: (hash) => tx.hasBlob(hash),
    commit: async () => {
      if (plan.failCommit) throw new InjectedFault('commit');
      return tx.commit();
    },
    rollback: () => tx.rollback(),
  };
}
