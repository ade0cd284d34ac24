/**
 * `mbz restore <file> --db <path> | --pg <url> [--category N] [--option name=value …] [--json] [--detach]`: restores a
 * backup into a new course of an embedded SQLite store (created when absent) or of a PostgreSQL database, with a
 * progress bar on a terminal.
 * `--detach` hands the restore to a background process and prints its restore id (`restore-detach.ts`).
 */
import type { Command } from 'commander';
import type { RestoreResult } from '@mbz-restore/engine';
import type { StorageAdapter } from '@mbz-restore/engine';
import { optionArgsHelp, parseOptionArgs } from '@mbz-restore/engine/options';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';
import { aligned, count, int } from '../format.ts';
import { startProgress, type Progress } from '../progress.ts';
import { createStore, describeStore, storeArgs, storeChoice, type StoreOptions } from '../store-option.ts';

/** Registers the command. */
export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('Restore a backup into a new course of a SQLite store (created if absent) or a PostgreSQL database')
    .argument('<file>', '.mbz file (ZIP or tar.gz) or extracted backup folder')
    .option('--db <path>', 'SQLite file to restore into (created if absent)')
    .option('--pg <url>', 'PostgreSQL database to restore into, in place of --db (default: $DATABASE_URL)')
    .option('--filedir <dir>', "with --pg: keep file content in this shared folder (Moodle's filedir layout)")
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
        options: StoreOptions & { category: string; option: string[]; json?: boolean; detach?: boolean },
        command: Command,
      ) => {
        const debug = Boolean(command.optsWithGlobals().debug);
        let storage: StorageAdapter | undefined;
        let progress: Progress | undefined;
        const interrupt = new AbortController();
        const onSigint = (): void => interrupt.abort();
        try {
          const store = storeChoice(options);
          const categoryid = Number(options.category);
          if (!Number.isSafeInteger(categoryid) || categoryid < 1)
            throw new UsageError(`--category must be a positive whole number, got "${options.category}"`);
          const restoreOptions = parseOptionArgs(options.option);
          if (options.detach) {
            const { detachRestore } = await import('./restore-detach.ts');
            const { restoreid, pid } = await detachRestore({
              file,
              store,
              categoryid,
              optionArgs: options.option,
            });
            // The id alone on stdout, so that RID=$(mbz restore … --detach) works; the sentence for a person on stderr.
            if (options.json) printJsonLine({ restoreid });
            else process.stdout.write(`${restoreid}\n`);
            const where =
              store.kind === 'sqlite'
                ? `runs in the background (process ${pid})`
                : 'waits in the queue of the PostgreSQL store for a worker (mbz worker or mbz serve)';
            process.stderr.write(
              `Restore ${restoreid} ${where}. Follow it with: mbz status ${restoreid} ${storeArgs(store)} --watch\n`,
            );
            process.exitCode = ExitCode.Ok;
            return;
          }
          const { restore } = await import('@mbz-restore/engine');
          storage = await createStore(store);
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
          else process.stdout.write(`${summary(file, describeStore(store), result)}\n`);
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
