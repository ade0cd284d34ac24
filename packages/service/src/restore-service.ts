/**
 * The asynchronous restore service (MDL-64915's `core_course_restore_async` and
 * `core_course_restore_async_get_status`, after Moodle's `asynchronous_restore_task`): a request is checked,
 * recorded at 700 and queued; a p-queue runs queued restores first in, first out, a few at once; each runs at
 * 800 (in a pooled worker thread when the store allows it, `worker-pool.ts`) and ends 1000 or 900. Every job
 * record lives in the store (`putJob`), so any process opening the store sees it; a job whose process died is
 * ended 900 `interrupted` by whoever notices (see `job-lease.ts`). A failed or cancelled restore keeps nothing
 * but its job record: `restore()` is one unit of work that rolls back.
 */
import { EventEmitter } from 'eventemitter3';
import PQueue from 'p-queue';
import { rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorCode,
  InvalidArgumentError,
  isMbzError,
  RestoreStatus,
  type RestoreJobRecord,
  type JobStore,
  type StorageAdapter,
} from '@mbz-restore/engine';
import { saveDraftFiles } from './draft-area.ts';
import { acceptDraftRequest, acceptFileRequest, awaitingRecord, type AcceptedJob } from './job-intake.ts';
import { interrupted, isAbandoned, isEnded, newOwnerId, ownerGoneMessage } from './job-lease.ts';
import { LocalJob, type StopReason } from './local-job.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { ProgressReport, RestoreOutcome, RestoreRunner } from './restore-runner.ts';
import { RestoreServiceError } from './service-error.ts';
import { checkRestoreId, checkUserId } from './service-params.ts';
import type {
  DraftFileInput,
  DraftFileRecord,
  DraftFileSkipped,
  QueueState,
  RequestIdentity,
  RestoreAsyncOptions,
  RestoreAsyncParams,
  RestoreAsyncResult,
  RestoreDetail,
  RestoreFileParams,
  RestoreService,
  RestoreServiceEvents,
  RestoreServiceOptions,
  RestoreStatusResult,
  SaveDraftFileOptions,
  SaveDraftFilesOptions,
} from './types.ts';
import type { WorkerLifecycleEvent } from './worker-pool.ts';
import { runnerFor } from './worker-runner.ts';
import type { Readable } from 'node:stream';

/**
 * Creates the service on an adapter (opened here if needed) and first ends, 900 `interrupted`, every job a
 * dead process left at 700 or 800 in the store.
 */
export async function createRestoreService(options: RestoreServiceOptions): Promise<RestoreService> {
  const service = new AsyncRestoreService(options);
  await service.start();
  return service;
}

// Internal helpers

const CANCELLED = 'The restore was cancelled; nothing of it was kept.';
const CLOSED_QUEUED = 'The restore service was closed before this restore started.';
const CLOSED_RUNNING = 'The restore service was closed while this restore ran; nothing of it was kept.';

class AsyncRestoreService extends EventEmitter<RestoreServiceEvents> implements RestoreService {
  readonly #storage: StorageAdapter & JobStore;
  readonly #options: RestoreServiceOptions;
  readonly #owner = newOwnerId();
  readonly #runner: RestoreRunner;
  readonly #queue: PQueue;
  readonly #jobs = new Map<string, LocalJob>();
  readonly #queued: string[] = [];
  readonly #running: string[] = [];
  readonly #leaseMs: number;
  readonly #jobDir: string;
  /** Requests between their last check and their job being held here (close waits for them). */
  readonly #accepting = new Set<Promise<unknown>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** True while a close lets running restores finish (a later close without `wait` stops them). */
  #closingWaits = false;

  constructor(options: RestoreServiceOptions) {
    super();
    this.#storage = options.storage;
    this.#options = options;
    const concurrency = options.concurrency ?? availableParallelism();
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new InvalidArgumentError(`concurrency must be a positive whole number, got ${concurrency}.`);
    const precheckTarBytes = options.precheckTarBytes;
    if (precheckTarBytes !== undefined && (!Number.isSafeInteger(precheckTarBytes) || precheckTarBytes < 0)) {
      throw new InvalidArgumentError(`precheckTarBytes must be a whole number of bytes ≥ 0, got ${precheckTarBytes}.`);
    }
    this.#queue = new PQueue({ concurrency });
    this.#leaseMs = options.leaseMs ?? 5000;
    this.#jobDir = join(options.tempDir ?? tmpdir(), 'mbz-restore-jobs');
    this.#runner = runnerFor(options, (event) => this.#onWorker(event));
  }

