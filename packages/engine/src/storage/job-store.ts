/**
 * Where the durable records of restore jobs live: the asynchronous restore service (`@mbz-restore/service`) writes
 * one per job (700 awaiting, 800 executing, 900 error, 1000 ok, as Moodle's `backup_controllers`), and any process
 * opening the same store reads it. The engine owns this interface, as it owns `StorageAdapter`; the adapters of
 * this project implement both on one store (`StorageAdapter & JobStore`: SQLite keeps jobs in
 * `mdl_backup_controllers`), and `@mbz-restore/storage-contract`'s `describeJobStore()` checks that they do.
 */
/** Status codes of a restore job, as Moodle's `backup::STATUS_*` (`backup/backup.class.php`). */
export const RestoreStatus = {
  /** Prechecks passed; queued. */
  Awaiting: 700,
  /** Running. */
  Executing: 800,
  /** Ended with an error (nothing was restored). */
  FinishedError: 900,
  /** Restored. */
  FinishedOk: 1000,
} as const;

/** One of Moodle's status codes. */
export type RestoreStatus = (typeof RestoreStatus)[keyof typeof RestoreStatus];

/** The durable record of one restore (Moodle keeps the same in `backup_controllers`). */
export interface RestoreJobRecord {
  /** 32 hex characters, like Moodle's restore id. */
  readonly restoreid: string;
  readonly status: RestoreStatus;
  /** 0…1, never decreasing; exactly 1 at {@link RestoreStatus.FinishedOk}. */
  readonly progress: number;
  /** Name of the stage running or last run. */
  readonly stage: string | null;
  /** Target category. */
  readonly categoryid: number;
  /** New course id once known. */
  readonly courseid: number | null;
  /** Resolved settings (JSON object of name → value). */
  readonly settings: Readonly<Record<string, number>>;
  /** Error code and message when the job ended at 900. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Warnings of the restore. */
  readonly warnings: ReadonlyArray<{ readonly code: string; readonly message: string }>;
  /** Where the backup came from (path or draft file description), for people. */
  readonly source: string;
  /** Moodle user the restore runs for (`backup_controllers.userid`). The async service scopes restores by it; 2 is the seeded admin. */
  readonly userid: number;
  /** Unix ms. */
  readonly timecreated: number;
  readonly timemodified: number;
  /** Unix ms when the work started (status 800), and when it ended (900 or 1000); null until then. */
  readonly timestarted: number | null;
  readonly timefinished: number | null;
  /** Identifies the process running the job and when it last proved alive (for crash detection). */
  readonly owner: string | null;
  readonly heartbeat: number | null;
}

/** The job records of a store. */
export interface JobStore {
  /**
   * Inserts or replaces a job record (by `restoreid`). A store that is also a `StorageAdapter` writes it at
   * once, outside any unit of work, and other processes opening a durable store see it.
   */
  putJob(job: RestoreJobRecord): Promise<void>;
  /** The record of one job, or `undefined`. */
  getJob(restoreid: string): Promise<RestoreJobRecord | undefined>;
  /** All jobs, oldest first (by `timecreated`). */
  listJobs(): Promise<RestoreJobRecord[]>;
}
