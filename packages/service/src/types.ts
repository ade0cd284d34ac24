/**
 * Public shapes of the asynchronous restore service: the two webservice functions Moodle's tracker proposed
 * (MDL-64915, `core_course_restore_async` and `core_course_restore_async_get_status`), the draft file area
 * they read from (Moodle's `webservice/upload.php`), a richer view of one restore, and the service's events.
 */
import type {
  OptionItem,
  RestoreOptionsInput,
  RestoreJobRecord,
  RestoreStatus,
  StorageAdapter,
  JobStore,
  ArchiveLimits,
  XmlLimits,
} from '@mbz-restore/engine';
import type { Readable } from 'node:stream';
import type { EventEmitter } from 'eventemitter3';
import type { JobQueue, QueueState } from './queue/job-queue.ts';
import type { RestoreServiceError } from './service-error.ts';

/** The backup to restore, as a file of the draft area (`localfile` of `core_course_restore_async`). */
export interface LocalFileRef {
  /** Context of the draft area: the uploading user's context (Moodle: `context_user::instance($USER->id)->id`). */
  readonly contextid: number;
  /** Context the file is recorded under; Moodle's proposal carries it beside `contextid`. Default is `contextid`. */
  readonly filecontextid?: number;
  /** Draft item id returned by the upload. */
  readonly itemid: number;
}

/** Parameters of `core_course_restore_async`. */
export interface RestoreAsyncParams {
  /** Category of the new course. */
  readonly categoryid: number;
  readonly localfile: LocalFileRef;
  /** Moodle's `[{ name, value }]` list; MDL-64915's defaults for anything not given. */
  readonly options?: readonly OptionItem[];
}

/** Result of `core_course_restore_async`. */
export interface RestoreAsyncResult {
  /** Opaque id of the restore (32 hex, like Moodle's backup id). */
  readonly restoreid: string;
}

/** Result of `core_course_restore_async_get_status`. */
export interface RestoreStatusResult {
  /** Moodle's code: 700 awaiting, 800 executing, 900 finished with error, 1000 finished ok. */
  readonly status: RestoreStatus;
  /** 0…1, never decreasing, exactly 1 at 1000. */
  readonly progress: number;
}

/**
 * Who asks. The webservice passes the token's user: new restores are recorded for that user, draft files are
 * looked up in that user's draft area, and restores of other users read as not found. Library callers may
 * leave it out: restores are then recorded for the admin (id 2) and nothing is scoped.
 */
export interface RequestIdentity {
  readonly userid?: number;
}

/**
 * Options of {@link RestoreService.restoreAsync} and {@link RestoreService.restoreFile} for the caller that
 * keeps its own record of who started a restore (the webservice records the token).
 */
export interface RestoreAsyncOptions {
  /**
   * Runs once every check has passed, with the new restore's id, before the job is recorded and queued: what
   * it records exists before the job does, so no reader ever sees the job without it. If it throws, the
   * request fails with that error and no job is recorded (what the hook wrote is the caller's to undo).
   */
  readonly onAccepted?: (restoreid: string) => void | Promise<void>;
}

/** Options of {@link RestoreService.saveDraftFile}. */
export interface SaveDraftFileOptions extends RequestIdentity {
  /** File name as uploaded (no slashes). */
  readonly filename: string;
  /** Folder inside the draft item, `/` by default; must start and end with `/`. */
  readonly filepath?: string;
  /** Draft item to add the file to; a new one when omitted (Moodle: `file_get_unused_draft_itemid()`). */
  readonly itemid?: number;
  readonly author?: string;
  readonly license?: string;
}

/** One file of {@link RestoreService.saveDraftFiles}. */
export interface DraftFileInput {
  /** The bytes: a path or a stream. */
  readonly content: Readable | string;
  /** File name as uploaded (no slashes). */
  readonly filename: string;
  /** Folder inside the draft item; the batch's `filepath` when omitted. */
  readonly filepath?: string;
}

/** Options of {@link RestoreService.saveDraftFiles}: as {@link SaveDraftFileOptions}, for every file of the batch. */
export interface SaveDraftFilesOptions extends RequestIdentity {
  /** Folder inside the draft item of files that name none, `/` by default; must start and end with `/`. */
  readonly filepath?: string;
  /** Draft item every file goes to; one new item for the whole batch when omitted. */
  readonly itemid?: number;
  readonly author?: string;
  readonly license?: string;
  /**
   * A file whose path and name are taken (in the draft item, or by an earlier file of the batch): `'fail'`
   * (the default) refuses the whole batch with `service.draft-file-exists`; `'skip'` stores the others and
   * answers a {@link DraftFileSkipped} for it, as `upload.php` answers a per-file `filenameexist` entry.
   */
  readonly ifExists?: 'fail' | 'skip';
}

/** A file of a batch that was not stored because its path and name were taken (`ifExists: 'skip'`). */
export interface DraftFileSkipped {
  readonly skipped: 'exists';
  readonly filename: string;
  readonly filepath: string;
}

