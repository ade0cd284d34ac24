/**
 * A job this service holds: its current record (the service's own reads use it; the store gets it through a
 * {@link JobWriter}), what to restore, where it is in its life, and why it was asked to stop.
 */
import type { JobStore, RestoreJobRecord } from '@mbz-restore/engine';
import { JobWriter } from './job-writer.ts';
import type { RestoreInput, RunningRestore } from './restore-runner.ts';

/** Why a job was asked to stop: a cancel, the service closing, or another process ending it in the store. */
export type StopReason = 'cancelled' | 'interrupted' | 'ended-elsewhere';

/** One job held by the service. */
export class LocalJob {
  record: RestoreJobRecord;
  readonly input: RestoreInput;
  /** Temp file to delete when the job ends (a draft file's copy). */
  readonly tempFile: string | undefined;
  readonly writer: JobWriter;
  phase: 'queued' | 'running' | 'ended' = 'queued';
  stop: StopReason | undefined;
  /** The ended record another process wrote, when it did. */
  endedElsewhere: RestoreJobRecord | undefined;
  running: RunningRestore | undefined;
  /** Resolves when the job has ended and its last record was written. */
  readonly ended: Promise<void>;
  readonly #resolveEnded: () => void;

  constructor(
    storage: JobStore,
    record: RestoreJobRecord,
    input: RestoreInput,
    tempFile: string | undefined,
    onEndedElsewhere: (job: LocalJob) => void,
  ) {
    this.record = record;
    this.input = input;
    this.tempFile = tempFile;
    this.writer = new JobWriter(storage, (stored) => {
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
