/**
 * The webservice: a `node:http` server with Moodle's two entry points, `/webservice/upload.php` and
 * `/webservice/rest/server.php`, in front of a restore service and its store. One log line per request
 * (pino); per-token limits; a request timeout; and a shutdown that stops taking work, lets running restores
 * finish (or interrupts them), then closes the listener.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { EXTERNAL_FUNCTIONS } from '../functions/index.ts';
import { TokenLimits } from '../limits/token-limits.ts';
import { handleRest } from '../rest/rest-handler.ts';
import { restoresOf } from '../tokens/restore-owners.ts';
import { handleUpload } from '../upload/upload-handler.ts';
import type { AppContext } from './app-context.ts';
import { sendBody } from './http-io.ts';
import { resolveLimits } from './options.ts';
import type { WebserviceOptions } from './options.ts';
import { startRequestScope } from './request-scope.ts';

/** Paths served. */
export const UPLOAD_PATH = '/webservice/upload.php';
export const REST_PATH = '/webservice/rest/server.php';

/** Where a listening webservice can be reached. */
export interface WebserviceAddress {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
}

/** A webservice, ready to listen. */
export interface Webservice {
  /** The underlying HTTP server. */
  readonly server: Server;
  /** Starts listening. Default port 8080 (0 picks a free one), default host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<WebserviceAddress>;
  /**
   * Shuts down: new uploads and restores are refused (`servershuttingdown`) while status calls are still
   * answered; with `wait` (the default) running restores finish and queued ones end 900 `interrupted`, without
   * it running ones are interrupted too (the restore service's `close()`); then the listener closes once the
   * requests in flight are answered. Calling it again with `wait: false` during a graceful shutdown interrupts
   * the running restores (they roll back and end 900 `interrupted`), and both calls resolve once all has ended.
   */
  close(options?: { wait?: boolean }): Promise<void>;
}

/** Creates the webservice (not yet listening). */
export function createWebservice(options: WebserviceOptions): Webservice {
  const limits = resolveLimits(options.limits);
  const logger: Logger | undefined =
    options.logger === false ? undefined : (options.logger ?? pino({ base: undefined }));
  const { storage, service } = options;
  let closing = false;
  const tokenLimits = new TokenLimits(limits, async (tokenid) => {
    const mine = new Set(await restoresOf(storage, tokenid));
    const queue = service.queueState();
    return [...queue.running, ...queue.queued].filter((id) => mine.has(id));
  });
  const ended = (event: { restoreid: string }): void => tokenLimits.restoreEnded(event.restoreid);
  service.on('completed', ended);
  service.on('failed', ended);
  service.on('cancelled', ended);
  const app: AppContext = {
    storage,
    service,
    limits,
    tokenLimits,
    logger,
    tempDir: options.tempDir ?? tmpdir(),
    siteUrl: options.siteUrl,
    functions: new Map(EXTERNAL_FUNCTIONS.map((f) => [f.name, f])),
    closing: () => closing,
  };
  const server = createServer(
    // Node's own request timeout is a backstop behind the webservice's.
    {
      requestTimeout: limits.requestTimeoutMs + 30_000,
      headersTimeout: Math.min(60_000, limits.requestTimeoutMs + 30_000),
      keepAliveTimeout: 5_000,
    },
    (req, res) => void route(req, res, app),
  );
  let serverClosed: Promise<void> | undefined;

  return {
    server,
    listen(port = 8080, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
        });
      });
    },
    async close({ wait = true } = {}) {
      closing = true;
      // During a graceful shutdown, a call without wait makes the service interrupt the restores it waits for.
      await service.close({ wait });
      service.off('completed', ended);
      service.off('failed', ended);
      service.off('cancelled', ended);
      serverClosed ??= new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await serverClosed;
    },
  };
}

// Internal helpers

async function route(req: IncomingMessage, res: ServerResponse, app: AppContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const scope = startRequestScope(req, res, {
    timeoutMs: app.limits.requestTimeoutMs,
    logger: app.logger,
    path: url.pathname,
  });
  try {
    if (url.pathname === UPLOAD_PATH) await handleUpload(req, res, url, app, scope);
    else if (url.pathname === REST_PATH && (req.method === 'GET' || req.method === 'POST'))
      await handleRest(req, res, url, app, scope);
    else if (url.pathname === REST_PATH)
      sendBody(res, 405, 'text/plain; charset=utf-8', 'Use GET or POST.\n', { headers: { Allow: 'GET, POST' } });
    else
      sendBody(
        res,
        404,
        'text/plain; charset=utf-8',
        `Not found. This server answers ${UPLOAD_PATH} and ${REST_PATH}.\n`,
      );
  } catch (error) {
    app.logger?.error({ err: error }, 'unexpected error');
    sendBody(res, 500, 'text/plain; charset=utf-8', 'Internal server error.\n', { close: true });
  }
}
