/**
 * PostgreSQL only: Moodle's types, names and sequences; the schema and prefix options; several processes' worth of
 * handles (separate pools) opening, allocating, locking and restoring at once; blobs in chunks and in a filedir; a
 * unit whose connection dies; a worker's handle from workerOpenSpec().
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { restore } from '@mbz-restore/engine';
import type { JobStore, StorageAdapter } from '@mbz-restore/engine';
import { blobOf, courseRow, dumpStore, jobRecord, readAll, sampleRestore } from '@mbz-restore/storage-contract';
import { generated } from '@mbz-restore/test-support/backups';
import { freshDatabase } from '@mbz-restore/test-support/postgres';
import { testTempDir } from '@mbz-restore/test-support/temp';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPostgresStorage } from '../src/index.ts';
import type { PostgresStorageOptions } from '../src/index.ts';

const opened: Array<StorageAdapter & JobStore> = [];
const clients: pg.Client[] = [];

async function openStore(options: PostgresStorageOptions): Promise<StorageAdapter & JobStore> {
  const adapter = createPostgresStorage(options);
  opened.push(adapter);
  await adapter.open();
  return adapter;
}

async function sql(connectionString: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  clients.push(client);
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
    clients.splice(clients.indexOf(client), 1);
  }
}

/** The statements the adapter sends from now on (every pg connection's `query`), by their SQL. */
function watchStatements(): { texts: string[]; stop(): void } {
  const texts: string[] = [];
  const original = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    texts.push(typeof q === 'string' ? q : String(q?.text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  return { texts, stop: () => spy.mockRestore() };
}

afterEach(async () => {
  for (const adapter of opened.splice(0)) await adapter.close();
});

describe('postgres store', () => {
  it("creates Moodle's tables with Moodle's PostgreSQL types, a sequence per table and the spec's indexes", async () => {
    const url = await freshDatabase();
    await openStore({ connectionString: url });
    const columns = await sql(
      url,
      `SELECT column_name, data_type, character_maximum_length AS len, numeric_precision AS p, numeric_scale AS s,
              is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      ['mdl_course'],
    );
    const byName = new Map(columns.rows.map((r) => [r.column_name as string, r]));
    expect(byName.get('id')).toMatchObject({ data_type: 'bigint', is_nullable: 'NO' });
    expect(String(byName.get('id')!.column_default)).toContain('mdl_course_id_seq');
    expect(byName.get('fullname')).toMatchObject({ data_type: 'character varying', len: 254, is_nullable: 'NO' });
    expect(byName.get('summary')).toMatchObject({ data_type: 'text', is_nullable: 'YES' });
    expect(byName.get('format')).toMatchObject({
      data_type: 'character varying',
      column_default: "'topics'::character varying",
    });
    expect(byName.get('visible')).toMatchObject({ data_type: 'smallint' });
    expect(byName.get('newsitems')).toMatchObject({ data_type: 'integer' });
    expect(byName.get('category')).toMatchObject({ data_type: 'bigint' });
    const grade = await sql(
      url,
      `SELECT data_type, numeric_precision AS p, numeric_scale AS s FROM information_schema.columns
        WHERE table_name = 'mdl_grade_items' AND column_name = 'grademax'`,
    );
    expect(grade.rows[0]).toMatchObject({ data_type: 'numeric', p: 10, s: 5 });
    const indexes = await sql(url, `SELECT indexdef FROM pg_indexes WHERE tablename = 'mdl_user'`);
    expect(indexes.rows.map((r) => r.indexdef as string).join('\n')).toMatch(
      /CREATE UNIQUE INDEX \S+ ON public\.mdl_user USING btree \(mnethostid, username\)/,
    );
    // Seeded tables' sequences continue after the seed; an empty table's starts at 1.
    const store = await openStore({ connectionString: url });
    const tx = await store.begin();
    expect(await tx.allocateIds('user', 10)).toBe(3);
    expect(await tx.allocateIds('user', 1)).toBe(13);
    expect(await tx.allocateIds('logstore_standard_log', 5)).toBe(1);
    expect(await tx.allocateIds('logstore_standard_log', 5)).toBe(6);
    await tx.rollback();
  });

  it('returns numbers for bigint, numeric and smallint columns, strings for text, as SQLite does', async () => {
    const store = await openStore({ connectionString: await freshDatabase() });
    const tx = await store.begin();
    const id = await tx.allocateIds('grade_items', 1);
    await tx.insert('grade_items', [
      {
        id,
        courseid: 1,
        itemtype: 'manual',
        itemname: 'x\ty\nz\\w\r',
        grademax: 12.5,
        gradepass: '3.25',
        timecreated: 1_700_000_000,
      },
    ]);
    await tx.commit();
    const [row] = await store.select('grade_items', { id });
    expect(row).toMatchObject({
      id,
      courseid: 1,
      itemname: 'x\ty\nz\\w\r',
      grademax: 12.5,
      gradepass: 3.25,
      hidden: 0,
    });
    expect(typeof row!.timecreated).toBe('number');
    expect(await store.count('grade_items')).toBe(1);
  });

  it('keeps its tables in the given schema with the given prefix', async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url, schema: 'moodle', prefix: 'm_' });
    const tx = await store.begin();
    const id = await tx.allocateIds('course', 1);
    await tx.insert('course', [courseRow(id, 'IN-SCHEMA')]);
    await tx.commit();
    const { rows } = await sql(url, 'SELECT shortname FROM moodle.m_course WHERE id = $1', [id]);
    expect(rows).toEqual([{ shortname: 'IN-SCHEMA' }]);
    expect((await sql(url, "SELECT to_regclass('moodle.m_course_id_seq') AS s")).rows[0].s).toBe(
      'moodle.m_course_id_seq',
    );
    expect((await sql(url, "SELECT to_regclass('public.mdl_course') AS t")).rows[0].t).toBeNull();
  });

  it('lets several handles open a new database at once: one creates and seeds, the others find it done', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ connectionString: url })));
    expect(await stores[0]!.count('config', { name: 'siteidentifier' })).toBe(1);
    expect(await stores[2]!.count('user')).toBe(2);
  });

  it('hands out contiguous, distinct id blocks to handles that allocate at once', async () => {
    const url = await freshDatabase();
    const [a, b] = [await openStore({ connectionString: url }), await openStore({ connectionString: url })];
    const [ta, tb] = [await a.begin(), await b.begin()];
    const sizes = [1, 7, 64, 3, 500, 2, 1, 33];
    const blocks = await Promise.all(
      sizes
        .flatMap((n, i) => [[i % 2 === 0 ? ta : tb, n] as const])
        .map(async ([tx, n]) => [await tx.allocateIds('context', n), n]),
    );
    const ids = blocks.flatMap(([first, n]) => Array.from({ length: n! }, (_, i) => first! + i));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBe(6); // after the seed's five contexts
    await ta.rollback();
    await tb.rollback();
  });

  it('serialises lockForCommit() between units until the holder commits', async () => {
    const url = await freshDatabase();
    const [a, b] = [await openStore({ connectionString: url }), await openStore({ connectionString: url })];
    const [ta, tb] = [await a.begin(), await b.begin()];
    await ta.lockForCommit!();
    let bLocked = false;
    const waiting = tb.lockForCommit!().then(() => (bLocked = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bLocked).toBe(false);
    await ta.commit();
    await waiting;
    expect(bLocked).toBe(true);
    await tb.rollback();
  });

  it('gives two restores of one backup at once, from separate pools, distinct course names', async () => {
    const url = await freshDatabase();
    const backup = await generated('xs');
    const [a, b] = [await openStore({ connectionString: url }), await openStore({ connectionString: url })];
    const [ra, rb] = await Promise.all([restore(backup, { storage: a }), restore(backup, { storage: b })]);
    const courses = await a.select('course', undefined, { orderBy: 'id' });
    const restored = courses.filter((c) => c.id === ra.courseid || c.id === rb.courseid);
    expect(restored).toHaveLength(2);
    // Whichever committed second took the next free names.
    const [plain, copy] = restored.sort((x, y) => String(x.fullname).length - String(y.fullname).length);
    expect(copy!.fullname).toBe(`${String(plain!.fullname)} copy 1`);
    expect(copy!.shortname).toBe(`${String(plain!.shortname)}_1`);
  }, 120_000);

  it('stores a large blob in 1 MiB chunks and streams it back', async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url });
    const bytes = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const hash = createHash('sha1').update(bytes).digest('hex');
    const tx = await store.begin();
    // Pieces of odd sizes, so chunks are cut across them.
    const pieces = Array.from({ length: 41 }, (_, i) => bytes.subarray(i * 65_537, (i + 1) * 65_537)).filter(
      (p) => p.length > 0,
    );
    await tx.putBlob(hash, Readable.from(pieces));
    await tx.commit();
    const back = await readAll((await store.readBlob(hash))!);
    expect(back.equals(bytes)).toBe(true); // (toEqual on megabytes takes seconds)
    const chunks = await sql(url, 'SELECT chunkno, length(data) AS n FROM mdl_mbz_blob_chunks ORDER BY chunkno');
    expect(chunks.rows.map((r) => r.n)).toEqual([1 << 20, 1 << 20, bytes.length - (2 << 20)]);
  });

  it('keeps blobs in a filedir (ab/cd/<sha1>) when asked, visible only once committed, nothing left on rollback', async () => {
    const url = await freshDatabase();
    const filedir = testTempDir('filedir-');
    const store = await openStore({ connectionString: url, filedir });
    const kept = blobOf('kept in the filedir');
    const dropped = blobOf('rolled back');
    const tx = await store.begin();
    await tx.putBlob(kept.hash, kept.stream());
    expect(await store.hasBlob(kept.hash)).toBe(false);
    await tx.commit();
    const path = join(filedir, kept.hash.slice(0, 2), kept.hash.slice(2, 4), kept.hash);
    expect(existsSync(path)).toBe(true);
    expect(await readAll((await store.readBlob(kept.hash))!)).toEqual(kept.bytes);
    const rolled = await store.begin();
    await rolled.putBlob(dropped.hash, dropped.stream());
    await rolled.rollback();
    expect(await store.listBlobs()).toEqual([kept.hash]);
    const dir = join(filedir, dropped.hash.slice(0, 2), dropped.hash.slice(2, 4));
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await sql(url, 'SELECT count(*)::int AS n FROM mdl_mbz_blob_chunks')).rows[0].n).toBe(0);
  });

  it('leaves nothing of a unit whose connection dies (its process killed), and the store goes on', async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url });
    const before = await dumpStore(store);
    const tx = await store.begin();
    await sampleRestore(tx, 'killed');
    await tx.select('logstore_standard_log'); // the rows have reached the server
    await sql(
      url,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    await expect(tx.commit()).rejects.toMatchObject({ code: 'storage.io' });
    await tx.rollback();
    expect(await dumpStore(store)).toEqual(before);
    const next = await store.begin();
    await sampleRestore(next, 'after');
    await next.commit();
    expect(await store.count('logstore_standard_log')).toBe(50);
  });

  it("collects updates of the unit's own rows and writes them together, before a select and at commit", async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url });
    const tx = await store.begin();
    const first = await tx.allocateIds('grade_grades', 300);
    await tx.insert(
      'grade_grades',
      Array.from({ length: 300 }, (_, i) => ({ id: first + i, itemid: 1, userid: i + 1, finalgrade: i })),
    );
    await tx.select('grade_grades', { itemid: 1 }); // the rows reach the server
    const sent = watchStatements();
    try {
      for (let i = 0; i < 300; i++)
        await tx.update('grade_grades', first + i, { finalgrade: i * 2, aggregationstatus: 'used' });
      await tx.update('grade_grades', first, { feedback: 'well done' }); // a second update of one row: both count
      // Nothing was sent for the 301 updates (a statement each would be 301 round trips) …
      expect(sent.texts).toEqual([]);
      await tx.select('grade_grades', { itemid: 2 });
    } finally {
      sent.stop();
    }
    // … and the select sent them first, one statement per set of columns.
    expect(sent.texts.filter((t) => t.startsWith('UPDATE'))).toHaveLength(2);
    const rows = await tx.select('grade_grades', { aggregationstatus: 'used' });
    expect(rows).toHaveLength(300);
    expect(rows[0]).toMatchObject({ id: first, finalgrade: 0, feedback: 'well done' });
    expect(rows[299]).toMatchObject({ finalgrade: 598 });
    await tx.update('grade_grades', first + 1, { finalgrade: -1 });
    await tx.commit();
    const [row] = await store.select('grade_grades', { id: first + 1 });
    expect(row).toMatchObject({ finalgrade: -1, aggregationstatus: 'used' });
  });

  it('refuses at once an update of an id the unit reserved but never inserted, and a value COPY would refuse', async () => {
    const store = await openStore({ connectionString: await freshDatabase() });
    const tx = await store.begin();
    const id = await tx.allocateIds('grade_grades', 2);
    await tx.insert('grade_grades', [{ id, itemid: 1, userid: 1 }]);
    await expect(tx.update('grade_grades', id + 1, { finalgrade: 1 })).rejects.toMatchObject({
      code: 'input.invalid-argument',
    });
    await expect(tx.update('grade_grades', id, { finalgrade: Number.NaN })).rejects.toMatchObject({
      code: 'storage.constraint',
    });
    await expect(tx.update('grade_grades', id, { itemid: null })).rejects.toMatchObject({ code: 'storage.constraint' });
    await tx.update('grade_grades', id, { finalgrade: 5 });
    await tx.commit();
    expect(await store.select('grade_grades')).toMatchObject([{ id, finalgrade: 5 }]);
  });

  it('writes buffers past bufferBytes in the background; a COPY the server refuses breaks the unit, which keeps nothing', async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url, bufferBytes: 4096 });
    const before = await dumpStore(store);
    const tx = await store.begin();
    const first = await tx.allocateIds('grade_grades', 2000);
    const grade = (id: number) => ({ id, itemid: 1, userid: id, feedback: 'x'.repeat(40) });
    const sent = watchStatements();
    try {
      for (let i = 0; i < 1000; i += 100)
        await tx.insert(
          'grade_grades',
          Array.from({ length: 100 }, (_, k) => grade(first + i + k)),
        );
    } finally {
      sent.stop();
    }
    // Well past 4 KiB each time: the rows went out with COPY while the unit went on, not all at the end.
    expect(sent.texts.filter((t) => t.startsWith('COPY')).length).toBeGreaterThanOrEqual(5);
    expect(await tx.select('grade_grades')).toHaveLength(1000);
    // The same ids again: the server refuses the COPY that carries them, in the background.
    for (let i = 0; i < 1000; i += 100)
      await tx
        .insert(
          'grade_grades',
          Array.from({ length: 100 }, (_, k) => grade(first + i + k)),
        )
        .catch(() => undefined);
    await expect(tx.select('course')).rejects.toMatchObject({ code: 'storage.constraint' });
    await expect(tx.commit()).rejects.toMatchObject({ code: 'storage.constraint' });
    await tx.rollback();
    expect(await dumpStore(store)).toEqual(before);
  });

  it('refuses a bufferBytes that is not a whole number of bytes', () => {
    expect(() => createPostgresStorage({ connectionString: 'postgres://x/y', bufferBytes: 0 })).toThrow(/bufferBytes/);
    expect(() => createPostgresStorage({ connectionString: 'postgres://x/y', bufferBytes: 1.5 })).toThrow(
      /bufferBytes/,
    );
  });

  it('opens the same store from workerOpenSpec() (plain data), as the service does in a worker', async () => {
    const url = await freshDatabase();
    const store = await openStore({ connectionString: url, schema: 'w', prefix: 'mdl_' });
    await store.putJob(jobRecord('f'.repeat(32), 1));
    const spec = store.workerOpenSpec!();
    expect(structuredClone(spec)).toEqual(spec);
    expect(spec).toMatchObject({ module: '@mbz-restore/storage-postgres', factory: 'createPostgresStorage' });
    const module = (await import(spec.module)) as Record<string, (options: unknown) => StorageAdapter & JobStore>;
    const other = module[spec.factory]!(spec.options);
    opened.push(other);
    await other.open();
    expect(await other.getJob('f'.repeat(32))).toEqual(jobRecord('f'.repeat(32), 1));
  });
});
