/**
 * `mbz jobs --db <path> [--json]`: every restore recorded in a store (`mdl_backup_controllers`), newest first,
 * with status, progress and error code. A restore whose process died is reported (and recorded) 900 with
 * error code `interrupted`. `--json` prints one object per job, one per line.
 */
import type { Command } from 'commander';
import { storeChoice, storeOptions, type StoreOptions } from '../store-option.ts';
import type { RestoreDetail } from '@mbz-restore/service';
import { ExitCode, printJsonLine, reportError } from '../output.ts';
import { table } from '../format.ts';
import { percent, statusName } from '../job-status.ts';
import type { OpenedJobStore } from '../job-support.ts';

/** Registers the command. */
export function registerJobs(program: Command): void {
  storeOptions(program.command('jobs'), 'whose restores to list')
    .description('List every restore of a store with its status, progress and error code')
    .option('--json', 'one JSON object per restore, one per line')
    .action(async (options: StoreOptions & { json?: boolean }, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      let store: OpenedJobStore | undefined;
      try {
        const { openJobStore } = await import('../job-support.ts');
        store = await openJobStore(storeChoice(options));
        const jobs = await store.service.listRestores();
        if (options.json) for (const job of jobs) printJsonLine(jobLine(job));
        else process.stdout.write(`${jobs.length === 0 ? 'No restores in this store.' : listing(jobs)}\n`);
        process.exitCode = ExitCode.Ok;
      } catch (error) {
        process.exitCode = reportError(error, { json: options.json, debug });
      } finally {
        await store?.close().catch(() => undefined);
      }
    });
}

// Internal helpers

/** The JSON line of one job: the record without its liveness bookkeeping. */
function jobLine(job: RestoreDetail): Record<string, unknown> {
  return {
    restoreid: job.restoreid,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    error: job.error,
    courseid: job.courseid,
    categoryid: job.categoryid,
    userid: job.userid,
    source: job.source,
    settings: job.settings,
    warnings: job.warnings,
    timecreated: job.timecreated,
    timestarted: job.timestarted,
    timefinished: job.timefinished,
  };
}

function listing(jobs: readonly RestoreDetail[]): string {
  const rows = jobs.map((job) => [
    job.restoreid,
    `${job.status} ${statusName(job.status)}`,
    percent(job.progress),
    job.courseid === null ? '-' : String(job.courseid),
    job.error?.code ?? '-',
    new Date(job.timecreated).toISOString().slice(0, 19).replace('T', ' '),
  ]);
  return table(['restore id', 'status', 'progress', 'course', 'error', 'created (UTC)'], rows, '');
}
