/**
 * The fuzz property, shared by `test/fuzz.test.ts` (a few hundred cases, fixed seed) and `scripts/fuzz.ts`
 * (as many as asked): a real backup, mutated (`fuzz-mutations.ts`), goes through `inspectBackup()` and
 * `restore()`; each call must
 * - settle within a time bound (a hang fails the case),
 * - succeed, or fail with the engine's typed error (`MbzError`) and nothing else,
 * - write nothing outside its temp area (a marker folder beside it stays empty) and leave that area empty,
 * - on failure, leave the store exactly as it was (`dumpStore` before and after).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { inspectBackup, isMbzError, restore, type StorageAdapter } from '@mbz-restore/engine';
import { dumpStore } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { listTree, type Area } from './area.ts';
import { loadFuzzFixture, mutate, mutationArbitrary, type FuzzFixture, type Mutation } from './fuzz-mutations.ts';
import { CORPUS_RESTORE_OPTIONS } from './run-case.ts';

/**
 * The real backups the fuzz test mutates (in `../shared/fixtures/mbz`): small, and different in container
 * (tar.gz, ZIP), Moodle version (2.6 to 5.0), backup type (course, activity) and content (files, users, grades).
 */
export const FUZZ_FIXTURES = [
  'format_tiles__tests-fixtures-mbz-moodle-43-late-beta.mbz',
  'report_advancedgrading__tests-fixtures-backup-advgrade.mbz',
  'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz',
  'qtype_coderunner__tests-fixtures-backuptester_V5.0.3.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_28_quiz.mbz',
] as const;

/** How to run. */
export interface FuzzConfig {
  readonly runs: number;
  readonly seed: number;
  /** Paths of the real backups to mutate. */
  readonly fixtures: readonly string[];
  readonly area: Area;
  /** Store restored into (a fresh one per case). Default is `memory`. */
  readonly adapter?: 'memory' | 'sqlite';
  /** Bound per call; far above the real cost, it only proves "no hang". Default is 20000. */
  readonly timeoutMs?: number;
  /** Shrink a failing case to a minimal one (slow). Default is false. */
  readonly shrink?: boolean;
}

/** What a run did. */
export interface FuzzReport {
  /** Cases that ran. */
  readonly ran: number;
  readonly seed: number;
  readonly seconds: number;
  /** Outcomes per entry point: `ok` or the error code, with counts. */
  readonly inspect: Record<string, number>;
  readonly restore: Record<string, number>;
  /** Why the property failed, with the counterexample; undefined when every case held. */
  readonly failure?: string;
}

/** Runs the property `config.runs` times with `config.seed`. */
export async function runFuzz(config: FuzzConfig): Promise<FuzzReport> {
  const started = performance.now();
  const fixtures: FuzzFixture[] = [];
  for (const path of config.fixtures) fixtures.push(await loadFuzzFixture(path));
  const tally = { inspect: {} as Record<string, number>, restore: {} as Record<string, number> };
  let store = 0;
  const bound = config.timeoutMs ?? 20_000;
  const watchdog = startWatchdog(3 * bound);
  const property = fc.asyncProperty(mutationArbitrary(), async (m: Mutation) => {
    watchdog.postMessage(JSON.stringify(m));
    const { bytes, what } = await mutate(fixtures, m);
    const path = join(config.area.cases, 'fuzz.mbz');
    await writeFile(path, bytes);
    count(
      tally.inspect,
      checkTyped(await settle(inspectBackup(path), bound, `inspect of ${what}`), `inspect of ${what}`),
    );
    store += 1;
    const storage: StorageAdapter =
      config.adapter === 'sqlite'
        ? createSqliteStorage({ path: join(config.area.stores, `fuzz-${store}.sqlite`) })
        : createMemoryStorage();
    await storage.open();
    try {
      const before = await dumpStore(storage);
      const outcome = await settle(
        restore(path, { storage, tempDir: config.area.tmp, options: CORPUS_RESTORE_OPTIONS }),
        bound,
        `restore of ${what}`,
      );
      count(tally.restore, checkTyped(outcome, `restore of ${what}`));
      if ('error' in outcome && !isDeepStrictEqual(await dumpStore(storage), before))
        throw new Error(`restore of ${what} failed but changed the store`);
    } finally {
      await storage.close();
    }
    if ((await listTree(config.area.tmp)).length > 0) throw new Error(`restore of ${what} left files in its temp area`);
    if ((await listTree(config.area.marker)).length > 0)
      throw new Error(`${what}: something was written outside the temp area`);
  });
  const details = await fc
    .check(property, { numRuns: config.runs, seed: config.seed, endOnFailure: !config.shrink })
    .finally(() => watchdog.terminate());
  return {
    ran: details.numRuns,
    seed: config.seed,
    seconds: (performance.now() - started) / 1000,
    inspect: tally.inspect,
    restore: tally.restore,
    failure: details.failed
      ? `${String(details.errorInstance)}\ncounterexample: ${JSON.stringify(details.counterexample)} (seed ${details.seed}, path ${details.counterexamplePath})`
      : undefined,
  };
}

/** One line: how many cases ran and what came out. */
export function describeFuzzReport(report: FuzzReport): string {
  const list = (t: Record<string, number>) =>
    Object.entries(t)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return `fuzz: ${report.ran} cases ran (seed ${report.seed}) in ${report.seconds.toFixed(1)} s; inspect: ${list(report.inspect)}; restore: ${list(report.restore)}`;
}

// Internal helpers

type Settled = { readonly ok: true } | { readonly error: unknown };

/** Waits for `promise` at most `ms`; a longer wait fails the case ("no hang"). */
async function settle(promise: Promise<unknown>, ms: number, what: string): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
    return { ok: true };
  } catch (error) {
    if (error instanceof HangError) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

class HangError extends Error {}

/**
 * A timer cannot fire while the event loop is starved (a synchronous loop, or an endless chain of promises
 * that resolve at once), so {@link settle} cannot catch every hang. This worker thread can: if the main
 * thread sends no case for `ms`, it prints the last case (the mutation, to replay it) and kills the process,
 * which fails the run loudly instead of hanging it.
 */
function startWatchdog(ms: number): Worker {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    let last = 'none yet';
    let at = Date.now();
    parentPort.on('message', (m) => { last = m; at = Date.now(); });
    setInterval(() => {
      if (Date.now() - at < ${ms}) return;
      // Straight to fd 2: a worker's process.stderr goes through the main thread, which is blocked.
      writeSync(2, 'fuzz: a case did not settle within ${ms} ms and the event loop is blocked; killing the process. The case: ' + last + '\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 1000);
  `;
  const worker = new Worker(source, { eval: true });
  worker.unref();
  return worker;
}

/** The tally key of an outcome; throws when something other than an engine error was thrown. */
function checkTyped(outcome: Settled, what: string): string {
  if ('ok' in outcome) return 'ok';
  if (isMbzError(outcome.error)) return outcome.error.code;
  const error = outcome.error as Error | undefined;
  throw new Error(
    `${what} threw ${error?.name ?? typeof error}, not an engine error: ${error?.stack ?? String(error)}`,
  );
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}
