/**
 * A real webservice for tests: a SQLite store (or the memory one) in a temp folder, the real restore service,
 * the server listening on a free loopback port, and small clients for its two endpoints.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createRestoreService } from '@mbz-restore/service';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import type { RestoreService } from '@mbz-restore/service';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { createToken, createWebservice, REST_PATH, UPLOAD_PATH } from '@mbz-restore/webservice';
import type { CreateTokenOptions, Webservice, WebserviceLimits } from '@mbz-restore/webservice';

/** A generated xs backup (tar.gz) in a temp folder. */
export { xsBackup } from '@mbz-restore/test-support/backups';

/** A running test server. */
export interface TestServer {
  readonly url: string;
  readonly storage: StorageAdapter & JobStore;
  readonly service: RestoreService;
  readonly webservice: Webservice;
  /** The folder uploads are spooled in (empty between requests). */
  readonly spoolDir: string;
  /** A new token. */
  token(options?: CreateTokenOptions): Promise<string>;
  /** Stops the server and the service, closes the store and removes the folder. */
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  readonly store?: 'sqlite' | 'memory';
  readonly limits?: Partial<WebserviceLimits>;
  readonly concurrency?: number;
  /** Restore in worker threads (the service's default, `'auto'`) or on the main thread. */
  readonly workers?: boolean | 'auto';
  /** Wraps the store the webservice reads and writes (tokens, restore owners), e.g. to inject faults. */
  readonly wrapStorage?: (storage: StorageAdapter & JobStore) => StorageAdapter & JobStore;
  /** Wraps the store the restore service works on (draft files, jobs), e.g. to inject faults. */
  readonly wrapServiceStorage?: (storage: StorageAdapter & JobStore) => StorageAdapter & JobStore;
}

/** Starts a server on 127.0.0.1, port 0. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mbz-ws-'));
  const spoolDir = join(dir, 'spool');
  await mkdir(spoolDir);
  const storage =
    options.store === 'memory' ? createMemoryStorage() : createSqliteStorage({ path: join(dir, 'store.sqlite') });
  await storage.open();
  const service = await createRestoreService({
    storage: options.wrapServiceStorage?.(storage) ?? storage,
    concurrency: options.concurrency ?? 2,
    tempDir: join(dir, 'service'),
    progressIntervalMs: 50,
    workers: options.workers ?? 'auto',
  });
  const webservice = createWebservice({
    storage: options.wrapStorage?.(storage) ?? storage,
    service,
    limits: options.limits ?? {},
    logger: false,
    tempDir: spoolDir,
  });
  const { url } = await webservice.listen(0, '127.0.0.1');
  return {
    url,
    storage,
    service,
    webservice,
    spoolDir,
    token: async (tokenOptions) => (await createToken(storage, tokenOptions)).token,
    async close() {
      await webservice.close({ wait: false });
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What `upload.php` answered, parsed. */
export type UploadAnswer = Array<Record<string, unknown>> | Record<string, unknown>;

/** POSTs files (paths) to upload.php with `fields`; the token goes in the form. */
export async function upload(
  url: string,
  token: string | undefined,
  files: readonly string[],
  fields: Record<string, string> = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  if (token !== undefined) form.append('token', token);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [i, path] of files.entries()) form.append(`file_${i + 1}`, await openAsBlob(path), basename(path));
  const res = await fetch(url + UPLOAD_PATH, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`upload.php answered HTTP ${res.status}`);
  return (await res.json()) as UploadAnswer;
}

/** Calls a REST function (POST, form-encoded, JSON answer) with parameters in Moodle's bracket encoding. */
export async function rest(
  url: string,
  token: string,
  wsfunction: string,
  params: Record<string, string | number> = {},
  format = 'json',
  // biome-ignore lint/suspicious/noExplicitAny: the tests read fields of Moodle's JSON answers, whatever the function
): Promise<any> {
  const body = new URLSearchParams({ wstoken: token, wsfunction, moodlewsrestformat: format });
  for (const [k, v] of Object.entries(params)) body.append(k, String(v));
  const res = await fetch(url + REST_PATH, { method: 'POST', body });
  if (res.status !== 200) throw new Error(`server.php answered HTTP ${res.status}`);
  return format === 'json' ? res.json() : res.text();
}

/** Uploads `backup`, starts its restore with `options` (name → value) into `categoryid`, and answers the restore id. */
export async function startRestore(
  url: string,
  token: string,
  backup: string,
  options: Record<string, string | number> = {},
  categoryid = 1,
): Promise<string> {
  const answer = await upload(url, token, [backup]);
  if (!Array.isArray(answer)) throw new Error(`upload failed: ${JSON.stringify(answer)}`);
  const file = answer[0]!;
  const params: Record<string, string | number> = {
    categoryid,
    'localfile[contextid]': file.contextid as number,
    'localfile[itemid]': file.itemid as number,
  };
  Object.entries(options).forEach(([name, value], i) => {
    params[`options[${i}][name]`] = name;
    params[`options[${i}][value]`] = value;
  });
  const result = await rest(url, token, 'core_course_restore_async', params);
  if (typeof result.restoreid !== 'string') throw new Error(`restore_async failed: ${JSON.stringify(result)}`);
  return result.restoreid;
}

/** Polls `core_course_restore_async_get_status` until the restore ends (900 or 1000); answers every status seen. */
export async function pollUntilEnded(
  url: string,
  token: string,
  restoreid: string,
  intervalMs = 50,
  maxPolls = 2000,
): Promise<Array<{ status: number; progress: number }>> {
  const seen: Array<{ status: number; progress: number }> = [];
  for (let i = 0; i < maxPolls; i++) {
    const status = await rest(url, token, 'core_course_restore_async_get_status', { restoreid });
    if (typeof status.status !== 'number') throw new Error(`get_status failed: ${JSON.stringify(status)}`);
    seen.push(status);
    if (status.status >= 900) return seen;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`restore ${restoreid} did not end after ${maxPolls} polls`);
}

/** Names in a folder (empty when it has none). */
export async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