/** One stored draft file, exactly the record Moodle's `webservice/upload.php` answers per file. */
export interface DraftFileRecord {
  readonly component: 'user';
  readonly contextid: number;
  readonly userid: string;
  readonly filearea: 'draft';
  readonly filename: string;
  readonly filepath: string;
  readonly itemid: number;
  readonly license: string;
  readonly author: string;
  readonly source: string;
}

/**
 * Everything known about one restore: stage, error, warnings, new course id, timings (`timecreated`,
 * `timestarted`, `timefinished`), resolved settings. It is the durable job record as the service reads it:
 * a job whose owner died reads 900 with error code `interrupted`.
 */
export type RestoreDetail = RestoreJobRecord;

/** Parameters of {@link RestoreService.restoreFile}. */
export interface RestoreFileParams {
  /** Category of the new course. Default is 1. */
  readonly categoryid?: number;
  /** Restore options by Moodle's names; MDL-64915's defaults for anything not given. */
  readonly options?: RestoreOptionsInput;
}

/** Events of a {@link RestoreService} (eventemitter3). */
export interface RestoreServiceEvents {
  queued: (event: { restoreid: string }) => void;
  /** `threadId`: the `worker_threads` thread the restore runs on (the service's own when it restores without workers). */
  started: (event: { restoreid: string; threadId: number }) => void;
  /** Throttled; `progress` never decreases. */
  progress: (event: { restoreid: string; progress: number; stage: string }) => void;
  completed: (event: { restoreid: string; courseid: number; seconds: number }) => void;
  failed: (event: { restoreid: string; error: { code: string; message: string } }) => void;
  cancelled: (event: { restoreid: string }) => void;
  /** A restore worker thread was started (see {@link RestoreServiceOptions.workers}). */
  workerStarted: (event: { threadId: number }) => void;
  /** A restore worker thread ended, and why. */
  workerExited: (event: { threadId: number; exitCode: number; reason: WorkerExitReason }) => void;
}

/**
 * Why a restore worker thread ended: `idle` (free for `workerIdleMs`), `closed` (the service closed),
 * `crashed` (it ended by itself; the restore it ran failed), `terminated` (it did not stop a cancelled restore
 * within `cancelTimeoutMs`), `recycled` (it held more than `workerMemory.recycleAboveMb` once its restore ended).
 */
export type WorkerExitReason = 'idle' | 'closed' | 'crashed' | 'terminated' | 'recycled';

/** Options of `createRestoreService()`. */
export interface RestoreServiceOptions {
  /** The store restores go into and where draft files and job records live (a storage adapter that is also a job store). */
  readonly storage: StorageAdapter & JobStore;
  /**
   * Most restores running at once in the default local queue. Default is one per CPU core. A `queue` given has its
   * own concurrency (giving both is an error).
   */
  readonly concurrency?: number;
  /**
   * Where and when jobs run (see the package README, "The job queue"). Default is a local queue
   * (`createLocalQueue({ concurrency })`): jobs wait in this process and run here, first in, first out. A queue serves
   * one service, which closes it in `close()`.
   */
  readonly queue?: JobQueue;
  /**
   * Run restores in `worker_threads` workers. Default `'auto'`: yes when the adapter is worker-safe
   * (`capabilities.workerSafe`), else on the calling thread. Workers are pooled: at most `concurrency` threads,
   * each running one restore after another on its own handle on the store; a free thread never keeps the
   * process alive.
   */
  readonly workers?: boolean | 'auto';
  /** How long a worker thread with no restore to run is kept before it is ended, in ms. Default is 30 000. */
  readonly workerIdleMs?: number;
  /**
   * How long a cancelled (or interrupted) restore in a worker thread may take to stop and roll back before its
   * thread is terminated, in ms (the store's recovery then discards the unit of work it left; a restore that
   * has begun to commit is never terminated). Default is 30 000.
   */
  readonly cancelTimeoutMs?: number;
  /**
   * Heap limits of each restore worker thread, in MB (Node's `resourceLimits`). A restore's live heap is small
   * (records stream), but V8 lets garbage pile up to far more before it collects; these bounds keep a large
   * restore's peak RSS flat (XL through the service: 578 MB with V8's defaults, under 300 MB with these).
   * Default is `{ maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 16 }`: room for the largest text
   * node the XML limits allow. A thread that runs out fails its restore, which rolls back.
   */
  readonly workerMemory?: {
    readonly maxOldGenerationSizeMb?: number;
    readonly maxYoungGenerationSizeMb?: number;
    /**
     * A thread that holds more than this once its restore has ended (its V8 heap as reserved from the system plus
     * its external memory) is ended rather than kept for the next restore, which gets a fresh thread. V8 keeps most
     * of the heap a large restore grew, and the next restore's garbage piles on top of it: two l restores in a row
     * in one thread took the worker process to 271 MB, against 240 MB with the thread ended in between. Small and
     * medium restores leave a thread below this and keep it: an m restore leaves 74–76 MB, an l one ~99 MB and
     * more (measured); starting a thread and opening its store costs about 0.9 s. Default is 88.
     */
    readonly recycleAboveMb?: number;
  };
  /** Least time between two `progress` events (and job record writes) of one restore, in ms. Default is 250. */
  readonly progressIntervalMs?: number;
  /** How often the service proves it is alive on each of its unfinished jobs (`heartbeat`), in ms. Default is 1000. */
  readonly heartbeatMs?: number;
  /**
   * After how long without a heartbeat an unfinished job of another process counts as abandoned, in ms.
   * Default is 5000. A job whose owner process is on this host and no longer exists counts as abandoned at once.
   */
  readonly leaseMs?: number;
  /** Where draft backups are copied for restoring and tar.gz backups are unpacked. Default is the OS temp dir. */
  readonly tempDir?: string;
  readonly limits?: Partial<ArchiveLimits>;
  readonly xmlLimits?: Partial<XmlLimits>;
  /**
   * How far into a tar.gz the service looks for `moodle_backup.xml` before it accepts a job, in bytes of entries.
   * Moodle writes that file near the end of the archive, so finding it means decompressing nearly all of it,
   * which the restore does again. Past this budget only the options' names and values are checked up front;
   * the backup is checked when its restore starts (a bad one ends 900 with the same typed error) and the job's
   * `settings` are empty until it ends. Default is 64 MiB (64 × 2^20). ZIPs and folders are always checked whole.
   */
  readonly precheckTarBytes?: number;
  /**
   * Site URL the restores decode links into (`$@FORUMVIEWBYID*12@$` → `<siteUrl>/mod/forum/view.php?id=…`), passed to
   * every restore (`RestoreRequest.siteUrl`, also in worker threads). Default is the store's `config.wwwroot`, else
   * `http://localhost`.
   */
  readonly siteUrl?: string;
}

