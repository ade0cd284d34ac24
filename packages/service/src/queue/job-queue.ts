/**
 * Where and when restore jobs run: the seam between the service's front end, which checks a request, records its job
 * at 700 and hands it to a queue (`enqueue`), and the job executor, which runs what a queue hands out (`take`: the
 * queue calls {@link JobWorker.run}). The local queue (`local-queue.ts`: p-queue in this process, first in, first
 * out) is the first implementation; a queue on a database (pg-boss on the PostgreSQL that holds the data) is meant to
 * be the second, with front ends that only enqueue and workers anywhere that take jobs.
 *
 * A queue never writes job records: the front end writes 700 (and the 900 of a job withdrawn before it ran), the
 * executor everything from 800 on (800, progress, 1000, 900), and the executor's recovery writes what becomes of a
 * job whose holder is gone (back to 700 for a retry, or 900 `interrupted`), as the queue decides ({@link JobQueue.lost}).
 * The full contract, with who writes what, is in the package's README ("The job queue").
 */
import type { RestoreOptionsInput } from '@mbz-restore/engine';

/** How busy a queue is in this process (the service's `queueState()`). */
export interface QueueState {
  /** Most restores running at once. */
  readonly concurrency: number;
  /** Restore ids running now, oldest first. */
  readonly running: readonly string[];
  /** Restore ids waiting, in the order they will start (FIFO). */
  readonly queued: readonly string[];
}

/** One job as a queue carries it: plain data (JSON-safe), enough for a worker anywhere to run it. */
export interface QueuedJob {
  /** The job's id: its record's `restoreid` (32 hex). */
  readonly restoreid: string;
  /** The backup the restore reads. A worker on another host needs it at the same path (a shared folder). */
  readonly path: string;
  /** A file to delete when the job has ended (the service's copy of a draft file), if any. */
  readonly tempFile?: string;
  /**
   * The backup's content in the store (an uploaded draft file), by SHA-1: a worker on a host where `path` is not
   * (another machine than the front end's) copies it from the store into its own job folder.
   */
  readonly contenthash?: string;
  /** Category of the new course. */
  readonly categoryid: number;
  /** Restore options by Moodle's names, as the request gave them (checked when the job was accepted). */
  readonly options: RestoreOptionsInput;
  /** The user the restore acts as (Moodle's `$USER`), when the request named one. */
  readonly actingUserId?: number;
}

/** A job a queue hands out. */
export interface TakenJob extends QueuedJob {
  /** How many times the queue has handed this job out, this time included: 1, then 2 on its first retry … */
  readonly attempt: number;
}

/** What a queue hands jobs to: the service's job executor. */
export interface JobWorker {
  /**
   * Runs one job the queue hands out (take): takes its lease (its record at 800, naming this worker), restores and
   * ends its record (1000 or 900). Resolves when the record has ended, or at once when the job was not this worker's
   * to run (its record had ended, or another live worker holds it): the queue is done with the job (complete).
   * Rejects when the worker could not carry the job to an end (fail): the queue treats it as a job whose worker was
   * lost.
   */
  run(job: TakenJob): Promise<void>;
}

/** What a queue decides about a job whose holder is gone (see {@link JobQueue.lost}). */
export interface LostJobVerdict {
  /** True: the queue will hand the job out (again), so its record waits at 700. False: it never will; 900 `interrupted`. */
  readonly retry: boolean;
  /** How many times the queue has handed the job out so far (0 when never). */
  readonly attempts: number;
}

/** Default number of times a queue that retries hands a job out again after its worker was lost. */
export const DEFAULT_RETRY_LIMIT = 2;

/** A queue of restore jobs. A queue serves one service, which closes it. */
export interface JobQueue {
  /** Short name for messages: `local`, `pg-boss` … */
  readonly name: string;
  /**
   * True when waiting jobs outlive this process (a queue in a database): the front end then records a job at 700
   * without an owner, and no process has to prove it alive; a 700 record without an owner is never taken for
   * abandoned. False (the local queue): waiting jobs live in this process's memory, their records name this process
   * as owner, its heartbeat proves them, and they end 900 `interrupted` when it dies.
   */
  readonly durable: boolean;
  /**
   * Front end: queue a job its record holds at 700. Jobs are handed out first in, first out. Resolves once the queue
   * holds the job (durably, for a durable queue); rejects after {@link close}.
   */
  enqueue(job: QueuedJob): Promise<void>;
  /**
   * Service: hand jobs to `worker` from now on, at most the queue's concurrency at once (a queue may hand out none
   * here: a front end without workers). Called once, before the first job is enqueued.
   */
  work(worker: JobWorker): Promise<void>;
  /**
   * Front end: take back a job that waits (not handed out yet). True when the queue held it and will never hand it
   * out; false when it was handed out already, has been completed, or is unknown.
   */
  withdraw(restoreid: string): Promise<boolean>;
  /**
   * Recovery: the holder of this unfinished job is gone (its record's owner process no longer exists, or its
   * heartbeat is older than the lease; `executor/job-lease.ts`). Answers whether the queue will hand it out again
   * (retry: while attempts remain, `1 + retryLimit` in all, default retry limit {@link DEFAULT_RETRY_LIMIT}) or never
   * will (it forgets the job). A queue that keeps its jobs in process memory lost them with that process: never.
   */
  lost(restoreid: string): Promise<LostJobVerdict>;
  /** What runs and waits here (in this process). */
  state(): QueueState;
  /** Resolves when nothing this queue handed out in this process is running and nothing waits here. */
  onIdle(): Promise<void>;
  /**
   * Stops handing out jobs, and answers the ids of the waiting jobs it dropped: a non-durable queue drops them all
   * (the front end ends them 900 `interrupted`); a durable queue keeps them for other workers and answers none. Jobs
   * already handed out are not stopped here (the executor stops them, or {@link onIdle} waits for them).
   */
  close(): Promise<readonly string[]>;
}
