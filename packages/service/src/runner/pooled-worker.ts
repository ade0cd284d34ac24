/**
 * One thread of the worker pool: a `worker_threads` worker running `restore-worker.ts`, given one restore at a
 * time. Messages are matched to the restore running by its job id; anything else (a late message of an
 * earlier restore) is dropped. The thread keeps the process alive only while it runs a restore (`ref` then,
 * `unref` once free).
 *
 * Cancelling posts `cancel`: the restore stops at its next batch of rows, rolls back, and the thread stays
 * for the next restore. Only a thread that has not answered within `cancelTimeoutMs` (and has not begun to
 * commit) is terminated; the store's recovery discards the unit of work it left. A thread that ends without
 * being asked fails the restore it ran. A thread that holds more than `recycleAboveBytes` once its restore has
 * ended (it reports its heap with the restore's end) is ended instead of freed: V8 gives back little of a heap
 * a large restore grew, and the next restore would start from there.
 */
import type { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import type { WorkerExitReason } from '../types.ts';
import type { ProgressReport, RestoreInput, RestoreOutcome, RunningRestore } from './restore-runner.ts';
import { restoreWorkerEntry, startWorker } from './worker-launch.ts';
import {
  deserializeError,
  type RestoreWorkerData,
  type ServiceMessage,
  type WorkerMessage,
} from './worker-protocol.ts';

/** What a {@link PooledWorker} tells its pool. */
export interface PooledWorkerHooks {
  /** The restore ended (its unit of work with it) and the thread is free for another. */
  onFree(worker: PooledWorker): void;
  /** The thread ended; called before the restore it ran, if any, is failed. */
  onExit(worker: PooledWorker, exitCode: number, reason: WorkerExitReason): void;
}

/** A worker thread that runs restores one after the other. */
export class PooledWorker {
  /** The thread's `worker_threads` id. */
  readonly threadId: number;
  /** Resolves once the thread has ended. */
  readonly exited: Promise<void>;
  readonly #worker: Worker;
  readonly #hooks: PooledWorkerHooks;
  readonly #cancelTimeoutMs: number;
  readonly #recycleAboveBytes: number;
  #job: ActiveJob | undefined;
  /** Set once the thread was asked to end; undefined while it may take restores. */
  #ending: WorkerExitReason | undefined;
  #failure: Error | undefined;

  constructor(
    data: RestoreWorkerData,
    options: {
      cancelTimeoutMs: number;
      resourceLimits: ResourceLimits;
      /** A thread holding more than this (bytes) once a restore has ended is ended rather than freed. */
      recycleAboveBytes: number;
      hooks: PooledWorkerHooks;
    },
  ) {
    this.#hooks = options.hooks;
    this.#cancelTimeoutMs = options.cancelTimeoutMs;
    this.#recycleAboveBytes = options.recycleAboveBytes;
    this.#worker = startWorker(restoreWorkerEntry(), data, options.resourceLimits);
    this.threadId = this.#worker.threadId;
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#worker.on('error', (error) => {
      this.#failure ??= error;
    });
    this.exited = new Promise((resolve) => {
      this.#worker.on('exit', (code) => {
        this.#onExit(code);
        resolve();
      });
    });
  }

  /** True while a restore runs on the thread. */
  get busy(): boolean {
    return this.#job !== undefined;
  }

  /** Runs one restore on the thread; it must be free. */
  run(input: RestoreInput, onProgress: (progress: ProgressReport) => void): RunningRestore {
    if (this.#job || this.#ending)
      throw new Error(
        `Restore worker thread ${this.threadId} is ${this.#job ? 'busy' : 'ending'}; it cannot take restore ${input.restoreId}.`,
      );
    const jobId = input.restoreId;
    const done = new Promise<RestoreOutcome>((resolve, reject) => {
      this.#job = { jobId, onProgress, resolve, reject, committing: false, cancelTimer: undefined };
    });
    this.#worker.ref();
    this.#post({ type: 'run', jobId, input });
    return { done, threadId: this.threadId, cancel: () => this.#cancel(jobId) };
  }

  /**
   * Asks the thread to close its store handle and end, once its restore (if any) has ended; terminates it if
   * it has not ended `EXIT_GRACE_MS` later. `closed` keeps the process alive until the thread has ended.
   */
  stop(reason: 'idle' | 'closed' | 'recycled'): Promise<void> {
    // Whoever closes waits for the thread's end: keep the process alive until then, also for a thread already
    // ending (idle or recycled, unref'd), or the process could exit with that wait unsettled.
    if (reason === 'closed') this.#worker.ref();
    if (!this.#ending) {
      this.#ending = reason;
      this.#post({ type: 'stop' });
      setTimeout(() => void this.#worker.terminate(), EXIT_GRACE_MS).unref();
    }
    return this.exited;
  }

  #cancel(jobId: string): void {
    const job = this.#job;
    if (!job || job.jobId !== jobId || job.committing || job.cancelTimer) return;
    this.#post({ type: 'cancel', jobId });
    job.cancelTimer = setTimeout(() => {
      if (this.#job !== job || job.committing) return;
      this.#ending = 'terminated';
      void this.#worker.terminate();
    }, this.#cancelTimeoutMs);
    job.cancelTimer.unref();
  }

  #onMessage(message: WorkerMessage): void {
    const job = this.#job;
    if (!job || message.jobId !== job.jobId) return;
    if (message.type === 'progress') {
      job.onProgress({ stage: message.stage, fraction: message.fraction });
    } else if (message.type === 'committing') {
      job.committing = true;
      clearTimeout(job.cancelTimer);
    } else {
      clearTimeout(job.cancelTimer);
      this.#job = undefined;
      const settle = () => {
        if (message.type === 'done') job.resolve(message.outcome);
        else job.reject(deserializeError(message.error));
      };
      if (!this.#ending && message.heapBytes > this.#recycleAboveBytes) {
        // V8 keeps the heap a large restore grew (and its garbage) for the next one; a new thread starts small.
        // The restore settles once this thread has ended, so the next one (started when this settles) never runs
        // beside a heap still being given back: the worker's peak would be both (l: 308 MB instead of 240). The
        // thread stays ref'd until then, as the restore it ran is not settled before.
        void this.stop('recycled');
        void this.exited.then(settle);
        return;
      }
      this.#worker.unref();
      if (!this.#ending) this.#hooks.onFree(this);
      settle();
    }
  }

  #onExit(code: number): void {
    const job = this.#job;
    this.#job = undefined;
    clearTimeout(job?.cancelTimer);
    this.#hooks.onExit(this, code, this.#ending ?? 'crashed');
    if (!job) return;
    const cause = this.#failure;
    const why =
      this.#ending === 'terminated'
        ? `was terminated: it did not stop the cancelled restore within ${this.#cancelTimeoutMs} ms`
        : `ended unexpectedly (exit code ${code})`;
    job.reject(new Error(`The restore worker thread ${why}${cause ? `: ${cause.message}` : ''}.`, { cause }));
  }

  #post(message: ServiceMessage): void {
    this.#worker.postMessage(message);
  }
}

// Internal helpers

/** How long a thread may take to close its store and end after `stop`. */
const EXIT_GRACE_MS = 10_000;

interface ActiveJob {
  readonly jobId: string;
  readonly onProgress: (progress: ProgressReport) => void;
  readonly resolve: (outcome: RestoreOutcome) => void;
  readonly reject: (error: unknown) => void;
  committing: boolean;
  cancelTimer: NodeJS.Timeout | undefined;
}
