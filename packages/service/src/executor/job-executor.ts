/**
 * The job executor: given a job a queue hands out, it takes the job's lease (its record at 800, naming this process,
 * with a heartbeat), runs the restore in a pooled worker thread or on this thread (`runner/`), writes its progress
 * (throttled) and ends its record 1000 or 900, then removes the job's files. Every queue shares it: it does not care
 * where the job waited. It also ends jobs that never ran (withdrawn from their queue by a cancel or a close), stops
 * running ones, and recovers jobs whose holder is gone as their queue decides: back to 700 for a retry, or 900
 * `interrupted`. Job records are written through one {@link JobWriter} per job, guarded against reviving a job that
 * another process ended or took over.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import {
  ErrorCode,
  isMbzError,
  RestoreStatus,
  type ArchiveLimits,
  type JobStore,
  type RestoreJobRecord,
  type StorageAdapter,
  type XmlLimits,
} from '@mbz-restore/engine';
import type { JobWorker, LostJobVerdict, QueuedJob, TakenJob } from '../queue/job-queue.ts';
import type { ProgressReport, RestoreInput, RestoreOutcome, RestoreRunner } from '../runner/restore-runner.ts';
import type { RestoreServiceEvents } from '../types.ts';
import { HeldJobs, type HeldJob, type StopReason } from './held-jobs.ts';
import { awaitingRetry, interrupted, isAbandoned, isEnded, newOwnerId, ownerGoneMessage } from './job-lease.ts';
import { ProgressThrottle } from './progress-throttle.ts';

/** The message of a job cancelled before it ended. */
export const CANCELLED = 'The restore was cancelled; nothing of it was kept.';
/** The message of a job that was waiting when its service closed. */
export const CLOSED_QUEUED = 'The restore service was closed before this restore started.';
/** The message of a job that was running when its service closed without waiting. */
export const CLOSED_RUNNING = 'The restore service was closed while this restore ran; nothing of it was kept.';

/** The events the executor reports (the service emits them). */
export type ExecutorEvents = Omit<RestoreServiceEvents, 'queued' | 'workerStarted' | 'workerExited'>;

/** Options of a {@link JobExecutor}. */
export interface JobExecutorOptions {
  /** Where job records live. */
  readonly jobs: JobStore;
  /** Where uploaded backups are (the store's blobs), for a job whose backup is not on this host (QueuedJob.contenthash). */
  readonly blobs?: Pick<StorageAdapter, 'readBlob'>;
  /** Where restores run (a worker pool or this thread). */
  readonly runner: RestoreRunner;
  /** Where draft copies are and restores unpack: `<tempDir>/mbz-restore-jobs`. */
  readonly jobDir: string;
  /** Limits and site URL every restore gets. */
  readonly restore: {
    readonly limits?: Partial<ArchiveLimits>;
    readonly xmlLimits?: Partial<XmlLimits>;
    readonly siteUrl?: string;
  };
  /** Least time between two progress writes (and events) of one job, in ms. */
  readonly progressIntervalMs: number;
  /** How often each held job's record gets a new heartbeat, in ms. */
  readonly heartbeatMs: number;
  /** After how long without a heartbeat a job of another process counts as abandoned, in ms. */
  readonly leaseMs: number;
  /** Reports an event about a job (after its record says so). */
  readonly emit: <K extends keyof ExecutorEvents>(name: K, event: Parameters<ExecutorEvents[K]>[0]) => void;
}

/** Runs the jobs a queue hands to this process. */
export class JobExecutor implements JobWorker {
  /** This process's owner id (`<pid>@<host>/<nonce>`), written into the jobs it holds. */
  readonly owner = newOwnerId();
  readonly #options: JobExecutorOptions;
  readonly #held: HeldJobs;

  constructor(options: JobExecutorOptions) {
    this.#options = options;
    this.#held = new HeldJobs(options.jobs);
  }

  /** Starts the heartbeat of the jobs held here. */
  start(): void {
    this.#held.startHeartbeat(this.#options.heartbeatMs);
  }

