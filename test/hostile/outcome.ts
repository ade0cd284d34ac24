/**
 * What a failure-corpus case must produce, per entry point: a typed error with one exact code, or
 * success with exactly this set of warning codes. The script that writes the corpus prints these into
 * `cases.json`; the tests compare against them, so the two cannot drift.
 */
import { isMbzError, type ErrorCode } from '@mbz-restore/engine';
import type { BaseBackup } from './base-backup.ts';

/** An expected outcome. */
export type Outcome =
  | { readonly error: ErrorCode }
  /** Success; `warnings` is the exact set of warning codes (sorted, each once). */
  | { readonly warnings: readonly string[] };

/** One case of the corpus. */
export interface CorpusCase {
  /** Kebab-case id; the corpus file is `<id>.mbz`. */
  readonly id: string;
  /** What the case is, for a person. */
  readonly title: string;
  /** Writes the case to `path` (streaming for the big ones: nothing large is held in memory). */
  readonly build: (path: string, base: BaseBackup) => Promise<void>;
  /** Outcome of `inspectBackup()` / `mbz inspect`. */
  readonly inspect: Outcome;
  /** Outcome of `restore()` (either adapter) / `mbz restore` / the async service (unless `service` says otherwise). */
  readonly restore: Outcome;
  /** Outcome through the async restore service when it differs from `restore` (its precheck runs first). */
  readonly service?: Outcome;
  /** Streams gigabytes (bombs, a 300 MB text node): its memory is measured in a child process. */
  readonly heavy?: boolean;
}

/** Fails with `code`. */
export function fails(code: ErrorCode): Outcome {
  return { error: code };
}

/** Succeeds with exactly these warning codes. */
export function succeeds(...warnings: string[]): Outcome {
  return { warnings: [...new Set(warnings)].sort() };
}

/** The same outcome for inspect and restore. */
export function both(outcome: Outcome): Pick<CorpusCase, 'inspect' | 'restore'> {
  return { inspect: outcome, restore: outcome };
}

/** `fails(...)` or `succeeds(...)` as one line of text, for reports. */
export function describeOutcome(outcome: Outcome): string {
  return 'error' in outcome
    ? `error ${outcome.error}`
    : `ok${outcome.warnings.length ? ` + ${outcome.warnings.join(', ')}` : ''}`;
}

/** The outcome an actual run produced, in the same shape; anything thrown that is not an engine error is `unexpected`. */
export function observed(
  result: { warnings: ReadonlyArray<{ code: string }> } | { error: unknown },
): Outcome | { unexpected: string } {
  if ('error' in result) {
    if (isMbzError(result.error)) return { error: result.error.code };
    const error = result.error as { name?: string; message?: string } | undefined;
    return { unexpected: `${error?.name ?? typeof error}: ${error?.message ?? String(error)}` };
  }
  return succeeds(...result.warnings.map((w) => w.code));
}
