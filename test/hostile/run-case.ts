/**
 * Runs one corpus file through an entry point of the engine and reports what happened as an
 * {@link Outcome} (or `unexpected` for anything thrown that is not an engine error).
 */
import { inspectBackup, restore, type StorageAdapter } from '@mbz-restore/engine';
import { observed, type Outcome } from './outcome.ts';

/** Restore options the corpus restores with: every root setting that makes the engine read more files. */
export const CORPUS_RESTORE_OPTIONS = Object.freeze({
  users: 1,
  logs: 1,
  grade_histories: 1,
  comments: 1,
  userscompletion: 1,
  role_assignments: 1,
});

/** An outcome, or something thrown that is not an engine error. */
export type Observed = Outcome | { readonly unexpected: string };

/** `inspectBackup(path)`. */
export async function inspectOutcome(path: string): Promise<Observed> {
  try {
    return observed(await inspectBackup(path));
  } catch (error) {
    return observed({ error });
  }
}

/** `restore(path)` into `storage` (opened by the caller), unpacking under `tempDir`. */
export async function restoreOutcome(path: string, storage: StorageAdapter, tempDir: string): Promise<Observed> {
  try {
    return observed(await restore(path, { storage, tempDir, options: CORPUS_RESTORE_OPTIONS }));
  } catch (error) {
    return observed({ error });
  }
}

/** The entry points `case-child.ts` can run a heavy case through, one process each. */
export const ENTRY_POINTS = ['inspect', 'memory', 'sqlite', 'service'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** What `case-child.ts` prints. */
export interface ChildReport {
  readonly outcome: Observed;
  /** Peak resident set size of the child, in MiB (`process.resourceUsage().maxRSS`). */
  readonly maxRssMiB: number;
}
