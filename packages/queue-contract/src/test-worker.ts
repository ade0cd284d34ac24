/**
 * The worker the queue contract hands jobs to: it records every job it is handed, in order, and settles each run only
 * when the test says so (complete, fail, or never: a worker that died). It stands in for the service's job executor,
 * which is not what the contract tests; the queue under test is real.
 */
import type { JobWorker, QueuedJob, TakenJob } from '@mbz-restore/service';

/** A run the worker was handed, and how the test settles it. */
export interface HandedRun {
  readonly job: TakenJob;
  /** Completes the run (its `run` resolves). */
  complete(): void;
  /** Fails the run (its `run` rejects). */
  fail(): void;
}

/** A {@link JobWorker} under the test's control. */
export class TestWorker implements JobWorker {
  /** Every run handed out, in order. */
  readonly runs: HandedRun[] = [];
  /** Most runs unsettled at once so far. */
  peak = 0;
  #open = 0;

  run(job: TakenJob): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#open += 1;
      this.peak = Math.max(this.peak, this.#open);
      let settled = false;
      const settle = (how: () => void) => {
        if (settled) return;
        settled = true;
        this.#open -= 1;
        how();
      };
      this.runs.push({
        job,
        complete: () => settle(resolve),
        fail: () => settle(() => reject(new Error(`test worker failed ${job.restoreid} (attempt ${job.attempt})`))),
      });
    });
  }

  /** The runs of one job, in order. */
  runsOf(restoreid: string): HandedRun[] {
    return this.runs.filter((r) => r.job.restoreid === restoreid);
  }

  /** Completes every unsettled run handed out so far. */
  completeAll(): void {
    for (const run of this.runs) run.complete();
  }
}

/** A job as a queue carries it, the `n`-th of a test: every field set, an options object with several values. */
export function sampleJob(n: number): QueuedJob {
  return {
    restoreid: n.toString(16).padStart(32, 'a'),
    path: `/srv/backups/course-${n}.mbz`,
    tempFile: `/tmp/mbz-restore-jobs/${n}.backup`,
    categoryid: n + 1,
    options: { users: 1, logs: 0, enrolments: 2, [`forum_${n}_included`]: 1 },
    actingUserId: 100 + n,
  };
}

/** Resolves once `done()` is true, checking every 10 ms; rejects with `what` after `timeoutMs`. */
export async function eventually(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits `ms` (to see that something does not happen). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
