/**
 * `mbz restore <file> --db <path> [--category N] [--option name=value …] [--json] [--detach]`: restores a backup
 * into a new course of an embedded SQLite store (created when absent), with a progress bar on a terminal.
 * `--detach` hands the restore to a background process and prints its restore id (`restore-detach.ts`).
 */
import type { Command } from 'commander';
import { parseOptionArgs, restore, type RestoreResult } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';
import { aligned, int } from '../format.ts';
import { startProgress } from '../progress.ts';
import { detachRestore } from './restore-detach.ts';

/** Registers the command. */
export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('Restore a backup into a new course of a SQLite store (created if absent)')
    .argument('<file>', '.mbz file (ZIP or tar.gz) or extracted backup folder')
    .requiredOption('--db <path>', 'SQLite file to restore into')
    .option('--category <id>', 'category of the new course', '1')
    .option('--option <name=value>', 'restore option, repeatable (users=1, logs=1, enrolments=2 …)', collect, [])
    .option('--json', 'print the result as one JSON line')
    .option('--detach', 'run the restore in a background process and print its restore id (follow it with mbz status)')
    .action(async (file: string, options: { db: string; category: string; option: string[]; json?: boolean; detach?: boolean }, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      const storage = createSqliteStorage({ path: options.db });
      let progress: ReturnType<typeof startProgress> | undefined;
      try {
        const categoryid = Number(options.category);
        if (!Number.isSafeInteger(categoryid) || categoryid < 1) throw new UsageError(`--category must be a positive whole number, got "${options.category}"`);
        const restoreOptions = parseOptionArgs(options.option);
        if (options.detach) {
          const { restoreid, pid } = await detachRestore({ file, db: options.db, categoryid, optionArgs: options.option });
          if (options.json) printJsonLine({ restoreid });
          else process.stdout.write(`Restore ${restoreid} runs in the background (process ${pid}). Follow it with: mbz status ${restoreid} --db ${options.db} --watch\n`);
          process.exitCode = ExitCode.Ok;
          return;
        }
        await storage.open();
        progress = options.json ? undefined : startProgress('restore', { unit: 'fraction' });
        const result = await restore(file, {
          storage,
          categoryid,
          options: restoreOptions,
          onProgress: (p) => progress?.update(p.fraction, p.stage),
        });
        progress?.stop();
        progress = undefined;
        if (options.json) printJsonLine({ courseid: result.courseid, settings: result.settings, counts: result.counts, warnings: result.warnings });
        else process.stdout.write(`${summary(file, options.db, result)}\n`);
        process.exitCode = ExitCode.Ok;
      } catch (error) {
        progress?.stop();
        process.exitCode = reportError(error, { json: options.json, debug });
      } finally {
        await storage.close().catch(() => undefined);
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function summary(file: string, db: string, r: RestoreResult): string {
  const rows = Object.entries(r.counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `Restored ${file} into ${db} as course ${r.courseid} in ${r.seconds.toFixed(2)} s`,
    aligned([
      ['Settings', Object.entries(r.settings).map(([n, v]) => `${n}=${v}`).join(' ')],
      ['Rows', `${int(total)} in ${rows.length} tables`],
    ]),
    '',
    ...rows.map(([table, n]) => `  ${table.padEnd(34)} ${int(n).padStart(10)}`),
  ];
  if (r.warnings.length) lines.push('', 'Warnings', ...r.warnings.map((w) => `  ${w.code}: ${w.message}`));
  return lines.join('\n');
}
