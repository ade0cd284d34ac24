/**
 * `mbz serve --db <path> | --pg <url> [--workers N] [--port 8080] [--host 127.0.0.1] …`: serves a SQLite store (created
 * when absent) or a PostgreSQL database
 * through the Moodle-compatible webservice — `webservice/upload.php` and `webservice/rest/server.php` — with
 * one JSON log line per request on stdout. SIGINT or SIGTERM stops taking new work and lets running restores
 * finish (queued ones end 900 `interrupted`); a second signal interrupts the running ones too (they roll back
 * and end 900 `interrupted`). Restores run in pooled worker threads, each started and ended with a log line.
 */
import { lookup } from 'node:dns/promises';
import type { Command } from 'commander';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import type { Logger } from 'pino';
import { DEFAULT_LIMITS } from '@mbz-restore/webservice/options';
import { CliError, ExitCode, reportError, UsageError } from '../output.ts';
import { createStore, describeStore, storeChoice, type StoreOptions } from '../store-option.ts';

interface ServeOptions extends StoreOptions {
  workers?: string;
  port: string;
  host: string;
  concurrency?: string;
  maxUploadMb: string;
  maxFiles: string;
  maxUploads: string;
  maxQueued: string;
  requestTimeout: string;
  siteUrl?: string;
  threads: boolean;
}

/** Registers the command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve a store through a Moodle-compatible webservice (upload.php, REST server.php)')
    .option('--db <path>', 'SQLite store to serve (created if absent)')
    .option('--pg <url>', 'PostgreSQL database to serve, in place of --db (default: $DATABASE_URL)')
    .option('--filedir <dir>', "with --pg: keep file content in this shared folder (Moodle's filedir layout)")
    .option(
      '--workers <n>',
      'with --pg: restores this process takes from the queue at once (default 1; 0: a front end only, mbz worker runs them)',
    )
    .option('--port <n>', 'TCP port (0: any free one)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--concurrency <n>', 'most restores running at once (default: one per CPU core)')
    .option(
      '--max-upload-mb <n>',
      'most MiB of files per upload request',
      String(DEFAULT_LIMITS.maxUploadBytes / 1024 / 1024),
    )
    .option('--max-files <n>', 'most files per upload request', String(DEFAULT_LIMITS.maxFilesPerUpload))
    .option('--max-uploads <n>', 'most uploads in flight per token', String(DEFAULT_LIMITS.maxConcurrentUploads))
    .option('--max-queued <n>', 'most restores waiting or running per token', String(DEFAULT_LIMITS.maxQueuedRestores))
    .option('--request-timeout <seconds>', 'longest a request may take', String(DEFAULT_LIMITS.requestTimeoutMs / 1000))
    .option(
      '--no-threads',
      'restore on the main thread instead of in worker threads (no thread start-up, slower answers while restores run)',
    )
    .option(
      '--site-url <url>',
      "site URL core_webservice_get_site_info reports and restores decode links into (default: the URL clients use; links: the store's wwwroot, else http://localhost)",
    )
    .action(async (options: ServeOptions, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      let storage: (StorageAdapter & JobStore) | undefined;
      try {
        const store = storeChoice(options);
        const [{ createRestoreService }, { createWebservice }, { pino }] = await Promise.all([
          import('@mbz-restore/service'),
          import('@mbz-restore/webservice'),
          import('pino'),
        ]);
        const logger = pino({ base: undefined });
        const concurrency =
          options.concurrency === undefined ? undefined : whole('--concurrency', options.concurrency, 1);
        if (options.workers !== undefined && store.kind === 'sqlite')
          throw new UsageError(
            '--workers goes with --pg (workers share a PostgreSQL queue); for SQLite use --concurrency',
          );
        const workers = options.workers === undefined ? 1 : whole('--workers', options.workers, 0);
        const port = whole('--port', options.port, 0, 65535);
        await checkHost(options.host);
        const limits = {
          maxUploadBytes: whole('--max-upload-mb', options.maxUploadMb, 1) * 1024 * 1024,
          maxFilesPerUpload: whole('--max-files', options.maxFiles, 1),
          maxConcurrentUploads: whole('--max-uploads', options.maxUploads, 1),
          maxQueuedRestores: whole('--max-queued', options.maxQueued, 1),
          requestTimeoutMs: whole('--request-timeout', options.requestTimeout, 1) * 1000,
        };
        storage = await createStore(store);
        await storage.open();
        const queue =
          store.kind === 'postgres' ? await (await import('../job-support.ts')).pgQueue(store.url, workers) : undefined;
        const service = await createRestoreService({
          storage,
          ...(queue ? { queue } : {}),
          workers: options.threads ? 'auto' : false,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
        });
        service.on('workerStarted', ({ threadId }) => logger.info({ threadId }, 'restore worker started'));
        service.on('workerExited', ({ threadId, reason, exitCode }) =>
          logger.info({ threadId, reason, exitCode }, 'restore worker ended'),
        );
        const webservice = createWebservice({
          storage,
          service,
          limits,
          logger,
          ...(options.siteUrl ? { siteUrl: options.siteUrl } : {}),
        });
        const address = await webservice.listen(port, options.host).catch((error: unknown) => {
          throw listenError(error, port, options.host);
        });
        logger.info(
          {
            url: address.url,
            store: describeStore(store),
            queue: queue?.name ?? 'local',
            concurrency: service.queueState().concurrency,
            limits,
          },
          'listening',
        );
        await untilSignalled(logger, async (signal, count) => {
          const { running, queued } = service.queueState();
          if (count === 1) {
            logger.info(
              { signal, running: running.length, queued: queued.length },
              'shutting down: running restores finish, queued ones end interrupted',
            );
            await webservice.close({ wait: true });
          } else {
            logger.warn({ signal, running: running.length }, 'shutting down now: interrupting running restores');
            await webservice.close({ wait: false });
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

/** Resolves once the first signal's handler is done; later signals run the handler again (count 2, 3 …). */
function untilSignalled(
  logger: Logger,
  handler: (signal: NodeJS.Signals, count: number) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const on = (signal: NodeJS.Signals): void => {
      count++;
      const run = handler(signal, count);
      if (count === 1)
        run.then(() => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
          resolve();
        }, reject);
      else run.catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'));
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function whole(option: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be a whole number ${range}, got "${raw}"`);
  }
  return n;
}

/** A --host that does not resolve is a usage error (exit 2), found before the store is opened. */
async function checkHost(host: string): Promise<void> {
  try {
    await lookup(host);
  } catch {
    throw new UsageError(
      `--host ${host} is not an address of this machine or a name that resolves; give e.g. 127.0.0.1, ::1 or 0.0.0.0`,
    );
  }
}

/** What a failed listen means for a person: the port is taken, or the address is not this machine's. */
function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new CliError(
      'serve.address-in-use',
      `Port ${port} on ${host} is already in use by another program; stop it or give another --port (0 picks a free one).`,
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL')
    return new UsageError(`--host ${host} is not an address of this machine; give e.g. 127.0.0.1 or 0.0.0.0`);
  if (code === 'EACCES') {
    return new CliError(
      'serve.address-denied',
      `This user may not listen on port ${port} of ${host} (ports below 1024 need privileges); give a --port of 1024 or more.`,
      { cause: error },
    );
  }
  return error;
}
