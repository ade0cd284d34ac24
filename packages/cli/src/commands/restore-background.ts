/** `mbz restore-background …`: the hidden command the background process of `mbz restore --detach` runs (see restore-detach.ts). */
import type { Command } from 'commander';
import { storeChoice, type StoreOptions } from '../store-option.ts';
import type { OpenedJobStore } from '../job-support.ts';
import { ExitCode, printJsonLine, reportError } from '../output.ts';

/** Name of the hidden command the background process runs. */
export const BACKGROUND_COMMAND = 'restore-background';

/** Registers the hidden command the background process runs. */
export function registerRestoreBackground(program: Command): void {
  program
    .command(BACKGROUND_COMMAND, { hidden: true })
    .argument('<file>')
    .option('--db <path>')
    .option('--pg <url>')
    .option('--filedir <dir>')
    .option('--category <id>', '', '1')
    .option('--option <name=value>', '', (value: string, previous: string[]) => [...previous, value], [])
    .action(async (file: string, options: StoreOptions & { category: string; option: string[] }) => {
      let store: OpenedJobStore | undefined;
      try {
        const [{ parseOptionArgs }, { openJobStore }] = await Promise.all([
          import('@mbz-restore/engine'),
          import('../job-support.ts'),
        ]);
        // A PostgreSQL store's job waits in its queue for a worker (this process only queues it); SQLite's runs here.
        store = await openJobStore(storeChoice(options), { create: true });
        const { restoreid } = await store.service.restoreFile(file, {
          categoryid: Number(options.category),
          options: parseOptionArgs(options.option),
        });
        printJsonLine({ restoreid });
      } catch (error) {
        process.exitCode = reportError(error, { json: true });
      }
      // Nothing more goes to stdout: the parent has stopped reading. close() waits for the restore to end.
      await store?.close().catch(() => undefined);
      if (process.exitCode === undefined) process.exitCode = ExitCode.Ok;
    });
}
