/**
 * How the service runs one restore: `restore()` with a cancel switch and a progress callback, either on the
 * calling thread ({@link threadRunner}) or in a pool of worker threads (`worker-pool.ts`). Both report through
 * the same plain data, so the service does not care where the work ran.
 */
import { threadId } from 'node:worker_threads';
import {
  restore,
  type ArchiveLimits,
  type RestoreOptionsInput,
  type RestoreProgress,
  type RestoreResult,
  type StorageAdapter,
  type XmlLimits,
} from '@mbz-restore/engine';

/** What one restore needs (plain data: it crosses to a worker). */
export interface RestoreInput {
  /** The backup file (a temp copy of a draft file, or the caller's file). */
  readonly path: string;
  readonly categoryid: number;
  readonly options: RestoreOptionsInput;
  readonly restoreId: string;
  readonly limits?: Partial<ArchiveLimits>;
  readonly xmlLimits?: Partial<XmlLimits>;
  readonly tempDir?: string;
  /** Site URL restore links are decoded into (`RestoreRequest.siteUrl`); the store's `config.wwwroot` when absent. */
  readonly siteUrl?: string;
  /** The user the restore acts as (`RestoreRequest.actingUserId`, Moodle's `$USER`): the requesting user, when known. */
  readonly actingUserId?: number;
}

/** What a finished restore reports back (plain data). */
export interface RestoreOutcome {
  readonly courseid: number;
  readonly settings: Record<string, number>;
  readonly warnings: Array<{ code: string; message: string }>;
  readonly seconds: number;
}

/** Progress as it crosses threads: the stage and the overall fraction. */
export interface ProgressReport {
  readonly stage: string;
  readonly fraction: number;
}

/** A restore under way. */
export interface RunningRestore {
  /** Resolves when the restore committed; rejects with its error (an `AbortError` once cancelled) after it rolled back. */
  readonly done: Promise<RestoreOutcome>;
  /** The `worker_threads` thread id the restore runs on. */
  readonly threadId: number;
  /** Asks the restore to stop at its next batch of rows; `done` then rejects once it rolled back. */
  cancel(): void;
}

/** Runs restores somewhere, at most as many at once as the service's concurrency. */
export interface RestoreRunner {
  /** Starts one restore. */
  run(input: RestoreInput, onProgress: (progress: ProgressReport) => void): RunningRestore;
  /** Releases what the runner holds (worker threads); called once no restore runs. */
  close(): Promise<void>;
}

/** Runs each restore on the calling thread, into `storage`. */
export function threadRunner(storage: StorageAdapter): RestoreRunner {
  return {
    run(input, onProgress) {
      const controller = new AbortController();
      const pass = progressFilter();
      const done = restore(input.path, {
        ...input,
        storage,
        signal: controller.signal,
        onProgress: (p) => {
          if (pass(p)) onProgress({ stage: p.stage, fraction: p.fraction });
        },
      }).then(toOutcome);
      return { done, threadId, cancel: () => controller.abort() };
    },
    close: () => Promise.resolve(),
  };
}

/** The plain outcome of a restore result. */
export function toOutcome(result: RestoreResult): RestoreOutcome {
  return {
    courseid: result.courseid,
    settings: result.settings,
    warnings: result.warnings.map((w) => ({ code: w.code, message: w.message })),
    seconds: result.seconds,
  };
}

/**
 * A filter that lets through only progress worth reporting: a new stage, or a fraction at least 0.1 % above
 * the last one let through (a stage may report once per record; a worker should not post that many messages).
 */
export function progressFilter(): (p: RestoreProgress) => boolean {
  let stage: string | undefined;
  let fraction = -1;
  return (p) => {
    if (p.stage === stage && p.fraction < fraction + 0.001 && !(p.fraction === 1 && fraction < 1)) return false;
    stage = p.stage;
    fraction = p.fraction;
    return true;
  };
}
