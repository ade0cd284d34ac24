/**
 * The asynchronous restore service (MDL-64915's `core_course_restore_async` and
 * `core_course_restore_async_get_status`, after Moodle's `asynchronous_restore_task`), its front end: a request is
 * checked, recorded at 700 and handed to a job queue (`queue/`; the local one by default: first in, first out, a few
 * at once, in this process); the job executor (`executor/`) runs what the queue hands out at 800 (in a pooled worker
 * thread when the store allows it) and ends it 1000 or 900. Status, lists and cancels read the job records of the
 * store (a `JobStore`), so any process opening the store sees every job; a job whose holder died is recovered by
 * whoever notices, as its queue decides (a retry at 700, or 900 `interrupted`; `executor/job-lease.ts`). A failed or
 * cancelled restore keeps nothing but its job record: `restore()` is one unit of work that rolls back.
 */
import { EventEmitter } from 'eventemitter3';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorCode,
  InvalidArgumentError,
  RestoreStatus,
  type JobStore,
  type RestoreJobRecord,
  type StorageAdapter,
} from '@mbz-restore/engine';
import type { HeldJob } from '../executor/held-jobs.ts';
import { CANCELLED, CLOSED_QUEUED, JobExecutor } from '../executor/job-executor.ts';
import { isEnded } from '../executor/job-lease.ts';
import type { JobQueue, QueueState } from '../queue/job-queue.ts';
import { createLocalQueue } from '../queue/local-queue.ts';
import type { WorkerLifecycleEvent } from '../runner/worker-pool.ts';
import { runnerFor } from '../runner/worker-runner.ts';
import { RestoreServiceError } from '../service-error.ts';
import type {
  DraftFileInput,
  DraftFileRecord,
  DraftFileSkipped,
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
} from '../types.ts';
import { saveDraftFiles } from './draft-area.ts';
import { acceptDraftRequest, acceptFileRequest, awaitingRecord, queuedJob, type AcceptedJob } from './job-intake.ts';
import { checkRestoreId, checkUserId } from './service-params.ts';
import type { Readable } from 'node:stream';

/**
 * Creates the service on an adapter (opened here if needed), first recovers every job a dead process left at 700
 * or 800 in the store (900 `interrupted`, or back to 700 when its queue retries it), then hands its queue the
 * executor.
 */
export async function createRestoreService(options: RestoreServiceOptions): Promise<RestoreService> {
  const service = new AsyncRestoreService(options);
  await service.start();
  return service;
}

// Internal helpers

class AsyncRestoreService extends EventEmitter<RestoreServiceEvents> implements RestoreService {
  readonly #storage: StorageAdapter & JobStore;
  readonly #options: RestoreServiceOptions;
  readonly #queue: JobQueue;
  readonly #executor: JobExecutor;
  readonly #jobDir: string;
  /** Requests between their last check and their job being queued (close waits for them). */
  readonly #accepting = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  /** True while a close lets running restores finish (a later close without `wait` stops them). */
  #closingWaits = false;

