/** SQLite only: what open() cleans up or finishes, for leftovers made by hand or by a failure after the merge. */
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobOf, readAll } from '@mbz-restore/storage-contract';
import type { StorageAdapter, StorageTransaction } from '@mbz-restore/engine';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStorage } from '../src/index.ts';
import type { SqliteStorageOptions } from '../src/index.ts';
import { AFTER_MERGE_SQL, rawConnection, spyDriver, tempStorePath } from './support/temp-store.ts';

const opened: StorageAdapter[] = [];

async function openStore(options: SqliteStorageOptions): Promise<StorageAdapter> {
  const adapter = createSqliteStorage(options);
  opened.push(adapter);
  await adapter.open();
  return adapter;
}

afterEach(async () => {
  for (const adapter of opened.splice(0)) await adapter.close();
});

/** Puts `blob` in the unit and a draft `files` row named `filename` that holds it. */
async function stageFile(tx: StorageTransaction, blob: ReturnType<typeof blobOf>, filename: string): Promise<void> {
  await tx.putBlob(blob.hash, blob.stream());
  await tx.insert('files', [
    {
      id: await tx.allocateIds('files', 1),
      contenthash: blob.hash,
      pathnamehash: filename[0]!.repeat(40),
      contextid: 1,
      component: 'user',
      filearea: 'draft',
      itemid: 0,
      filepath: '/',
      filename,
      filesize: blob.bytes.length,
      timecreated: 0,
      timemodified: 0,
    },
  ]);
}

describe('sqlite recovery on open()', () => {
  it('deletes staging databases and blob folders of dead units, and keeps a brand-new empty one', async () => {
    const path = tempStorePath();
    await (await openStore({ path })).close();
    const dead = 'a'.repeat(32);
    const stage = new Database(join(`${path}.staging`, `${dead}.db`));
    stage.exec(
      "CREATE TABLE mbz_stage (unitid TEXT, pid INTEGER, createdat INTEGER); INSERT INTO mbz_stage VALUES ('x', 1, 1)",
    );
    stage.close();
    mkdirSync(join(`${path}.blobs`, '.staging', dead), { recursive: true });
    writeFileSync(join(`${path}.blobs`, '.staging', dead, 'f'.repeat(40)), 'x');
    const [fresh, stale] = ['b'.repeat(32), 'c'.repeat(32)];
    writeFileSync(join(`${path}.staging`, `${fresh}.db`), '');
    writeFileSync(join(`${path}.staging`, `${stale}.db`), '');
    utimesSync(join(`${path}.staging`, `${stale}.db`), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    mkdirSync(join(`${path}.blobs`, '.staging', 'd'.repeat(32)), { recursive: true }); // a folder without a database

    await openStore({ path });
    expect(readdirSync(`${path}.staging`)).toEqual([`${fresh}.db`]);
    expect(readdirSync(join(`${path}.blobs`, '.staging'))).toEqual([]);
  });

  it("removes a young, half-created staging file at once when its owner's process on this host is gone", async () => {
    const path = tempStorePath();
    await openStore({ path });
    // A unit whose process died between creating its staging file and locking it: an empty file and its owner note.
    const [dead, alive] = ['e'.repeat(32), 'f'.repeat(32)];
    writeFileSync(join(`${path}.staging`, `${dead}.db`), '');
    writeFileSync(join(`${path}.staging`, `${dead}.owner`), `${hostname()} 2147483646`);
    writeFileSync(join(`${path}.staging`, `${alive}.db`), '');
    writeFileSync(join(`${path}.staging`, `${alive}.owner`), `${hostname()} ${process.pid}`);
    writeFileSync(join(`${path}.staging`, `${'a'.repeat(32)}.owner`), `${hostname()} 2147483646`); // died before its file
    writeFileSync(join(`${path}.staging`, `${'b'.repeat(32)}.owner`), ''); // died while writing its note
    await openStore({ path });
    expect(readdirSync(`${path}.staging`).sort()).toEqual([`${alive}.db`, `${alive}.owner`]);
  });

  it('leaves the staging file of a unit that is still running alone', async () => {
    const path = tempStorePath();
    const a = await openStore({ path });
    const tx = await a.begin();
    await tx.insert('course', [{ id: await tx.allocateIds('course', 1), fullname: 'Live', shortname: 'LIVE' }]);
    await openStore({ path }); // another handle opens and recovers meanwhile
    expect(
      readdirSync(`${path}.staging`)
        .map((name) => name.slice(32))
        .sort(),
    ).toEqual(['.db', '.owner']);
    await tx.commit();
    expect(await a.count('course', { shortname: 'LIVE' })).toBe(1);
    expect(readdirSync(`${path}.staging`)).toEqual([]);
  });

  it('serves and then finishes the blobs of a commit whose blob moves failed', async () => {
    const path = tempStorePath();
    let fail = true;
    const adapter = await openStore({
      path,
      driver: spyDriver((sql) => {
        if (fail && sql.startsWith(AFTER_MERGE_SQL)) throw new Error('simulated failure right after the merge');
      }),
    });
    const blob = blobOf('merged but not moved');
    const tx = await adapter.begin();
    await stageFile(tx, blob, 'a.txt');
    await tx.commit(); // the data is committed even though tidying up failed
    const final = join(`${path}.blobs`, blob.hash.slice(0, 2), blob.hash);
    expect(existsSync(final)).toBe(false);
    expect(await adapter.hasBlob(blob.hash)).toBe(true);
    expect(await readAll((await adapter.readBlob(blob.hash))!)).toEqual(blob.bytes);
    expect(await adapter.count('files')).toBe(1);
    fail = false;
    await openStore({ path });
    expect(existsSync(final)).toBe(true);
    const raw = rawConnection(path);
    expect(raw.prepare('SELECT state FROM mbz_commits').all()).toEqual([{ state: 'done' }]);
    expect(raw.prepare('SELECT count(*) AS n FROM mbz_pending_blobs').get()).toEqual({ n: 0 });
    raw.close();
    expect(readdirSync(`${path}.staging`)).toEqual([]);
  });

  it('flushes staged blobs before the merge: a commit whose staged blob is gone fails and records nothing', async () => {
    const path = tempStorePath();
    const adapter = await openStore({ path });
    const blob = blobOf('staged, then lost before commit');
    const tx = await adapter.begin();
    await stageFile(tx, blob, 'b.txt');
    const [unit] = readdirSync(join(`${path}.blobs`, '.staging'));
    rmSync(join(`${path}.blobs`, '.staging', unit!, blob.hash));
    await expect(tx.commit()).rejects.toMatchObject({ code: 'storage.io' });
    expect(await adapter.count('files')).toBe(0);
    expect(await adapter.hasBlob(blob.hash)).toBe(false);
    const raw = rawConnection(path);
    expect(raw.prepare('SELECT count(*) AS n FROM mbz_commits').get()).toEqual({ n: 0 });
    raw.close();
  });
});
