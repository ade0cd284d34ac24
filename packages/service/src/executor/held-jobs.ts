/**
 * The jobs this process holds: those waiting in its memory (a local queue) and those its executor runs. For each, its
 * current record (the service's own reads use it; the store gets it through a {@link JobWriter}, one per job, so the
 * writes of one job never overtake each other), what to restore, where it is in its life, and why it was asked to
 * stop. Holding a job is proving it alive: every `heartbeatMs` each unfinished held job's record gets a new heartbeat.
 */
import type { JobStore, RestoreJobRecord } from '@mbz-restore/engine';
import type { QueuedJob } from '../queue/job-queue.ts';
import type { RunningRestore } from '../runner/restore-runner.ts';
import { isEnded } from './job-lease.ts';
import { JobWriter } from './job-writer.ts';

/** Why a job was asked to stop: a cancel, the service closing, or another process ending it in the store. */
export type StopReason = 'cancelled' | 'interrupted' | 'ended-elsewhere';

/** One job held by this process. */
export class HeldJob {
  record: RestoreJobRecord;
  /** What to restore. */
  readonly job: QueuedJob;
  readonly writer: JobWriter;
  phase: 'queued' | 'running' | 'ended' = 'queued';
  stop: StopReason | undefined;
  /** The ended record another process wrote, when it did. */
  endedElsewhere: RestoreJobRecord | undefined;
  running: RunningRestore | undefined;
  /** Resolves when the job has ended, its last record was written and its files were removed. */
  readonly ended: Promise<void>;
  readonly #resolveEnded: () => void;

  constructor(jobs: JobStore, record: RestoreJobRecord, job: QueuedJob, onEndedElsewhere: (held: HeldJob) => void) {
    this.record = record;
    this.job = job;
    this.writer = new JobWriter(jobs, (stored) => {
      this.endedElsewhere = stored;
      onEndedElsewhere(this);
    });
    let resolve!: () => void;
    this.ended = new Promise<void>((r) => (resolve = r));
    this.#resolveEnded = resolve;
  }

  get restoreid(): string {
    return this.record.restoreid;
  }

  /** Marks the job ended. */
  markEnded(): void {
    this.phase = 'ended';
    this.#resolveEnded();
  }
}

/** The jobs of one process, by restore id, with their heartbeat. */
export class HeldJobs {
  readonly #jobs = new Map<string, HeldJob>();
  readonly #store: JobStore;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(store: JobStore) {
    this.#store = store;
  }

  /** Holds a job from now on (its record is the one the store has). */
  add(record: RestoreJobRecord, job: QueuedJob, onEndedElsewhere: (held: HeldJob) => void): HeldJob {
    const held = new HeldJob(this.#store, record, job, onEndedElsewhere);
    this.#jobs.set(record.restoreid, held);
    return held;
  }

  get(restoreid: string): HeldJob | undefined {
    return this.#jobs.get(restoreid);
  }

  /** Stops holding a job (it has ended). */
  delete(restoreid: string): void {
    this.#jobs.delete(restoreid);
  }

  /** Every job held now. */
  all(): HeldJob[] {
    return [...this.#jobs.values()];
  }

  /** Gives each unfinished held job a new heartbeat every `heartbeatMs`; the timer never keeps the process alive. */
  startHeartbeat(heartbeatMs: number): void {
    this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
  }

  #beat(): void {
    const now = Date.now();
    for (const job of this.#jobs.values()) {
      if (job.phase === 'ended' || isEnded(job.record.status)) continue;
      job.record = { ...job.record, heartbeat: now };
      job.writer.write(job.record).catch(() => undefined);
    }
  }
}