/** The asynchronous restore service; listen with `on('progress', …)` etc. */
export interface RestoreService extends EventEmitter<RestoreServiceEvents> {
  /** Stores a backup (a path or a stream) in the draft area and answers what `webservice/upload.php` answers. */
  saveDraftFile(content: Readable | string, options: SaveDraftFileOptions): Promise<DraftFileRecord>;
  /**
   * Stores several files in one draft item, all or none: in one unit of work, so a failure on any file (a full
   * disk, a name taken with `ifExists: 'fail'` …) keeps none of them. Answers one entry per file, in order.
   */
  saveDraftFiles(
    files: readonly DraftFileInput[],
    options?: SaveDraftFilesOptions,
  ): Promise<Array<DraftFileRecord | DraftFileSkipped>>;
  /**
   * `core_course_restore_async`: validates (category, draft file, moodle2 format, options), records the job at
   * 700, queues it, and answers without waiting for the restore. Refusals throw {@link RestoreServiceError}
   * and record nothing. `options.onAccepted` runs between the last check and the job's record
   * ({@link RestoreAsyncOptions}).
   */
  restoreAsync(
    params: RestoreAsyncParams,
    identity?: RequestIdentity,
    options?: RestoreAsyncOptions,
  ): Promise<RestoreAsyncResult>;
  /** Like {@link restoreAsync} for a backup file on disk (no draft copy): what `mbz restore --detach` uses. */
  restoreFile(
    path: string,
    params?: RestoreFileParams,
    identity?: RequestIdentity,
    options?: RestoreAsyncOptions,
  ): Promise<RestoreAsyncResult>;
  /** `core_course_restore_async_get_status`; `service.restore-not-found` (Moodle `invalidrecord`) for an unknown id. */
  getStatus(restoreid: string, identity?: RequestIdentity): Promise<RestoreStatusResult>;
  /** Everything known about one restore; `service.restore-not-found` for an unknown id. */
  getRestore(restoreid: string, identity?: RequestIdentity): Promise<RestoreDetail>;
  /** Every restore of the store (of one user when given), newest first. */
  listRestores(identity?: RequestIdentity): Promise<RestoreDetail[]>;
  /**
   * Cancels a queued or running restore and resolves once it has ended: true when it ended cancelled (900,
   * error code `cancelled`, nothing kept), false when it had already ended or was committing and ended 1000.
   * A queued restore never starts; a running one stops at its next batch of rows and rolls back. A restore
   * run by another live process is asked to stop through its job record (its owner notices within a heartbeat).
   */
  cancel(restoreid: string, identity?: RequestIdentity): Promise<boolean>;
  /** Restores running and waiting in this service (not those of other processes). */
  queueState(): QueueState;
  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void>;
  /**
   * Stops taking work. `{ wait: true }` lets running restores finish (queued ones end 900 `interrupted`);
   * otherwise running ones are stopped, roll back and end 900 `interrupted`. A later call without `wait`
   * during a waiting close stops the running restores too (a second Ctrl+C); every call resolves when all
   * has ended. Worker threads are ended before it resolves. The storage adapter stays open (it belongs to the
   * caller).
   */
  close(options?: { wait?: boolean }): Promise<void>;
}
