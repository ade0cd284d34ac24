/**
 * `mbz status <restoreid> --db <path> [--json] [--watch]`: the status of one restore, as
 * `core_course_restore_async_get_status` answers it (`{status, progress}`), from any process: a restore whose
 * process died reads 900 with error code `interrupted`. `--watch` follows it until it ends (a bar on a
 * terminal; with `--json` one line per change) and then fails like the restore did when it ended 900.
 */
import type { Command } from 'commander';
import { storeChoice, type StoreOptions } from '../store-option.ts';
import type { RestoreDetail } from '@mbz-restore/service';
import { MbzError, type ErrorCode } from '@mbz-restore/engine/errors';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';
import { isFinished, percent, statusName } from '../job-status.ts';
import type { OpenedJobStore } from '../job-support.ts';
import { startProgress } from '../progress.ts';

/** Registers the command. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show the status and progress of a restore (700 awaiting, 800 executing, 900 error, 1000 ok)')
    .argument('<restoreid>', 'restore id (32 hex characters), as mbz restore --detach printed it')
    .option('--db <path>', 'SQLite store the restore runs in')
    .option('--pg <url>', 'PostgreSQL database the restore runs in, in place of --db (default: $DATABASE_URL)')
    .option('--watch', 'follow the restore until it ends (exit 1 when it ends 900)')
    .option('--interval <ms>', 'how often --watch looks, in ms', '500')
    .option('--json', 'print {"status","progress"} as one JSON line (with --watch: one line per change)')
    .action(
      async (
        restoreid: string,
        options: StoreOptions & { watch?: boolean; interval: string; json?: boolean },
        command: Command,
      ) => {
        const debug = Boolean(command.optsWithGlobals().debug);
        let store: OpenedJobStore | undefined;
        try {
          if (!/^[0-9a-f]{32}$/u.test(restoreid))
            throw new UsageError(`restoreid must be 32 lowercase hex characters, got "${restoreid}"`);
          const interval = Number(options.interval);
          if (!Number.isFinite(interval) || interval < 10)
            throw new UsageError(`--interval must be a number of ms ≥ 10, got "${options.interval}"`);
          const { openJobStore } = await import('../job-support.ts');
          store = await openJobStore(storeChoice(options));
          const job = options.watch
            ? await watch(store, restoreid, interval, Boolean(options.json))
            : await store.service.getRestore(restoreid);
          if (!options.watch) {
            if (options.json) printJsonLine({ status: job.status, progress: job.progress });
            else process.stdout.write(`${describe(job)}\n`);
          }
          process.exitCode = ExitCode.Ok;
          if (options.watch && job.error)
            process.exitCode = reportError(new MbzError(job.error.code as ErrorCode, job.error.message), {
              json: options.json,
              debug,
            });
        } catch (error) {
          process.exitCode = reportError(error, { json: options.json, debug });
        } finally {
          await store?.close().catch(() => undefined);
        }
      },
    );
}

/** One line for a person. */
export function describe(job: RestoreDetail): string {
  const parts = [job.restoreid, String(job.status), statusName(job.status), percent(job.progress)];
  if (job.stage && job.status !== 1000) parts.push(`stage ${job.stage}`);
  if (job.courseid !== null && job.status === 1000) parts.push(`course ${job.courseid}`);
  if (job.error) parts.push(`${job.error.code}: ${job.error.message}`);
  return parts.join('  ');
}

// Internal helpers

async function watch(
  store: OpenedJobStore,
  restoreid: string,
  interval: number,
  json: boolean,
): Promise<RestoreDetail> {
  const bar = json ? undefined : startProgress('restore', { unit: 'fraction' });
  let last = '';
  try {
    for (;;) {
      const job = await store.service.getRestore(restoreid);
      const line = JSON.stringify({ status: job.status, progress: job.progress });
      if (json && line !== last) process.stdout.write(`${line}\n`);
      last = line;
      bar?.update(job.progress, `${statusName(job.status)}${job.stage ? ` · ${job.stage}` : ''}`);
      if (isFinished(job.status)) {
        bar?.stop();
        if (!json) process.stdout.write(`${describe(job)}\n`);
        return job;
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  } finally {
    bar?.stop();
  }
}
