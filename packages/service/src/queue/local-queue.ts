/**
 * The local job queue: jobs wait in this process's memory and run here, first in, first out, at most `concurrency`
 * at once (p-queue). It is the queue a service uses unless given another. Waiting jobs are this process's: their
 * records name it as owner and its heartbeat proves them (the queue is not durable), so a job that waited or ran here
 * when the process died is ended 900 `interrupted` by whoever notices, never handed out again: `lost()` always
 * answers no retry, since the queue that held the job died with its worker. A worker whose `run` rejects is not
 * retried either (there is no other worker to hand the job to).
 */
import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import { ErrorCode, InvalidArgumentError } from '@mbz-restore/engine';
import { RestoreServiceError } from '../service-error.ts';
import type { JobQueue, JobWorker, LostJobVerdict, QueuedJob, QueueState } from './job-queue.ts';

/** Options of {@link createLocalQueue}. */
export interface LocalQueueOptions {
  /** Most jobs running at once. Default is one per CPU core. */
  readonly concurrency?: number;
}

/** A new local queue; it hands out jobs once the service has given it its worker. */
export function createLocalQueue(options: LocalQueueOptions = {}): JobQueue {
  return new LocalQueue(options.concurrency ?? availableParallelism());
}

// Internal helpers

class LocalQueue implements JobQueue {
  readonly name = 'local';
  readonly durable = false;
  readonly #queue: PQueue;
  /** Jobs waiting, in the order they were enqueued (a Map keeps insertion order). */
  readonly #waiting = new Map<string, QueuedJob>();
  /** Jobs handed out and not settled, oldest first. */
  readonly #running: string[] = [];
  /** Jobs whose run failed (rejected): given up, remembered so that `lost()` can say they ran once. */
  readonly #failed = new Set<string>();
  #worker: JobWorker | undefined;
  #closed = false;

  constructor(concurrency: number) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new InvalidArgumentError(`concurrency must be a positive whole number, got ${concurrency}.`);
    // Nothing is handed out before the worker is known.
    this.#queue = new PQueue({ concurrency, autoStart: false });
  }

  async enqueue(job: QueuedJob): Promise<void> {
    if (this.#closed)
      throw new RestoreServiceError(ErrorCode.ServiceClosed, 'The job queue is closed.', 'servicenotavailable');
    this.#waiting.set(job.restoreid, job);
    void this.#queue.add(() => this.#take(job.restoreid));
  }

  async work(worker: JobWorker): Promise<void> {
    if (this.#worker) throw new InvalidArgumentError('This local queue already hands its jobs to a worker.');
    this.#worker = worker;
    this.#queue.start();
  }

  async withdraw(restoreid: string): Promise<boolean> {
    return this.#waiting.delete(restoreid);
  }

  async lost(restoreid: string): Promise<LostJobVerdict> {
    const ran = this.#running.includes(restoreid) || this.#failed.has(restoreid);
    return { retry: false, attempts: ran ? 1 : 0 };
  }

  state(): QueueState {
    return { concurrency: this.#queue.concurrency, running: [...this.#running], queued: [...this.#waiting.keys()] };
  }

  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  async close(): Promise<readonly string[]> {
    this.#closed = true;
    const dropped = [...this.#waiting.keys()];
    this.#waiting.clear();
    this.#queue.clear();
    return dropped;
  }

  /** Hands one job to the worker when its turn comes, unless it was withdrawn or dropped meanwhile. */
  async #take(restoreid: string): Promise<void> {
    const job = this.#waiting.get(restoreid);
    if (!job) return;
    this.#waiting.delete(restoreid);
    this.#running.push(restoreid);
    try {
      await this.#worker!.run({ ...job, attempt: 1 });
    } catch {
      // fail: the worker has recorded what it could; this queue has no other worker to hand the job to.
      this.#failed.add(restoreid);
    } finally {
      this.#running.splice(this.#running.indexOf(restoreid), 1);
    }
  }
}
