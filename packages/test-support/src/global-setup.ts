/**
 * Once per test run:
 * - the CLI tests run the built bin, so it must exist (`pnpm test` builds first);
 * - every test's temp files go to one folder of this run (TMPDIR, which os.tmpdir() and child processes follow),
 *   and the run fails if a test left anything there: tests clean up after themselves;
 * - the same for PostgreSQL databases: the run's own are named `mbz_t_<run>_…`, and any left at the end fails the run;
 * - a PostgreSQL server for the PostgreSQL store's tests: `DATABASE_URL`, or else (not in CI) a private cluster
 *   started for the run (postgres-server.ts).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MBZ_BIN } from './cli.ts';
import { databaseRule, startPostgresForRun } from './postgres-server.ts';

/** What tools keep in TMPDIR on their own (tsx's compile cache), not the tests' leftovers. */
const TOOL_CACHES = /^tsx-/;

export default async function setup(): Promise<() => Promise<void>> {
  if (!existsSync(MBZ_BIN)) throw new Error(`${MBZ_BIN} is missing: run \`pnpm build\` first (pnpm test does).`);
  const stopPostgres = await startPostgresForRun();
  const tempRule = tempFolderRule();
  const dbRule = databaseRule();
  return async () => {
    try {
      tempRule();
      await dbRule();
    } finally {
      await stopPostgres();
    }
  };
}

/** The run's own temp folder (TMPDIR); the returned teardown fails the run if a test left anything in it. */
export function tempFolderRule(): () => void {
  const runDir = mkdtempSync(join(tmpdir(), 'mbz-test-run-'));
  const outer = { TMPDIR: process.env.TMPDIR };
  process.env.TMPDIR = runDir;
  return () => {
    process.env.TMPDIR = outer.TMPDIR;
    // The restore service's spool folder may stay, empty (as in production): the job files in it may not.
    const spool = join(runDir, 'mbz-restore-jobs');
    const left = readdirSync(runDir).filter(
      (name) => !TOOL_CACHES.test(name) && !(name === 'mbz-restore-jobs' && readdirSync(spool).length === 0),
    );
    rmSync(runDir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `Tests left ${left.length} files or folders in the temp folder (each test must remove what it creates): ${left.slice(0, 20).join(', ')}`,
      );
    }
  };
}
