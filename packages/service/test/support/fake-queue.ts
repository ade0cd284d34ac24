/**
 * A durable job queue for the executor's retry tests, driven by the test: it keeps jobs as a database queue would
 * (waiting, handed out, retried, given up), hands a job out only when the test says (`handOut`, to the service's
 * executor; `handOutToDeadWorker`, to a worker elsewhere that dies at once and leaves its job's record at 800, as a
 * killed process does), and retries a lost job while attempts remain (`retryLimit`, default 2), as pg-boss would.
 * The local queue never retries (its jobs die with their process), so the retry paths of the executor need this one.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { RestoreStatus, type JobStore } from '@mbz-restore/engine';
import {
  DEFAULT_RETRY_LIMIT,
  type JobQueue,
  type JobWorker,
  type LostJobVerdict,
  type QueuedJob,
  type QueueState,
} from '@mbz-restore/service';

interface Entry {
  readonly job: QueuedJob;
  attempts: number;
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'withdrawn';
}

/** A pid that no longer exists on this host (a process that ran and exited). */
export const DEAD_PID = spawnSync(process.execPath, ['-e', '0']).pid!;

/** The durable test queue. */
export class FakeDurableQueue implements JobQueue {
  readonly name = 'fake-durable';
  readonly durable = true;
  readonly entries = new Map<string, Entry>();
  readonly #retryLimit: number;
  readonly #running = new Set<Promise<void>>();
  #worker: JobWorker | undefined;

  constructor(retryLimit = DEFAULT_RETRY_LIMIT) {
    this.#retryLimit = retryLimit;
  }

  async enqueue(job: QueuedJob): Promise<void> {
    this.entries.set(job.restoreid, { job, attempts: 0, state: 'waiting' });
  }

  async work(worker: JobWorker): Promise<void> {
    this.#worker = worker;
  }

  async withdraw(restoreid: string): Promise<boolean> {
    const entry = this.entries.get(restoreid);
    if (entry?.state !== 'waiting') return false;
    entry.state = 'withdrawn';
    return true;
  }

  async lost(restoreid: string): Promise<LostJobVerdict> {
    const entry = this.entries.get(restoreid);
    if (!entry) return { retry: false, attempts: 0 };
    const retry = (entry.state === 'active' || entry.state === 'waiting') && entry.attempts <= this.#retryLimit;
    entry.state = retry ? 'waiting' : 'failed';
    return { retry, attempts: entry.attempts };
  }

  state(): QueueState {
    const of = (state: Entry['state']) => [...this.entries.values()].filter((e) => e.state === state);
    return {
      concurrency: 1,
      running: of('active').map((e) => e.job.restoreid),
      queued: of('waiting').map((e) => e.job.restoreid),
    };
  }

  async onIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async close(): Promise<readonly string[]> {
    return [];
  }

  /** Hands a waiting job to the service's executor; resolves when its run has settled (complete or fail). */
  async handOut(restoreid: string): Promise<void> {
    const entry = this.#take(restoreid);
    const run = this.#worker!.run({ ...entry.job, attempt: entry.attempts }).then(
      () => void (entry.state = 'completed'),
      () => void (entry.state = 'waiting'),
    );
    this.#running.add(run);
    await run.finally(() => this.#running.delete(run));
  }

  /**
   * Hands a waiting job to a worker in another process that takes its lease (800, progress under way) and dies: its
   * record is left as a killed process leaves it, naming a process of this host that no longer exists.
   */
  async handOutToDeadWorker(restoreid: string, jobs: JobStore): Promise<void> {
    this.#take(restoreid);
    const stored = (await jobs.getJob(restoreid))!;
    const now = Date.now();
    await jobs.putJob({
      ...stored,
      status: RestoreStatus.Executing,
      progress: Math.max(stored.progress, 0.3),
      stage: 'users',
      timestarted: now,
      timemodified: now,
      owner: `${DEAD_PID}@${hostname()}/0badcafe`,
      heartbeat: now,
    });
  }

  /** The queue's own expiry of a job handed out whose worker never finished it: it waits again, for a retry. */
  expire(restoreid: string): void {
    const entry = this.entries.get(restoreid)!;
    if (entry.state === 'active') entry.state = 'waiting';
  }

  #take(restoreid: string): Entry {
    const entry = this.entries.get(restoreid);
    if (entry?.state !== 'waiting') throw new Error(`${restoreid} does not wait in the fake queue (${entry?.state}).`);
    entry.state = 'active';
    entry.attempts += 1;
    return entry;
  }
}
