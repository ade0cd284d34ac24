/**
 * Runs restores in a pool of worker threads, each with its own handle on the store (opened from
 * `StorageAdapter.workerOpenSpec()`), so parsing and writing never hold up the service's thread: job
 * records, heartbeats and status reads stay prompt while restores run.
 *
 * Starting a thread is costly (from TypeScript sources, tsx registers and compiles the engine again in each
 * one: 1.5–2 s), so threads are kept and reused: a restore goes to the most recently freed thread, and a new
 * one is started only when every thread is busy. The service runs at most `concurrency` restores at once, so
 * the pool never holds more than `concurrency` threads (plus any still ending). A thread free for `idleMs` is
 * ended; a free thread never keeps the process alive; `close()` ends them all. A thread that holds more than
 * `recycleAboveBytes` once its restore has ended is ended at once rather than kept (a large restore leaves V8's
 * heap grown), and the next restore gets a fresh one. A thread that crashed or was
 * terminated leaves the pool, and the next restore gets a fresh one.
 */
import { join } from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import type { StorageOpenSpec } from '@mbz-restore/engine';
import { PooledWorker } from './pooled-worker.ts';
import type { ProgressReport, RestoreInput, RestoreRunner, RunningRestore } from './restore-runner.ts';
import type { WorkerExitReason } from '../types.ts';

/** What the pool reports about its threads. */
export type WorkerLifecycleEvent =
  | { readonly type: 'started'; readonly threadId: number }
  | {
      readonly type: 'exited';
      readonly threadId: number;
      readonly exitCode: number;
      readonly reason: WorkerExitReason;
    };

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** How each thread opens the store. */
  readonly spec: StorageOpenSpec;
  /** How long a free thread is kept before it is ended, in ms. */
  readonly idleMs: number;
  /** How long a cancelled restore may take to stop before its thread is terminated, in ms. */
  readonly cancelTimeoutMs: number;
  /** Heap limits of each thread. */
  readonly resourceLimits: ResourceLimits;
  /** A thread holding more than this (V8 heap plus external memory, bytes) once a restore has ended is ended, not kept. */
  readonly recycleAboveBytes: number;
  /** Told when a thread starts and when it ends. */
  readonly onLifecycle?: (event: WorkerLifecycleEvent) => void;
}

/** A pool of restore worker threads. */
export class WorkerPool implements RestoreRunner {
  readonly #options: WorkerPoolOptions;
  /** Free threads, the most recently freed last. */
  readonly #free: PooledWorker[] = [];
  readonly #idleTimers = new Map<PooledWorker, NodeJS.Timeout>();
  readonly #threads = new Set<PooledWorker>();
  #closed = false;

  /** A pool with no thread yet: the first restore starts one. */
  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Runs a restore on the most recently freed thread, or on a new one when every thread is busy. */
  run(input: RestoreInput, onProgress: (progress: ProgressReport) => void): RunningRestore {
    if (this.#closed) throw new Error('The restore worker pool is closed.');
    return (this.#takeFree() ?? this.#start()).run(input, onProgress);
  }

  /** Ends every thread (a busy one once its restore has ended) and resolves when all have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.#idleTimers.clear();
    this.#free.length = 0;
    await Promise.all([...this.#threads].map((worker) => worker.stop('closed')));
  }

  #takeFree(): PooledWorker | undefined {
    const worker = this.#free.pop();
    if (worker) {
      clearTimeout(this.#idleTimers.get(worker));
      this.#idleTimers.delete(worker);
    }
    return worker;
  }

  #start(): PooledWorker {
    const worker = new PooledWorker(
      { storage: this.#options.spec, resolveFrom: resolveBases() },
      {
        cancelTimeoutMs: this.#options.cancelTimeoutMs,
        resourceLimits: this.#options.resourceLimits,
        recycleAboveBytes: this.#options.recycleAboveBytes,
        hooks: { onFree: (w) => this.#onFree(w), onExit: (w, code, reason) => this.#onExit(w, code, reason) },
      },
    );
    this.#threads.add(worker);
    this.#options.onLifecycle?.({ type: 'started', threadId: worker.threadId });
    return worker;
  }

  #onFree(worker: PooledWorker): void {
    if (this.#closed) {
      void worker.stop('closed');
      return;
    }
    this.#free.push(worker);
    const timer = setTimeout(() => {
      this.#idleTimers.delete(worker);
      remove(this.#free, worker);
      void worker.stop('idle');
    }, this.#options.idleMs);
    timer.unref();
    this.#idleTimers.set(worker, timer);
  }

  #onExit(worker: PooledWorker, exitCode: number, reason: WorkerExitReason): void {
    this.#threads.delete(worker);
    remove(this.#free, worker);
    clearTimeout(this.#idleTimers.get(worker));
    this.#idleTimers.delete(worker);
    this.#options.onLifecycle?.({ type: 'exited', threadId: worker.threadId, exitCode, reason });
  }
}

// Internal helpers

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

function resolveBases(): string[] {
  const bases = [join(process.cwd(), 'index.js')];
  if (process.argv[1]) bases.unshift(process.argv[1]);
  return bases;
}