  /**
   * Holds a job that waits in this process (a non-durable queue), recorded at 700 by this process: its heartbeat
   * proves it from now on. `onEndedWhileWaiting` is told when another process ends it before it runs (a cancel from
   * elsewhere): the caller takes it back from its queue and ends it ({@link endUnstarted}).
   */
  hold(record: RestoreJobRecord, job: QueuedJob, onEndedWhileWaiting: (held: HeldJob) => void): HeldJob {
    return this.#held.add(record, job, (held) => this.#onEndedElsewhere(held, onEndedWhileWaiting));
  }

  /** The job held here with this id. */
  held(restoreid: string): HeldJob | undefined {
    return this.#held.get(restoreid);
  }

  /** Every job held here. */
  heldJobs(): HeldJob[] {
    return this.#held.all();
  }

  /**
   * Runs one job a queue hands out (see {@link JobWorker.run}). A job this process holds must still be waiting and
   * not asked to stop; any other job is read from the store and taken only when it waits at 700 or its holder is gone
   * (a retry that nobody recovered yet). Resolves once its record has ended; its files are removed after that.
   */
  async run(taken: TakenJob): Promise<void> {
    let job = this.#held.get(taken.restoreid);
    if (job) {
      if (job.phase !== 'queued' || job.stop) return; // being ended by cancel() or close()
    } else {
      job = await this.#adopt(taken);
      if (!job) return;
    }
    job.phase = 'running';
    const now = Date.now();
    job.record = {
      ...job.record,
      status: RestoreStatus.Executing,
      timestarted: now,
      timemodified: now,
      owner: this.owner,
      heartbeat: now,
    };
    const held = job;
    const throttle = new ProgressThrottle(this.#options.progressIntervalMs, (p) =>
      this.#progress(held, p.stage, p.fraction),
    );
    let announced = false;
    let early: ProgressReport | undefined;
    try {
      await job.writer.write(job.record, 'take');
      if (job.stop) throw new DOMException('Stopped before it started.', 'AbortError');
      const path = await this.#backupHere(job);
      job.running = this.#options.runner.run(this.#input(job.job, path), (p) => {
        if (held.stop) return;
        if (announced) throttle.push(p);
        else early = p;
      });
      this.#options.emit('started', { restoreid: job.restoreid, threadId: job.running.threadId });
      announced = true;
      if (early) throttle.push(early);
      if (job.stop) job.running.cancel();
      const outcome = await job.running.done;
      throttle.stop();
      await this.#complete(job, outcome);
    } catch (error) {
      throttle.stop();
      await this.#fail(job, error);
    } finally {
      // The queue is done with the job once its record has ended; its files go after (the job's `ended` waits for them).
      void this.#release(job);
    }
  }

  /** Ends a held job that never ran (taken back from its queue: cancelled, or the service closed): 900 with `error`. */
  async endUnstarted(job: HeldJob, error: { code: string; message: string }): Promise<void> {
    if (job.phase !== 'queued') return;
    job.phase = 'ended';
    if (job.endedElsewhere) {
      job.record = job.endedElsewhere;
    } else {
      const now = Date.now();
      job.record = {
        ...job.record,
        status: RestoreStatus.FinishedError,
        error,
        timemodified: now,
        timefinished: now,
        heartbeat: null,
      };
      await job.writer.write(job.record).catch(() => undefined);
      if (job.endedElsewhere) job.record = job.endedElsewhere;
    }
    this.#emitEnd(job);
    await this.#release(job);
  }

  /** Asks a running job to stop (it rolls back and ends 900 `cancelled` or `interrupted`, by `reason`). */
  stop(job: HeldJob, reason: StopReason): void {
    if (job.phase !== 'running') return;
    job.stop ??= reason;
    job.running?.cancel();
  }

  /** Asks every running job to stop. */
  stopAll(reason: StopReason): void {
    for (const job of this.#held.all()) this.stop(job, reason);
  }

  /**
   * Records what becomes of a job whose holder is gone, as its queue decided: back at 700 when the queue hands it out
   * again (its backup stays for that run), else 900 `interrupted` (its backup copy is removed). The work folder the
   * lost run left on this host is removed either way. Answers the record written.
   */
  async recover(job: RestoreJobRecord, verdict: LostJobVerdict, now = Date.now()): Promise<RestoreJobRecord> {
    const next = verdict.retry
      ? awaitingRetry(job, now)
      : interrupted(job, now, ownerGoneMessage(job, verdict.attempts));
    await this.#options.jobs.putJob(next);
    if (!verdict.retry)
      await rm(join(this.#options.jobDir, `${job.restoreid}.backup`), { force: true }).catch(() => undefined);
    // A process that died mid-restore left its unpack folder too (same host; another host's folder is not here).
    await rm(this.#workDir(job.restoreid), { recursive: true, force: true }).catch(() => undefined);
    return next;
  }

  /** True when `job`'s holder is gone (and it is not held here). */
  isAbandoned(job: RestoreJobRecord, now = Date.now()): boolean {
    return !this.#held.get(job.restoreid) && isAbandoned(job, now, this.#options.leaseMs);
  }

  /** Stops the heartbeat and ends the runner's worker threads; called once no job runs. */
  async close(): Promise<void> {
    this.#held.stopHeartbeat();
    await this.#options.runner.close();
  }

  /** A job this process does not hold yet (from a durable queue): held from now on if it is this worker's to run. */
  async #adopt(taken: TakenJob): Promise<HeldJob | undefined> {
    const stored = await this.#options.jobs.getJob(taken.restoreid);
    if (!stored || isEnded(stored.status)) return undefined; // ended before it ran (a cancel while it waited)
    const mine = stored.owner === this.owner;
    if (stored.status === RestoreStatus.Executing && !mine && !isAbandoned(stored, Date.now(), this.#options.leaseMs))
      return undefined; // another live worker runs it
    if (this.#held.get(taken.restoreid)) return undefined; // taken meanwhile
    return this.#held.add(stored, taken, (held) => this.#onEndedElsewhere(held));
  }

  /**
   * The backup's path on this host: the job's own path when it is here; else, for an uploaded backup, a copy of its
   * content from the store in this host's job folder (a worker on another machine than the front end's).
   */
  async #backupHere(job: HeldJob): Promise<string> {
    const { path, contenthash } = job.job;
    if (contenthash === undefined || this.#options.blobs === undefined) return path;
    if (
      await stat(path).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return path;
    const copy = this.#copyPath(job.restoreid);
    const content = await this.#options.blobs.readBlob(contenthash);
    if (!content) throw new Error(`The uploaded backup of restore ${job.restoreid} is no longer in the store.`);
    await mkdir(this.#options.jobDir, { recursive: true });
    await pipeline(content, createWriteStream(copy));
    return copy;
  }

  /** Where {@link #backupHere} copies an uploaded backup that is not on this host. */
  #copyPath(restoreid: string): string {
    return join(this.#options.jobDir, `${restoreid}.fetched.backup`);
  }

  #input(job: QueuedJob, path: string): RestoreInput {
    const { limits, xmlLimits, siteUrl } = this.#options.restore;
    return {
      path,
      categoryid: job.categoryid,
      options: job.options ?? {},
      restoreId: job.restoreid,
      limits,
      xmlLimits,
      // The restore unpacks into a folder of the job's own, which the executor removes when the job ends, even when
      // the thread that ran it was killed (it cannot clean up after itself then).
      tempDir: this.#workDir(job.restoreid),
      ...(siteUrl === undefined ? {} : { siteUrl }),
      ...(job.actingUserId === undefined ? {} : { actingUserId: job.actingUserId }),
    };
  }

  #progress(job: HeldJob, stage: string, fraction: number): void {
    if (job.phase !== 'running' || job.stop || isEnded(job.record.status)) return;
    const progress = Math.max(job.record.progress, Math.min(1, fraction));
    if (progress === job.record.progress && stage === job.record.stage) return;
    job.record = { ...job.record, progress, stage, timemodified: Date.now() };
    job.writer.write(job.record).catch(() => undefined);
    this.#options.emit('progress', { restoreid: job.restoreid, progress, stage });
  }

  async #complete(job: HeldJob, outcome: RestoreOutcome): Promise<void> {
    const now = Date.now();
    const reportOne = job.record.progress < 1;
    job.record = {
      ...job.record,
      status: RestoreStatus.FinishedOk,
      progress: 1,
      stage: 'commit',
      courseid: outcome.courseid,
      settings: outcome.settings,
      warnings: outcome.warnings,
      error: null,
      timemodified: now,
      timefinished: now,
      heartbeat: null,
    };
    // The course is committed: the record says so even if another process had meanwhile ended the job.
    await job.writer.write(job.record, 'force').catch(() => undefined);
    if (reportOne) this.#options.emit('progress', { restoreid: job.restoreid, progress: 1, stage: 'commit' });
    this.#options.emit('completed', {
      restoreid: job.restoreid,
      courseid: outcome.courseid,
      seconds: outcome.seconds,
    });
  }

  async #fail(job: HeldJob, error: unknown): Promise<void> {
    if (job.endedElsewhere) {
      job.record = job.endedElsewhere;
    } else {
      const now = Date.now();
      job.record = {
        ...job.record,
        status: RestoreStatus.FinishedError,
        error: jobError(job.stop, error),
        timemodified: now,
        timefinished: now,
        heartbeat: null,
      };
      await job.writer.write(job.record).catch(() => undefined);
      if (job.endedElsewhere) job.record = job.endedElsewhere;
    }
    this.#emitEnd(job);
  }

  #emitEnd(job: HeldJob): void {
    const error = job.record.error ?? takenOver(job.record);
    if (error.code === ErrorCode.Cancelled) this.#options.emit('cancelled', { restoreid: job.restoreid });
    else this.#options.emit('failed', { restoreid: job.restoreid, error });
  }

  async #release(job: HeldJob): Promise<void> {
    if (job.job.tempFile) await rm(job.job.tempFile, { force: true }).catch(() => undefined);
    await rm(this.#copyPath(job.restoreid), { force: true }).catch(() => undefined);
    await rm(this.#workDir(job.restoreid), { recursive: true, force: true }).catch(() => undefined);
    this.#held.delete(job.restoreid);
    job.markEnded();
  }

  /**
   * Another process ended one of our jobs in the store, or took it from us: stop it without writing over that
   * record. A job still waiting here is for `onEndedWhileWaiting` (its queue must give it up), else it is ended here.
   */
  #onEndedElsewhere(job: HeldJob, onEndedWhileWaiting?: (held: HeldJob) => void): void {
    if (job.phase === 'ended') return;
    job.stop ??= 'ended-elsewhere';
    if (job.phase === 'running') job.running?.cancel();
    else if (onEndedWhileWaiting) onEndedWhileWaiting(job);
    else void this.endUnstarted(job, job.endedElsewhere?.error ?? takenOver(job.endedElsewhere ?? job.record));
  }

  /** Where a job's restore unpacks its backup: `<jobDir>/<restoreid>.work/`. */
  #workDir(restoreid: string): string {
    return join(this.#options.jobDir, `${restoreid}.work`);
  }
}

// Internal helpers

/** The error a job that did not commit ends with. */
function jobError(stop: StopReason | undefined, error: unknown): { code: string; message: string } {
  if (stop === 'cancelled') return { code: ErrorCode.Cancelled, message: CANCELLED };
  if (stop === 'interrupted') return { code: ErrorCode.Interrupted, message: CLOSED_RUNNING };
  if (isMbzError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Unexpected error: ${message}.` };
}

/** What this process reports for a job another one ended without an error, or took over (no error to report). */
function takenOver(record: RestoreJobRecord): { code: string; message: string } {
  if (isEnded(record.status)) return { code: 'internal', message: 'The restore ended without an error record.' };
  return {
    code: ErrorCode.Interrupted,
    message: `This process stopped running the restore: its record was taken from it (${record.status === RestoreStatus.Awaiting ? 'back to its queue for a retry' : `now held by ${record.owner ?? 'another process'}`}); nothing of this run was kept.`,
  };
}