  constructor(options: RestoreServiceOptions) {
    super();
    this.#storage = options.storage;
    this.#options = options;
    const precheckTarBytes = options.precheckTarBytes;
    if (precheckTarBytes !== undefined && (!Number.isSafeInteger(precheckTarBytes) || precheckTarBytes < 0)) {
      throw new InvalidArgumentError(`precheckTarBytes must be a whole number of bytes ≥ 0, got ${precheckTarBytes}.`);
    }
    if (options.queue && options.concurrency !== undefined) {
      throw new InvalidArgumentError(
        `concurrency belongs to the queue when one is given (the ${options.queue.name} queue's own options).`,
      );
    }
    this.#queue = options.queue ?? createLocalQueue({ concurrency: options.concurrency });
    this.#jobDir = join(options.tempDir ?? tmpdir(), 'mbz-restore-jobs');
    this.#executor = new JobExecutor({
      jobs: options.storage,
      blobs: options.storage,
      runner: runnerFor(options, (event) => this.#onWorker(event)),
      jobDir: this.#jobDir,
      restore: { limits: options.limits, xmlLimits: options.xmlLimits, siteUrl: options.siteUrl },
      progressIntervalMs: options.progressIntervalMs ?? 250,
      heartbeatMs: options.heartbeatMs ?? 1000,
      leaseMs: options.leaseMs ?? 5000,
      emit: (name, event) => this.#emit(name, event as never),
    });
  }

  async start(): Promise<void> {
    await this.#storage.open();
    const now = Date.now();
    for (const job of await this.#storage.listJobs()) {
      if (this.#executor.isAbandoned(job, now)) await this.#recover(job, now);
    }
    this.#executor.start();
    await this.#queue.work(this.#executor);
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
    const held = this.#executor.held(restoreid);
    const job = held?.record ?? (await this.#reconciled(await this.#storage.getJob(restoreid)));
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
      const job = this.#executor.held(stored.restoreid)?.record ?? (await this.#reconciled(stored))!;
      if (identity.userid === undefined || job.userid === identity.userid) jobs.push(job);
    }
    return jobs.sort((a, b) => b.timecreated - a.timecreated);
  }

  async cancel(restoreid: string, identity: RequestIdentity = {}): Promise<boolean> {
    checkRestoreId(restoreid);
    const held = this.#executor.held(restoreid);
    if (!held || (identity.userid !== undefined && held.record.userid !== identity.userid))
      return this.#cancelElsewhere(restoreid, identity);
    if (held.phase === 'queued' && (await this.#queue.withdraw(restoreid))) {
      held.stop = 'cancelled';
      await this.#executor.endUnstarted(held, { code: ErrorCode.Cancelled, message: CANCELLED });
    } else {
      this.#executor.stop(held, 'cancelled');
    }
    await held.ended;
    return held.stop === 'cancelled' && held.record.error?.code === ErrorCode.Cancelled;
  }

  /** Cancels a job this service does not hold: false when it has ended; else asks its holder through the record. */
  async #cancelElsewhere(restoreid: string, identity: RequestIdentity): Promise<boolean> {
    const job = await this.getRestore(restoreid, identity);
    if (isEnded(job.status)) return false;
    // A durable queue gives it up if it still waits there; a worker running it finds the job ended at its next write
    // (a heartbeat at most) and stops, rolling back.
    if (job.status === RestoreStatus.Awaiting) await this.#queue.withdraw(restoreid);
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
    return this.#queue.state();
  }

  async onIdle(): Promise<void> {
    for (;;) {
      await this.#queue.onIdle();
      const open = this.#executor.heldJobs().filter((job) => job.phase !== 'ended');
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
      this.#executor.stopAll('interrupted');
    }
    return this.#closing;
  }

  async #close(): Promise<void> {
    await Promise.allSettled([...this.#accepting]);
    // The queue hands out nothing more; the jobs waiting in this process are ended here.
    await this.#queue.close();
    const jobs = this.#executor.heldJobs();
    // Marked first, so that none of them starts while the others are being ended.
    for (const job of jobs) if (job.phase === 'queued') job.stop = 'interrupted';
    for (const job of jobs)
      if (job.phase === 'queued')
        await this.#executor.endUnstarted(job, { code: ErrorCode.Interrupted, message: CLOSED_QUEUED });
    if (!this.#closingWaits) this.#executor.stopAll('interrupted');
    await Promise.all(jobs.map((job) => job.ended));
    await this.#queue.onIdle();
    await this.#executor.close();
  }

  // Accepting jobs

  /** Records the job and queues it; close() waits for a request that is here. */
  #accept(job: AcceptedJob, hooks: RestoreAsyncOptions): Promise<RestoreAsyncResult> {
    this.#assertOpen(); // closed while the request was being checked
    const accepting = this.#record(job, hooks);
    this.#accepting.add(accepting);
    return accepting.finally(() => this.#accepting.delete(accepting));
  }

  async #record(accepted: AcceptedJob, hooks: RestoreAsyncOptions): Promise<RestoreAsyncResult> {
    const { restoreid } = accepted;
    await hooks.onAccepted?.(restoreid);
    // A job waiting in this process's memory is this process's to prove alive; one in a durable queue is no process's.
    const durable = this.#queue.durable;
    const record = awaitingRecord(accepted, durable ? null : this.#executor.owner, Date.now());
    await this.#storage.putJob(record);
    const job = queuedJob(accepted);
    if (!durable) {
      const held = this.#executor.hold(record, job, (h) => this.#onEndedWhileWaiting(h));
      // Closed meanwhile: close() waits for this request, then ends the job as a waiting one; it must not start.
      if (this.#closing) held.stop = 'interrupted';
    }
    this.#emit('queued', { restoreid });
    try {
      await this.#queue.enqueue(job);
    } catch (error) {
      await this.#notQueued(record, error);
      throw error;
    }
    return { restoreid };
  }

  /** A job recorded at 700 that its queue refused: it ends 900 at once (the caller gets the queue's error). */
  async #notQueued(record: RestoreJobRecord, error: unknown): Promise<void> {
    const failure = {
      code: ErrorCode.Interrupted,
      message: `The restore could not be queued (${error instanceof Error ? error.message : String(error)}).`,
    };
    const held = this.#executor.held(record.restoreid);
    if (held) await this.#executor.endUnstarted(held, failure);
    else {
      const now = Date.now();
      await this.#storage
        .putJob({
          ...record,
          status: RestoreStatus.FinishedError,
          error: failure,
          timemodified: now,
          timefinished: now,
        })
        .catch(() => undefined);
    }
  }

  /** Another process ended a job still waiting here (a cancel): the queue gives it up, and it ends as recorded. */
  #onEndedWhileWaiting(job: HeldJob): void {
    const error = job.endedElsewhere?.error ?? { code: ErrorCode.Interrupted, message: '' };
    void this.#queue
      .withdraw(job.restoreid)
      .catch(() => false)
      .then(() => this.#executor.endUnstarted(job, error));
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

  #onWorker(event: WorkerLifecycleEvent): void {
    if (event.type === 'started') this.#emit('workerStarted', { threadId: event.threadId });
    else this.#emit('workerExited', { threadId: event.threadId, exitCode: event.exitCode, reason: event.reason });
  }

  // Reading jobs of the store

  /** `job` as it stands: recovered (and so recorded) when its holder is gone. */
  async #reconciled(job: RestoreJobRecord | undefined): Promise<RestoreJobRecord | undefined> {
    if (!job) return job;
    const now = Date.now();
    return this.#executor.isAbandoned(job, now) ? this.#recover(job, now) : job;
  }

  /** A job whose holder is gone: its queue decides whether it runs again (700) or ends 900 `interrupted`. */
  async #recover(job: RestoreJobRecord, now: number): Promise<RestoreJobRecord> {
    return this.#executor.recover(job, await this.#queue.lost(job.restoreid), now);
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
