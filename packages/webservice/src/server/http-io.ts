/** Writing answers the way Moodle's webservice scripts send them (status 200, no caching), once per request. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler knows about the request it serves. */
export interface RequestScope {
  /** Aborted when the request times out or the client goes away. */
  readonly signal: AbortSignal;
  /** Why {@link signal} was aborted: `timeout` or `closed`. */
  readonly abortReason: () => 'timeout' | 'closed' | undefined;
  /** Fields added to the request's log line (`wsfunction`, `errorcode`, `tokenid` …). */
  readonly log: Record<string, unknown>;
  /** The URL the client used for the site (scheme, host and port), for `siteurl`. */
  readonly origin: string;
  /**
   * Marks the point of no return: the request has been read and its work begins (storing files, queueing a
   * restore). From then on a timeout no longer answers for the handler, which answers when the work is done,
   * so an answer never says "nothing was stored" about work that goes on.
   */
  readonly commit: () => void;
}

/** Moodle's `send_headers()` of the REST server: no caching, no ranges. */
const NO_CACHE = {
  'Cache-Control': 'private, must-revalidate, pre-check=0, post-check=0, max-age=0',
  Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
  Pragma: 'no-cache',
  'Accept-Ranges': 'none',
};

/** Sends a complete answer unless one was already sent. `close` asks the client to open a new connection next time. */
export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  options: { close?: boolean; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
    ...NO_CACHE,
    ...(options.close ? { Connection: 'close' } : {}),
    ...options.headers,
  });
  res.end(bytes);
}

/** Reads and drops the rest of a request body (bounded by the request's own timeout). */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  req.removeAllListeners('data');
  req.resume();
}

/**
 * Reads and drops the rest of a request body and resolves once it has ended (or the request was aborted), so
 * that an answer sent after it reaches a client that is still sending: answering early and closing the
 * connection would make many clients fail with EPIPE instead of reading the answer.
 */
export function drainBody(req: IncomingMessage, signal: AbortSignal): Promise<void> {
  if (req.readableEnded || req.destroyed || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    req.once('end', done).once('close', done).once('error', done);
    discardBody(req);
  });
}
