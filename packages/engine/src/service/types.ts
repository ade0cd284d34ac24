/**
 * Public shapes of the asynchronous restore service: the two webservice functions Moodle's tracker proposed
 * (MDL-64915, `core_course_restore_async` and `core_course_restore_async_get_status`), the draft file area
 * they read from (Moodle's `webservice/upload.php`), a richer view of one restore, and the service's events.
 */
import type { OptionItem } from '../options/option-input.ts';
import type { RestoreJobRecord, RestoreStatus, StorageAdapter } from '../storage/storage-adapter.ts';
import type { ArchiveLimits } from '../archive/limits.ts';
import type { XmlLimits } from '../xml/types.ts';
import type { Readable } from 'node:stream';
import type EventEmitter from 'eventemitter3';

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

/** Who asks (the webservice passes the token's user; library callers may leave it out: admin, id 2). */
export interface RequestIdentity {
  readonly userid?: number;
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

/** Everything known about one restore: the job record plus timings. */
export interface RestoreDetail extends RestoreJobRecord {
  /** Unix ms when the work started, and when it ended (null until then). */
  readonly timestarted: number | null;
  readonly timefinished: number | null;
}

/** How busy the service is. */
export interface QueueState {
  /** Most restores running at once. */
  readonly concurrency: number;
  /** Restore ids running now, oldest first. */
  readonly running: readonly string[];
  /** Restore ids waiting, in the order they will start (FIFO). */
  readonly queued: readonly string[];
}

/** Events of a {@link RestoreService} (eventemitter3). */
export interface RestoreServiceEvents {
  queued: (event: { restoreid: string }) => void;
  started: (event: { restoreid: string }) => void;
  /** Throttled; `progress` never decreases. */
  progress: (event: { restoreid: string; progress: number; stage: string }) => void;
  completed: (event: { restoreid: string; courseid: number; seconds: number }) => void;
  failed: (event: { restoreid: string; error: { code: string; message: string } }) => void;
  cancelled: (event: { restoreid: string }) => void;
}

/** Options of `createRestoreService()`. */
export interface RestoreServiceOptions {
  /** The store restores go into and where jobs and draft files live. */
  readonly storage: StorageAdapter;
  /** Most restores running at once. Default is one per CPU core. */
  readonly concurrency?: number;
  /**
   * Run each restore in a `worker_threads` worker. Default `'auto'`: yes when the adapter is worker-safe
   * (`capabilities.workerSafe`), else on the calling thread.
   */
  readonly workers?: boolean | 'auto';
  /** Least time between two `progress` events (and job record writes) of one restore, in ms. Default is 250. */
  readonly progressIntervalMs?: number;
  /** How often a running job proves its owner alive, and after how long without proof it counts as dead, in ms. Defaults 1000 and 5000. */
  readonly heartbeatMs?: number;
  readonly leaseMs?: number;
  /** Where tar.gz backups are unpacked. Default is the OS temp dir. */
  readonly tempDir?: string;
  readonly limits?: Partial<ArchiveLimits>;
  readonly xmlLimits?: Partial<XmlLimits>;
}

/** The asynchronous restore service; listen with `on('progress', …)` etc. */
export interface RestoreService extends EventEmitter<RestoreServiceEvents> {
  /** Stores a backup (a path or a stream) in the draft area and answers what `webservice/upload.php` answers. */
  saveDraftFile(content: Readable | string, options: SaveDraftFileOptions): Promise<DraftFileRecord>;
  /** `core_course_restore_async`: validates, records the job at 700, queues it, and answers at once. */
  restoreAsync(params: RestoreAsyncParams, identity?: RequestIdentity): Promise<RestoreAsyncResult>;
  /** `core_course_restore_async_get_status`. */
  getStatus(restoreid: string): Promise<RestoreStatusResult>;
  /** Everything known about one restore. */
  getRestore(restoreid: string): Promise<RestoreDetail>;
  /** Every restore of the store (of one user when given), newest first. */
  listRestores(identity?: RequestIdentity): Promise<RestoreDetail[]>;
  /** Cancels a queued or running restore; true when it was cancelled, false when it had already ended. */
  cancel(restoreid: string): Promise<boolean>;
  queueState(): QueueState;
  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void>;
  /**
   * Stops taking work. `{ wait: true }` lets running restores finish (queued ones end 900 `interrupted`);
   * otherwise running ones are cancelled and end 900 `interrupted`.
   */
  close(options?: { wait?: boolean }): Promise<void>;
}
