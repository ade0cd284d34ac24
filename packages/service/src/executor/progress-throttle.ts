/**
 * Throttles one job's progress: the first report passes at once, later ones at most once per interval, and
 * the newest report of a quiet spell is delivered when the interval ends (so the last value is never lost).
 */
import type { ProgressReport } from '../runner/restore-runner.ts';

/** A per-job progress throttle. */
export class ProgressThrottle {
  readonly #intervalMs: number;
  readonly #deliver: (progress: ProgressReport) => void;
  #last = -Infinity;
  #latest: ProgressReport | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, deliver: (progress: ProgressReport) => void) {
    this.#intervalMs = intervalMs;
    this.#deliver = deliver;
  }

  /** Takes a report; delivers it now or when the interval ends. */
  push(progress: ProgressReport): void {
    this.#latest = progress;
    if (this.#timer) return;
    const wait = this.#last + this.#intervalMs - performance.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait);
  }

  /** Drops what is waiting and stops. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#latest = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    const latest = this.#latest;
    this.#latest = undefined;
    if (!latest) return;
    this.#last = performance.now();
    this.#deliver(latest);
  }
}
