/** SQLite only: several handles on one store (same process, a worker thread, a child process that dies). */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { blobOf, jobRecord, readAll, sampleRestore } from '@mbz-restore/storage-contract';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStorage } from '../src/index.ts';
import { rawConnection, tempStorePath } from './support/temp-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tsxApi = import.meta.resolve('tsx/esm/api');
const opened: Array<StorageAdapter & JobStore> = [];

async function openStore(path: string): Promise<StorageAdapter & JobStore> {
  const adapter = createSqliteStorage({ path });
  opened.push(adapter);
  await adapter.open();
  return adapter;
}

/** Runs support/child-unit.ts in a child process that kills itself; resolves when it is gone. */
async function runChild(path: string, mode: 'abandon' | 'crash-after-merge', text: string): Promise<void> {
  const script = join(here, 'support', 'child-unit.ts');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', script, path, mode, blobOf(text).hash, text], {
    cwd: here,
  }).catch((error: { signal?: string }) => {
    if (error.signal !== 'SIGKILL') throw error;
  });
}

afterEach(async () => {
  for (const adapter of opened.splice(0)) await adapter.close();
});

describe('sqlite store shared between handles', () => {
  it('lets two handles on one file run units at once, each seeing the other once committed', async () => {
    const path = tempStorePath();
    const [a, b] = [await openStore(path), await openStore(path)];
    const [ta, tb] = [await a.begin(), await b.begin()];
    const [ca, cb] = await Promise.all([sampleRestore(ta, 'A'), sampleRestore(tb, 'B')]);
    expect(ca).not.toBe(cb);
    await tb.commit();
    expect(await a.count('course', { id: cb })).toBe(1);
    expect(await ta.select('course', { id: cb })).toHaveLength(1);
    await ta.commit();
    expect(await b.count('logstore_standard_log')).toBe(100);
    expect(await b.listBlobs()).toHaveLength(4);
    expect(await readAll((await b.readBlob(blobOf('a-A').hash))!)).toEqual(blobOf('a-A').bytes);
    await a.putJob(jobRecord('e'.repeat(32), 5));
    expect(await b.getJob('e'.repeat(32))).toEqual(jobRecord('e'.repeat(32), 5));
    const raw = rawConnection(path);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });

  it('opens the same store in a worker thread from workerOpenSpec()', async () => {
    const path = tempStorePath();
    const adapter = await openStore(path);
    const spec = adapter.workerOpenSpec!();
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    const mine = await adapter.begin();
    const myId = await mine.allocateIds('course', 1);
    // The worker runs TypeScript through tsx, registered before the script is imported.
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(join(here, 'support', 'worker-unit.ts')).href)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: spec });
    const workerId = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(workerId).not.toBe(myId);
    expect(await adapter.select('course', { id: workerId })).toEqual([
      expect.objectContaining({ shortname: 'WORKER' }),
    ]);
    expect(await adapter.getJob('f'.repeat(32))).toMatchObject({ courseid: workerId, status: 1000 });
    await mine.rollback();
  });

  it('cleans up after a process that died in the middle of a unit of work', async () => {
    const path = tempStorePath();
    await (await openStore(path)).close();
    await runChild(path, 'abandon', 'orphan blob');
    const staging = readdirSync(`${path}.staging`).filter((name) => name.endsWith('.db'));
    expect(staging).toHaveLength(1);
    expect(readdirSync(join(`${path}.blobs`, '.staging'))).toHaveLength(1);
    const adapter = await openStore(path);
    expect(readdirSync(`${path}.staging`)).toEqual([]);
    expect(readdirSync(join(`${path}.blobs`, '.staging'))).toEqual([]);
    expect(await adapter.count('course', { shortname: 'CHILD-abandon' })).toBe(0);
    expect(await adapter.hasBlob(blobOf('orphan blob').hash)).toBe(false);
    const tx = await adapter.begin(); // ids reserved by the dead unit stay used
    expect(await tx.allocateIds('course', 1)).toBe(3);
    await tx.rollback();
  });

  it('finishes moving the blobs of a unit whose process died right after its merge committed', async () => {
    const path = tempStorePath();
    await (await openStore(path)).close();
    const blob = blobOf('committed, then crashed');
    await runChild(path, 'crash-after-merge', 'committed, then crashed');
    const final = join(`${path}.blobs`, blob.hash.slice(0, 2), blob.hash);
    expect(existsSync(final)).toBe(false);
    const raw = rawConnection(path);
    expect(raw.prepare('SELECT state FROM mbz_commits').all()).toEqual([{ state: 'merged' }]);
    raw.close();
    const adapter = await openStore(path);
    expect(existsSync(final)).toBe(true);
    expect(await adapter.select('course', { shortname: 'CHILD-crash-after-merge' })).toHaveLength(1);
    expect(await readAll((await adapter.readBlob(blob.hash))!)).toEqual(blob.bytes);
    expect(readdirSync(`${path}.staging`)).toEqual([]);
    expect(readdirSync(join(`${path}.blobs`, '.staging'))).toEqual([]);
    const check = rawConnection(path);
    expect(check.prepare('SELECT state FROM mbz_commits').all()).toEqual([{ state: 'done' }]);
    check.close();
  });
});
