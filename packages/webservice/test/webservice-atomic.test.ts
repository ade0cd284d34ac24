/**
 * All or nothing through the webservice: an upload whose second file cannot be stored (a full disk) stores
 * none of its files; a restore's owning token is recorded before its job exists, so no reader ever sees a job
 * without its owner; when the owner cannot be recorded, no job is recorded either and the token's slot is free.
 */
import type { RestoreJobRecord, StorageAdapter, StorageTransaction, JobStore } from '@mbz-restore/engine';
import { withFaults } from '@mbz-restore/storage-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries, pollUntilEnded, rest, startRestore, startServer, upload, xsBackup } from './support/ws-server.ts';
import type { TestServer } from './support/ws-server.ts';

let xs: string;
let other: string;
beforeAll(async () => {
  xs = await xsBackup(1);
  other = await xsBackup(2);
});

describe('an upload of several files', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Every unit of work of the service fails at its second blob, as a disk that fills up does.
    server = await startServer({ wrapServiceStorage: (storage) => withFaults(storage, { failBlobAt: 2 }) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores none of its files when the second one fails', async () => {
    const token = await server.token();
    const files = await server.storage.count('files');
    const answer = await upload(server.url, token, [xs, other]);
    expect(answer).toMatchObject({ errorcode: 'storage.no-space', exception: 'moodle_exception' });
    expect(await server.storage.count('files')).toBe(files);
    expect(await server.storage.count('files', { filename: 'xs-1.mbz' })).toBe(0);
    expect(await entries(server.spoolDir)).toEqual([]);

    // One file is one blob: stored, so the fault above was the second file's.
    const [record] = (await upload(server.url, token, [xs])) as Array<Record<string, unknown>>;
    expect(record).toMatchObject({ filename: 'xs-1.mbz', component: 'user' });
  });
});

describe("a restore's owner", () => {
  it('is recorded before the job is', async () => {
    // How many owner rows name the restore, each time the service writes its job record (700, 800 …, 1000).
    const owners: number[] = [];
    const server = await startServer({
      wrapServiceStorage: (storage) =>
        spyPutJob(
          storage,
          async (job) => void owners.push(await storage.count('mbz_token_restores', { restoreid: job.restoreid })),
        ),
    });
    try {
      const token = await server.token();
      const restoreid = await startRestore(server.url, token, xs);
      expect((await pollUntilEnded(server.url, token, restoreid)).at(-1)!.status).toBe(1000);
      expect(owners.length).toBeGreaterThanOrEqual(3);
      expect(owners.every((n) => n === 1)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('that cannot be recorded fails the request: no job, no owner row, and the token may restore again', async () => {
    const fault = { on: true };
    const server = await startServer({
      limits: { maxQueuedRestores: 1 },
      wrapStorage: (storage) => failingOwners(storage, fault),
    });
    try {
      const token = await server.token();
      const [file] = (await upload(server.url, token, [xs])) as Array<Record<string, number>>;
      const params = { categoryid: 1, 'localfile[contextid]': file!.contextid!, 'localfile[itemid]': file!.itemid! };
      const answer = await rest(server.url, token, 'core_course_restore_async', params);
      expect(answer).toMatchObject({ errorcode: 'generalexceptionmessage', exception: 'moodle_exception' });
      expect(await server.storage.listJobs()).toEqual([]);
      expect(await server.storage.count('mbz_token_restores')).toBe(0);

      fault.on = false;
      const { restoreid } = await rest(server.url, token, 'core_course_restore_async', params);
      expect((await pollUntilEnded(server.url, token, restoreid)).at(-1)!.status).toBe(1000);
      expect((await server.storage.listJobs()).map((j) => j.restoreid)).toEqual([restoreid]);
    } finally {
      await server.close();
    }
  });
});

// Internal helpers

/** `storage`, calling `spy` with each job record before it is written. */
function spyPutJob(
  storage: StorageAdapter & JobStore,
  spy: (job: RestoreJobRecord) => Promise<void>,
): StorageAdapter & JobStore {
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'putJob') {
        return async (job: RestoreJobRecord) => {
          await spy(job);
          return target.putJob(job);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `storage`, whose inserts into `mbz_token_restores` fail while `fault.on`. */
function failingOwners(storage: StorageAdapter & JobStore, fault: { on: boolean }): StorageAdapter & JobStore {
  const failing = (tx: StorageTransaction): StorageTransaction =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'insert') {
          return async (table: string, rows: never) => {
            if (fault.on && table === 'mbz_token_restores')
              throw new Error('injected fault: the owner row cannot be written');
            return target.insert(table, rows);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'begin') return async () => failing(await target.begin());
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
