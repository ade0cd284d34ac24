/**
 * Writes one job's record for the service that owns it. Writes are sequential and coalesced (only the newest
 * record waiting is written, so a burst of progress costs one write), and guarded: before writing, the stored
 * record is read, and if another process has meanwhile ended the job (900 `interrupted` because it took this
 * owner for dead, or 900 `cancelled` on request) or taken it from this owner (back to 700 for a retry by its
 * queue, or run by another worker since), the write is dropped and `onEndedElsewhere` is told, so the owner stops
 * instead of reviving the job. A `take` write (a worker taking the job's lease: the record it read named another
 * owner or none) is dropped only when the job has ended. A `force` write (the owner's 1000: the course is
 * committed, so that is the truth) is written regardless.
 */
import type { JobStore, RestoreJobRecord } from '@mbz-restore/engine';
import { isEnded } from './job-lease.ts';

/** How a record is written. */
export type WriteMode = 'guarded' | 'take' | 'force';

/** The modes from the strictest to the laxest. */
const MODES: readonly WriteMode[] = ['guarded', 'take', 'force'];

/** The writer of one job's record. */
export class JobWriter {
  readonly #storage: JobStore;
  readonly #onEndedElsewhere: (stored: RestoreJobRecord) => void;
  #pending: { record: RestoreJobRecord; mode: WriteMode } | undefined;
  #tail: Promise<void> = Promise.resolve();
  #endedElsewhere = false;

  constructor(storage: JobStore, onEndedElsewhere: (stored: RestoreJobRecord) => void) {
    this.#storage = storage;
    this.#onEndedElsewhere = onEndedElsewhere;
  }

  /**
   * Schedules `record`; resolves once it (or a newer one) was written or dropped; rejects when that write failed. A
   * record that replaces one still waiting keeps the laxer mode of the two (a `take` not yet written stays a take).
   */
  write(record: RestoreJobRecord, mode: WriteMode = 'guarded'): Promise<void> {
    const waiting = this.#pending?.mode;
    this.#pending = { record, mode: waiting && MODES.indexOf(waiting) > MODES.indexOf(mode) ? waiting : mode };
    const flushed = this.#tail.then(() => this.#flush());
    this.#tail = flushed.catch(() => undefined);
    return flushed;
  }

  async #flush(): Promise<void> {
    const next = this.#pending;
    if (!next) return;
    this.#pending = undefined;
    if (next.mode !== 'force') {
      if (this.#endedElsewhere) return;
      const stored = await this.#storage.getJob(next.record.restoreid);
      if (stored && (isEnded(stored.status) || (next.mode === 'guarded' && stored.owner !== next.record.owner))) {
        this.#endedElsewhere = true;
        this.#onEndedElsewhere(stored);
        return;
      }
    }
    await this.#storage.putJob(next.record);
  }
}
