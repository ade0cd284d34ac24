/**
 * `mbz worker --pg <url> [--concurrency N]`: runs restores taken from the pg-boss queue of a PostgreSQL store, on any
 * machine that reaches the database. One pino JSON line per event on stdout (started, progress is left out, ended).
 * SIGINT or SIGTERM stops taking jobs and lets running restores finish; a second signal interrupts them (they roll
 * back and end 900 `interrupted`, as with SQLite; only a worker that dies is retried elsewhere). A worker that loses its database
 * connection takes no job until it is back, then goes on.
 */
import type { Command } from 'commander';
import type { JobStore, StorageAdapter } from '@mbz-restore/engine';
import { ExitCode, reportError, UsageError } from '../output.ts';
import { createStore, describeStore, storeChoice, type StoreOptions } from '../store-option.ts';

interface WorkerOptions extends StoreOptions {
  concurrency: string;
  threads: boolean;
  siteUrl?: string;
}

/** Registers the command. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      "Run restores from a PostgreSQL store's queue (the restores mbz serve --pg or mbz restore --pg --detach queued)",
    )
    .option('--pg <url>', 'PostgreSQL database whose queue to work (default: $DATABASE_URL)')
    .option('--filedir <dir>', "the store's shared file folder, when it keeps file content there")
    .option('--concurrency <n>', 'restores this worker runs at once', '1')
    .option('--no-threads', 'restore on the main thread instead of in worker threads')
    .option(
      '--site-url <url>',
      "site URL restores decode links into (default: the store's wwwroot, else http://localhost)",
    )
    .action(async (options: WorkerOptions, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      let storage: (StorageAdapter & JobStore) | undefined;
      try {
        const store = storeChoice(options);
        if (store.kind !== 'postgres')
          throw new UsageError('mbz worker needs a PostgreSQL store: --pg <url> (or DATABASE_URL)');
        const raw = options.concurrency;
        const concurrency = Number(raw);
        if (!/^\d+$/u.test(raw) || !Number.isSafeInteger(concurrency) || concurrency < 1)
          throw new UsageError(`--concurrency must be a whole number ≥ 1, got "${raw}"`);
        const [{ createRestoreService }, { createPgBossQueue }, { pino }] = await Promise.all([
          import('@mbz-restore/service'),
          import('@mbz-restore/service/pg-boss'),
          import('pino'),
        ]);
        const logger = pino({ base: undefined });
        storage = await createStore(store);
        await storage.open();
        let connectionLost = false;
        const queue = await createPgBossQueue({
          connectionString: store.url,
          concurrency,
          onError: (error) => {
            if (!connectionLost) logger.warn({ err: { message: error.message } }, 'queue error; retrying');
            connectionLost = true;
          },
        });
        const service = await createRestoreService({
          storage,
          queue,
          workers: options.threads ? 'auto' : false,
          ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
        });
        service.on('started', ({ restoreid }) => {
          connectionLost = false;
          logger.info({ restoreid }, 'restore started');
        });
        service.on('completed', ({ restoreid, courseid, seconds }) =>
          logger.info({ restoreid, courseid, seconds }, 'restore completed'),
        );
        service.on('failed', ({ restoreid, error }) => logger.warn({ restoreid, error }, 'restore failed'));
        service.on('cancelled', ({ restoreid }) => logger.info({ restoreid }, 'restore cancelled'));
        logger.info({ store: describeStore(store), concurrency, pid: process.pid }, 'worker ready');
        await untilSignalled(async (count) => {
          if (count === 1) {
            logger.info('stopping: no new restores, running ones finish');
            await service.close({ wait: true });
          } else {
            logger.warn('stopping now: interrupting running restores');
            await service.close({ wait: false });
          }
        });
        logger.info('stopped');
        process.exitCode = ExitCode.Ok;
      } catch (error) {
        process.exitCode = reportError(error, { debug });
      } finally {
        await storage?.close().catch(() => undefined);
      }
    });
}

// Internal helpers

/** Resolves once the first signal's handler is done; a later signal runs it again with count 2, 3 … */
function untilSignalled(handler: (count: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const on = (): void => {
      count++;
      const run = handler(count);
      if (count === 1)
        run.then(() => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
          resolve();
        }, reject);
      else run.catch(() => undefined);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
