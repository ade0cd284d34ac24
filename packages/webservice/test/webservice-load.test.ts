/**
 * Load, bounded and on loopback only: 50 clients at once, each uploading a small generated backup and
 * restoring it through the webservice, against a server with two restores at a time and per-token limits.
 * Refused requests (`toomanyrequests`) are retried after a pause, as a client should. Every restore must end
 * 1000 or with a clean Moodle error, memory must stay bounded, no request may take longer than the request
 * timeout, and the restores share the service's pooled worker threads (never more than the concurrency). The
 * figures are printed (and quoted in packages/webservice/README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_PATH, UPLOAD_PATH } from '@mbz-restore/webservice';
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { startServer, xsBackup } from './support/ws-server.ts';
import type { TestServer } from './support/ws-server.ts';

const CLIENTS = 50;
const TOKENS = 10;
const BACKUPS = 5;
const REQUEST_TIMEOUT_MS = 20_000;
/** A client gives up retrying refused requests after this long (a clean error, counted). */
const CLIENT_DEADLINE_MS = 90_000;

let server: TestServer;
let tokens: string[];
let backups: string[];

beforeAll(async () => {
  server = await startServer({
    concurrency: 2,
    limits: {
      maxConcurrentUploads: 2,
      maxQueuedRestores: 3,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      maxUploadBytes: 4 * 1024 * 1024,
    },
  });
  tokens = await Promise.all(Array.from({ length: TOKENS }, (_, i) => server.token({ name: `load-${i}` })));
  backups = await Promise.all(Array.from({ length: BACKUPS }, (_, i) => xsBackup(100 + i)));
});
afterAll(async () => {
  await server?.close();
});

interface Outcome {
  readonly kind: 'done' | 'failed' | 'refused';
  readonly detail: string;
  readonly retries: number;
}

describe('webservice under load', () => {
  it(`${CLIENTS} clients upload and restore at once: all end 1000 or a clean error, memory bounded, no request over the timeout`, {
    timeout: 180_000,
  }, async () => {
    const durations: number[] = [];
    const timed = async (
      input: string,
      init: RequestInit,
    ): Promise<Record<string, unknown> | Array<Record<string, unknown>>> => {
      const t0 = performance.now();
      const res = await fetch(input, init);
      const body = (await res.json()) as Record<string, unknown>;
      durations.push(performance.now() - t0);
      expect(res.status).toBe(200);
      return body;
    };
    const restCall = (token: string, wsfunction: string, params: Record<string, string | number>) =>
      timed(server.url + REST_PATH, {
        method: 'POST',
        body: new URLSearchParams({
          wstoken: token,
          wsfunction,
          moodlewsrestformat: 'json',
          ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
        }),
      }) as Promise<Record<string, unknown>>;

    const client = async (i: number): Promise<Outcome> => {
      const token = tokens[i % TOKENS]!;
      const backup = backups[i % BACKUPS]!;
      const deadline = performance.now() + CLIENT_DEADLINE_MS;
      let retries = 0;
      /** Runs `call` until it is not refused for a limit; undefined once the deadline passed. */
      const retrying = async <T extends Record<string, unknown> | Array<Record<string, unknown>>>(
        call: () => Promise<T>,
      ): Promise<T | Record<string, unknown>> => {
        for (;;) {
          const answer = await call();
          if (Array.isArray(answer) || answer.errorcode !== 'toomanyrequests' || performance.now() > deadline)
            return answer;
          retries++;
          await new Promise((r) => setTimeout(r, 100 + ((i * 37 + retries * 11) % 200)));
        }
      };
      const uploaded = await retrying(async () => {
        const form = new FormData();
        form.append('token', token);
        form.append('file', await openAsBlob(backup), basename(backup));
        return timed(server.url + UPLOAD_PATH, { method: 'POST', body: form });
      });
      if (!Array.isArray(uploaded)) return { kind: 'refused', detail: String(uploaded.errorcode), retries };
      const file = uploaded[0]!;
      const started = await retrying(() =>
        restCall(token, 'core_course_restore_async', {
          categoryid: 1,
          'localfile[contextid]': file.contextid as number,
          'localfile[itemid]': file.itemid as number,
        }),
      );
      if (typeof started.restoreid !== 'string') return { kind: 'refused', detail: String(started.errorcode), retries };
      for (;;) {
        const status = await restCall(token, 'core_course_restore_async_get_status', { restoreid: started.restoreid });
        if (status.status === 1000) return { kind: 'done', detail: started.restoreid, retries };
        if (status.status === 900 || typeof status.status !== 'number')
          return { kind: 'failed', detail: JSON.stringify(status), retries };
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    let threads = 0;
    server.service.on('workerStarted', () => threads++);
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);

    const done = outcomes.filter((o) => o.kind === 'done');
    const refused = outcomes.filter((o) => o.kind === 'refused');
    const failed = outcomes.filter((o) => o.kind === 'failed');
    const sorted = [...durations].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    const mib = (n: number) => Math.round(n / 1024 / 1024);
    const figures = {
      clients: CLIENTS,
      tokens: TOKENS,
      concurrency: 2,
      seconds: Math.round(seconds * 10) / 10,
      restored: done.length,
      refused: refused.length,
      failed: failed.length,
      retries: outcomes.reduce((s, o) => s + o.retries, 0),
      requests: durations.length,
      workerThreads: threads,
      requestMs: { p50: Math.round(pct(50)), p95: Math.round(pct(95)), max: Math.round(sorted.at(-1)!) },
      rssMiB: { baseline: mib(baseline.rss), peak: mib(peakRss) },
      heapMiB: { baseline: mib(baseline.heapUsed), peak: mib(peakHeap) },
    };
    console.log(`[webservice load] ${JSON.stringify(figures)}`);

    expect(failed, JSON.stringify(failed)).toEqual([]);
    for (const o of refused) expect(o.detail).toBe('toomanyrequests');
    expect(done.length + refused.length).toBe(CLIENTS);
    expect(done.length).toBeGreaterThanOrEqual(CLIENTS * 0.9);
    expect(sorted.at(-1)!).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(threads).toBeGreaterThan(0);
    expect(threads).toBeLessThanOrEqual(2);
    // Uploads are spooled to disk and restores stream: memory grows by far less than the data moved.
    expect(peakRss - baseline.rss).toBeLessThan(768 * 1024 * 1024);
    expect(await server.storage.count('mbz_token_restores')).toBe(done.length);
    const courses = await server.storage.count('course');
    expect(courses).toBe(1 + done.length);
  });
});
