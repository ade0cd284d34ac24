/**
 * `mbz restore <file> --db <path> [--category N] [--option name=value …] [--json] [--detach]`: restores a backup
 * into a new course of an embedded SQLite store (created when absent), with a progress bar on a terminal.
 * `--detach` hands the restore to a background process and prints its restore id (`restore-detach.ts`).
 */
import type { Command } from 'commander';
import type { RestoreResult } from '@mbz-restore/engine';
import type { StorageAdapter } from '@mbz-restore/engine';
import { optionArgsHelp, parseOptionArgs } from '@mbz-restore/engine/options';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';
import { aligned, count, int } from '../format.ts';
import { startProgress, type Progress } from '../progress.ts';

/** Registers the command. */
export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('Restore a backup into a new course of a SQLite store (created if absent)')
    .argument('<file>', '.mbz file (ZIP or tar.gz) or extracted backup folder')
    .option('--db <path>', 'SQLite file to restore into (required; created if absent)')
    .option('--category <id>', 'category of the new course', '1')
    .option('--option <name=value>', 'restore option, repeatable; the options are listed below', collect, [])
    .option('--json', 'print the result as one JSON line')
    .option('--detach', 'run the restore in a background process and print its restore id (follow it with mbz status)')
    .addHelpText('after', () =>
      [
        '',
        "Restore options (--option name=value): Moodle's restore settings, with MDL-64915's defaults (core_course_restore_async).",
        'An option forced off by another one or by the backup is reported as an option-capped warning.',
        ...optionArgsHelp().map((line) => `  ${line}`),
      ].join('\n'),
    )
    .action(
      async (
        file: string,
        options: { db?: string; category: string; option: string[]; json?: boolean; detach?: boolean },
        command: Command,
      ) => {
        const debug = Boolean(command.optsWithGlobals().debug);
        let storage: StorageAdapter | undefined;
        let progress: Progress | undefined;
        const interrupt = new AbortController();
        const onSigint = (): void => interrupt.abort();
        try {
          if (options.db === undefined)
            throw new UsageError('--db <path> is required: the SQLite file to restore into (it is created if absent)');
          const categoryid = Number(options.category);
          if (!Number.isSafeInteger(categoryid) || categoryid < 1)
            throw new UsageError(`--category must be a positive whole number, got "${options.category}"`);
          const restoreOptions = parseOptionArgs(options.option);
          if (options.detach) {
            const { detachRestore } = await import('./restore-detach.ts');
            const { restoreid, pid } = await detachRestore({
              file,
              db: options.db,
              categoryid,
              optionArgs: options.option,
            });
            // The id alone on stdout, so that RID=$(mbz restore … --detach) works; the sentence for a person on stderr.
            if (options.json) printJsonLine({ restoreid });
            else process.stdout.write(`${restoreid}\n`);
            process.stderr.write(
              `Restore ${restoreid} runs in the background (process ${pid}). Follow it with: mbz status ${restoreid} --db ${options.db} --watch\n`,
            );
            process.exitCode = ExitCode.Ok;
            return;
          }
          const [{ restore }, { createSqliteStorage }] = await Promise.all([
            import('@mbz-restore/engine'),
            import('@mbz-restore/storage-sqlite'),
          ]);
          storage = createSqliteStorage({ path: options.db });
          await storage.open();
          // Ctrl+C rolls the restore back: nothing of it is kept (exit 130, as a shell reports SIGINT).
          process.once('SIGINT', onSigint);
          progress = options.json ? undefined : startProgress('restore', { unit: 'fraction' });
          const result = await restore(file, {
            storage,
            categoryid,
            options: restoreOptions,
            signal: interrupt.signal,
            onProgress: (p) => progress?.update(p.fraction, p.stage),
          });
          progress?.stop();
          progress = undefined;
          if (options.json)
            printJsonLine({
              courseid: result.courseid,
              settings: result.settings,
              counts: result.counts,
              warnings: result.warnings,
            });
          else process.stdout.write(`${summary(file, options.db, result)}\n`);
          process.exitCode = ExitCode.Ok;
        } catch (error) {
          progress?.stop();
          if (interrupt.signal.aborted) {
            process.stderr.write(
              'mbz: interrupted: the restore was rolled back and nothing was written to the store.\n',
            );
            process.exitCode = ExitCode.Interrupted;
          } else {
            process.exitCode = reportError(error, { json: options.json, debug });
          }
        } finally {
          process.off('SIGINT', onSigint);
          await storage?.close().catch(() => undefined);
        }
      },
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function summary(file: string, db: string, r: RestoreResult): string {
  const rows = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `Restored ${file} into ${db} as course ${r.courseid} in ${r.seconds.toFixed(2)} s`,
    aligned([
      [
        'Settings',
        Object.entries(r.settings)
          .map(([n, v]) => `${n}=${v}`)
          .join(' '),
      ],
      ['Rows', `${int(total)} in ${count(rows.length, 'table')}`],
    ]),
    '',
    ...rows.map(([table, n]) => `  ${table.padEnd(34)} ${int(n).padStart(10)}`),
  ];
  if (r.warnings.length) lines.push('', 'Warnings', ...r.warnings.map((w) => `  ${w.code}: ${w.message}`));
  return lines.join('\n');
}