  async start(): Promise<void> {
    await this.#storage.open();
    const now = Date.now();
    for (const job of await this.#storage.listJobs()) {
      if (isAbandoned(job, now, this.#leaseMs)) await this.#endAbandoned(job, now);
    }
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs ?? 1000);
    this.#heartbeat.unref();
  }

  async saveDraftFile(content: Readable | string, options: SaveDraftFileOptions): Promise<DraftFileRecord> {
    const { filename, filepath, ...batch } = options;
    const [record] = await this.saveDraftFiles(
      [{ content, filename, ...(filepath === undefined ? {} : { filepath }) }],
      batch,
    );
    return record as DraftFileRecord;
  }

  saveDraftFiles(
    files: readonly DraftFileInput[],
    options: SaveDraftFilesOptions = {},
  ): Promise<Array<DraftFileRecord | DraftFileSkipped>> {
    this.#assertOpen();
    if (options.userid !== undefined) checkUserId(options.userid);
    return saveDraftFiles(this.#storage, files, options, this.#options.tempDir);
  }

  async restoreAsync(
    params: RestoreAsyncParams,
    identity: RequestIdentity = {},
    hooks: RestoreAsyncOptions = {},
  ): Promise<RestoreAsyncResult> {
    this.#assertOpen();
    const job = await acceptDraftRequest(this.#storage, this.#options, this.#jobDir, params, identity);
    try {
      return await this.#accept(job, hooks);
    } catch (error) {
      await rm(job.path, { force: true });
      throw error;
    }
  }

  async restoreFile(
    path: string,
    params: RestoreFileParams = {},
    identity: RequestIdentity = {},
    hooks: RestoreAsyncOptions = {},
  ): Promise<RestoreAsyncResult> {
    this.#assertOpen();
    return this.#accept(await acceptFileRequest(this.#storage, this.#options, path, params, identity), hooks);
  }

  async getStatus(restoreid: string, identity: RequestIdentity = {}): Promise<RestoreStatusResult> {
    const job = await this.getRestore(restoreid, identity);
    return { status: job.status, progress: job.progress };
  }

  async getRestore(restoreid: string, identity: RequestIdentity = {}): Promise<RestoreDetail> {
    checkRestoreId(restoreid);
    const local = this.#jobs.get(restoreid);
    const job = local?.record ?? (await this.#reconciled(await this.#storage.getJob(restoreid)));
    if (!job || (identity.userid !== undefined && job.userid !== identity.userid)) {
      throw new RestoreServiceError(
        ErrorCode.ServiceRestoreNotFound,
        `There is no restore ${restoreid} in this store${identity.userid === undefined ? '' : ' for this user'}.`,
        'invalidrecord',
      );
    }
    return job;
  }

  async listRestores(identity: RequestIdentity = {}): Promise<RestoreDetail[]> {
    const jobs: RestoreDetail[] = [];
    for (const stored of await this.#storage.listJobs()) {
      const job = this.#jobs.get(stored.restoreid)?.record ?? (await this.#reconciled(stored))!;
      if (identity.userid === undefined || job.userid === identity.userid) jobs.push(job);
    }
    return jobs.sort((a, b) => b.timecreated - a.timecreated);
  }

  async cancel(restoreid: string, identity: RequestIdentity = {}): Promise<boolean> {
    checkRestoreId(restoreid);
    const local = this.#jobs.get(restoreid);
    if (!local || (identity.userid !== undefined && local.record.userid !== identity.userid))
      return this.#cancelElsewhere(restoreid, identity);
    if (local.phase === 'queued') {
      local.stop = 'cancelled';
      await this.#endQueued(local, { code: ErrorCode.Cancelled, message: CANCELLED });
    } else if (local.phase === 'running') {
      local.stop ??= 'cancelled';
      local.running?.cancel();
    }
    await local.ended;
    return local.stop === 'cancelled' && local.record.error?.code === ErrorCode.Cancelled;
  }

  /** Cancels a job this service does not hold: false when it has ended; else asks its owner through the record. */
  async #cancelElsewhere(restoreid: string, identity: RequestIdentity): Promise<boolean> {
    const job = await this.getRestore(restoreid, identity);
    if (isEnded(job.status)) return false;
    // Its owner finds the job ended at its next write (a heartbeat at most) and stops, rolling back.
    const now = Date.now();
    await this.#storage.putJob({
      ...job,
      status: RestoreStatus.FinishedError,
      timemodified: now,
      timefinished: now,
      error: { code: ErrorCode.Cancelled, message: `${CANCELLED} (Cancelled from another process.)` },
    });
    return true;
  }

  queueState(): QueueState {
    return { concurrency: this.#queue.concurrency, running: [...this.#running], queued: [...this.#queued] };
  }

  async onIdle(): Promise<void> {
    for (;;) {
      const open = [...this.#jobs.values()].filter((job) => job.phase !== 'ended');
      if (open.length === 0) return;
      await Promise.all(open.map((job) => job.ended));
    }
  }

  close(options: { wait?: boolean } = {}): Promise<void> {
    const wait = options.wait ?? false;
    if (!this.#closing) {
      this.#closingWaits = wait;
      this.#closing = this.#close();
    } else if (this.#closingWaits && !wait) {
      // A second, impatient close: stop what the first one was waiting for.
      this.#closingWaits = false;
      this.#interruptRunning();
    }
    return this.#closing;
  }

  async #close(): Promise<void> {
    await Promise.allSettled([...this.#accepting]);
    const jobs = [...this.#jobs.values()];
    // Marked first, so that none of them starts while the others are being ended.
    for (const job of jobs) if (job.phase === 'queued') job.stop = 'interrupted';
    for (const job of jobs)
      if (job.phase === 'queued') await this.#endQueued(job, { code: ErrorCode.Interrupted, message: CLOSED_QUEUED });
    if (!this.#closingWaits) this.#interruptRunning();
    await Promise.all(jobs.map((job) => job.ended));
    clearInterval(this.#heartbeat);
    this.#queue.clear();
    await this.#runner.close();
  }

  /** Stops every running restore: it rolls back and ends 900 `interrupted` (unless already being cancelled). */
  #interruptRunning(): void {
    for (const job of this.#jobs.values()) {
      if (job.phase !== 'running') continue;
      job.stop ??= 'interrupted';
      job.running?.cancel();
    }
  }

  // Accepting and running jobs

  /** Records the job and queues it; close() waits for a request that is here. */
  #accept(job: AcceptedJob, hooks: RestoreAsyncOptions): Promise<RestoreAsyncResult> {
    this.#assertOpen(); // closed while the request was being checked
    const accepting = this.#record(job, hooks);
    this.#accepting.add(accepting);
    return accepting.finally(() => this.#accepting.delete(accepting));
  }

  async #record(job: AcceptedJob, hooks: RestoreAsyncOptions): Promise<RestoreAsyncResult> {
    await hooks.onAccepted?.(job.restoreid);
    const record = awaitingRecord(job, this.#owner, Date.now());
    await this.#storage.putJob(record);
    const input = {
      path: job.path,
      categoryid: job.categoryid,
      options: job.options ?? {},
      restoreId: job.restoreid,
      // The restore unpacks into a folder of the job's own, which the service removes when the job ends, even when the
      // thread that ran it was killed (it cannot clean up after itself then).
      limits: this.#options.limits,
      xmlLimits: this.#options.xmlLimits,
      tempDir: this.#workDir(job.restoreid),
      ...(this.#options.siteUrl === undefined ? {} : { siteUrl: this.#options.siteUrl }),
      ...(job.actingUserId === undefined ? {} : { actingUserId: job.actingUserId }),
    };
    const local = new LocalJob(this.#storage, record, input, job.tempFile, (j) => this.#onEndedElsewhere(j));
    // Closed meanwhile: close() waits for this request, then ends the job as a queued one; it must not start.
    if (this.#closing) local.stop = 'interrupted';
    this.#jobs.set(job.restoreid, local);
    this.#queued.push(job.restoreid);
    this.#emit('queued', { restoreid: job.restoreid });
    void this.#queue.add(() => this.#run(local));
    return { restoreid: job.restoreid };
  }

  async #run(job: LocalJob): Promise<void> {
    if (job.phase !== 'queued' || job.stop) return; // being ended by cancel() or close()
    job.phase = 'running';
    remove(this.#queued, job.restoreid);
    this.#running.push(job.restoreid);
    const now = Date.now();
    job.record = {
      ...job.record,
      status: RestoreStatus.Executing,
      timestarted: now,
      timemodified: now,
      heartbeat: now,
    };
    const throttle = new ProgressThrottle(this.#options.progressIntervalMs ?? 250, (p) =>
      this.#progress(job, p.stage, p.fraction),
    );
    let announced = false;
    let early: ProgressReport | undefined;
    try {
      await job.writer.write(job.record);
      if (job.stop) throw new DOMException('Stopped before it started.', 'AbortError');
      job.running = this.#runner.run(job.input, (p) => {
        if (job.stop) return;
        if (announced) throttle.push(p);
        else early = p;
      });
      this.#emit('started', { restoreid: job.restoreid, threadId: job.running.threadId });
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
      remove(this.#running, job.restoreid);
      await this.#release(job);
    }
  }

  #progress(job: LocalJob, stage: string, fraction: number): void {
    if (job.phase !== 'running' || job.stop || isEnded(job.record.status)) return;
    const progress = Math.max(job.record.progress, Math.min(1, fraction));
    if (progress === job.record.progress && stage === job.record.stage) return;
    job.record = { ...job.record, progress, stage, timemodified: Date.now() };
    job.writer.write(job.record).catch(() => undefined);
    this.#emit('progress', { restoreid: job.restoreid, progress, stage });
  }

  async #complete(job: LocalJob, outcome: RestoreOutcome): Promise<void> {
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
    if (reportOne) this.#emit('progress', { restoreid: job.restoreid, progress: 1, stage: 'commit' });
    this.#emit('completed', { restoreid: job.restoreid, courseid: outcome.courseid, seconds: outcome.seconds });
  }

  async #fail(job: LocalJob, error: unknown): Promise<void> {
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

  /** Ends a job that never started (cancelled, service closed, or ended elsewhere). */
  async #endQueued(job: LocalJob, error: { code: string; message: string }): Promise<void> {
    if (job.phase !== 'queued') return;
    job.phase = 'ended';
    remove(this.#queued, job.restoreid);
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

  #emitEnd(job: LocalJob): void {
    const error = job.record.error ?? { code: 'internal', message: 'The restore ended without an error record.' };
    if (error.code === ErrorCode.Cancelled) this.#emit('cancelled', { restoreid: job.restoreid });
    else this.#emit('failed', { restoreid: job.restoreid, error });
  }

  /**
   * Emits an event. A listener that throws does not change the job (its record is already written): its error
   * is rethrown outside the service, as an uncaught exception, where the application sees it.
   */
  #emit<K extends keyof RestoreServiceEvents>(name: K, event: Parameters<RestoreServiceEvents[K]>[0]): void {
    try {
      (this.emit as (name: K, event: unknown) => boolean)(name, event);
    } catch (error) {
      setImmediate(() => {
        throw error;
      });
    }
  }

  async #release(job: LocalJob): Promise<void> {
    if (job.tempFile) await rm(job.tempFile, { force: true }).catch(() => undefined);
    await rm(this.#workDir(job.restoreid), { recursive: true, force: true }).catch(() => undefined);
    this.#jobs.delete(job.restoreid);
    job.markEnded();
  }

  /** Another process ended one of our jobs in the store: stop it without writing over that record. */
  #onEndedElsewhere(job: LocalJob): void {
    if (job.phase === 'ended') return;
    job.stop ??= 'ended-elsewhere';
    if (job.phase === 'queued')
      void this.#endQueued(job, job.endedElsewhere!.error ?? { code: ErrorCode.Interrupted, message: '' });
    else job.running?.cancel();
  }

  #onWorker(event: WorkerLifecycleEvent): void {
    if (event.type === 'started') this.#emit('workerStarted', { threadId: event.threadId });
    else this.#emit('workerExited', { threadId: event.threadId, exitCode: event.exitCode, reason: event.reason });
  }

  #beat(): void {
    const now = Date.now();
    for (const job of this.#jobs.values()) {
      if (job.phase === 'ended' || isEnded(job.record.status)) continue;
      job.record = { ...job.record, heartbeat: now };
      job.writer.write(job.record).catch(() => undefined);
    }
  }

  // Reading jobs of the store

  /** `job` as it stands: ended 900 `interrupted` (and so recorded) when its owner is gone. */
  async #reconciled(job: RestoreJobRecord | undefined): Promise<RestoreJobRecord | undefined> {
    if (!job || this.#jobs.has(job.restoreid)) return job;
    const now = Date.now();
    return isAbandoned(job, now, this.#leaseMs) ? this.#endAbandoned(job, now) : job;
  }

  async #endAbandoned(job: RestoreJobRecord, now: number): Promise<RestoreJobRecord> {
    const ended = interrupted(job, now, ownerGoneMessage(job));
    await this.#storage.putJob(ended);
    await rm(join(this.#jobDir, `${job.restoreid}.backup`), { force: true }).catch(() => undefined);
    // A process that died mid-restore left its unpack folder too (same host; another host's folder is not here).
    await rm(this.#workDir(job.restoreid), { recursive: true, force: true }).catch(() => undefined);
    return ended;
  }

  /** Where a job's restore unpacks its backup: `<tempDir>/mbz-restore-jobs/<restoreid>.work/`. */
  #workDir(restoreid: string): string {
    return join(this.#jobDir, `${restoreid}.work`);
  }

  #assertOpen(): void {
    if (this.#closing)
      throw new RestoreServiceError(
        ErrorCode.ServiceClosed,
        'The restore service is closed; create a new one to restore.',
        'servicenotavailable',
      );
  }
}

/** The error a job that did not commit ends with. */
function jobError(stop: StopReason | undefined, error: unknown): { code: string; message: string } {
  if (stop === 'cancelled') return { code: ErrorCode.Cancelled, message: CANCELLED };
  if (stop === 'interrupted') return { code: ErrorCode.Interrupted, message: CLOSED_RUNNING };
  if (isMbzError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Unexpected error: ${message}.` };
}

function remove(list: string[], item: string): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
