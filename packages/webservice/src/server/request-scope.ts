/**
 * The life of one request: its timeout (an abort signal handlers watch, then a forced answer if a handler does
 * not stop in time), the fields of its log line, and the line itself once the answer is sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestTimeout } from '../errors/exceptions.ts';
import type { RequestScope } from './http-io.ts';
import { sendBody } from './http-io.ts';

/** How long a handler has to answer after its request timed out before the server answers for it. */
const FORCE_AFTER_MS = 2000;

/** Starts the scope of a request; the returned scope is torn down when the response closes. */
export function startRequestScope(
  req: IncomingMessage,
  res: ServerResponse,
  options: { timeoutMs: number; logger: Logger | undefined; path: string },
): RequestScope {
  const started = process.hrtime.bigint();
  const controller = new AbortController();
  let reason: 'timeout' | 'closed' | undefined;
  const log: Record<string, unknown> = {};
  let force: NodeJS.Timeout | undefined;
  let committed = false;
  const timer = setTimeout(() => {
    reason = 'timeout';
    controller.abort();
    if (committed) return;
    force = setTimeout(() => {
      if (committed) return;
      // The handler is stuck reading (a client trickling its body): answer and drop the connection.
      const e = requestTimeout(options.timeoutMs);
      log.errorcode ??= e.errorcode;
      sendBody(res, 200, 'application/json', JSON.stringify(e.toJSON()), { close: true });
      req.destroy();
    }, FORCE_AFTER_MS);
  }, options.timeoutMs);
  const onClose = (): void => {
    clearTimeout(timer);
    clearTimeout(force);
    if (!res.writableFinished && reason === undefined) {
      reason = 'closed';
      controller.abort();
    }
  };
  res.on('close', onClose);
  req.on('close', () => {
    if (!req.readableEnded && !res.writableEnded && reason === undefined) {
      reason = 'closed';
      controller.abort();
    }
  });
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    options.logger?.info(
      { method: req.method, path: options.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...log },
      'request',
    );
    // A refused request whose body was not read: do not let a client keep sending.
    if (!req.readableEnded && reason === 'timeout') req.socket?.destroy();
  });
  const host = req.headers.host ?? 'localhost';
  return {
    signal: controller.signal,
    abortReason: () => reason,
    log,
    origin: `http://${host}`,
    commit: () => {
      committed = true;
      clearTimeout(timer);
    },
  };
}
