/** SQLite only: the file's schema, settings and migrations, index rebuilds at merge, and plain-SQL access. */
import { ErrorCode, MOODLE_TABLES } from '@mbz-restore/engine';
import type { StorageAdapter } from '@mbz-restore/engine';
import { logRow, sampleRestore, userRow } from '@mbz-restore/storage-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStorage, SCHEMA_VERSION } from '../src/index.ts';
import type { SqliteStorageOptions } from '../src/index.ts';
import { rawConnection, tempStorePath } from './support/temp-store.ts';

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

function indexNames(path: string, table: string): string[] {
  const raw = rawConnection(path);
  const names = (
    raw
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
      .all(table) as Array<{
      name: string;
    }>
  ).map((r) => r.name);
  raw.close();
  return names;
}

describe('sqlite schema', () => {
  it('creates every Moodle table as mdl_<name> with Moodle types, defaults and indexes, in WAL mode', async () => {
    const path = tempStorePath();
    const adapter = await openStore({ path });
    const tx = await adapter.begin();
    await sampleRestore(tx, 'schema');
    await tx.commit();
    const raw = rawConnection(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const tables = (
      raw
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'mdl\\_%' ESCAPE '\\'")
        .all() as Array<{ name: string }>
    ).map((r) => r.name);
    expect(tables.sort()).toEqual(MOODLE_TABLES.map((t) => `mdl_${t.name}`).sort());
    const course = (raw.prepare("SELECT sql FROM sqlite_schema WHERE name = 'mdl_course'").get() as { sql: string })
      .sql;
    expect(course).toContain('"id" INTEGER PRIMARY KEY');
    expect(course).toContain(`"format" TEXT NOT NULL DEFAULT 'topics'`);
    expect(course).toContain('"idnumber" TEXT NOT NULL DEFAULT \'\'');
    expect(course).toContain('"summary" TEXT,');
    expect(raw.prepare("SELECT sql FROM sqlite_schema WHERE name = 'mdl_grade_items'").get()).toMatchObject({
      sql: expect.stringContaining('"grademax" NUMERIC NOT NULL DEFAULT 100'),
    });
    expect(raw.prepare('SELECT version FROM mbz_schema_migrations ORDER BY version').all()).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    raw.close();
    expect(indexNames(path, 'mdl_user')).toContain('mdl_user_mnethostid_username_uix');
  });

  it('can be read with plain SQL, as with the sqlite3 command-line tool', async () => {
    const path = tempStorePath();
    const adapter = await openStore({ path });
    const tx = await adapter.begin();
    const courseid = await sampleRestore(tx, 'sql');
    await tx.commit();
    const raw = rawConnection(path);
    const rows = raw
      .prepare(
        'SELECT c.shortname, count(l.id) AS logs FROM mdl_course c JOIN mdl_logstore_standard_log l ON l.courseid = c.id GROUP BY c.id',
      )
      .all();
    expect(rows).toEqual([{ shortname: 'C-sql', logs: 50 }]);
    expect(raw.prepare("SELECT value FROM mdl_config WHERE name = 'version'").get()).toEqual({ value: '2023100900' });
    expect(raw.prepare('SELECT status, operation FROM mdl_backup_controllers').all()).toEqual([]);
    raw.close();
    expect(courseid).toBeGreaterThan(1);
  });

  it('opens an existing store without migrating again, and refuses one from a newer adapter', async () => {
    const path = tempStorePath();
    await (await openStore({ path })).close();
    await (await openStore({ path })).close();
    const raw = rawConnection(path);
    expect(raw.prepare('SELECT count(*) AS n FROM mbz_schema_migrations').get()).toEqual({ n: SCHEMA_VERSION });
    expect(raw.prepare('SELECT count(*) AS n FROM mdl_user').get()).toEqual({ n: 2 });
    raw.prepare("INSERT INTO mbz_schema_migrations VALUES (99, 'from the future', 0)").run();
    raw.close();
    await expect(openStore({ path })).rejects.toMatchObject({
      code: ErrorCode.StorageIo,
      message: expect.stringContaining('newer'),
    });
  });

  it('refuses a store that lacks a column of MOODLE_TABLES, pointing at the migrations', async () => {
    const path = tempStorePath();
    await (await openStore({ path })).close();
    const raw = rawConnection(path);
    raw.exec('ALTER TABLE mdl_course DROP COLUMN pdfexportfont');
    raw.close();
    await expect(openStore({ path })).rejects.toMatchObject({
      code: ErrorCode.StorageIo,
      message: expect.stringContaining('mdl_course.pdfexportfont'),
    });
  });

  it('drops and rebuilds indexes for a big merge, and still refuses a duplicate then', async () => {
    const path = tempStorePath();
    const adapter = await openStore({ path, indexRebuildThreshold: 3 });
    const before = indexNames(path, 'mdl_logstore_standard_log');
    expect(before).toHaveLength(3);
    const tx = await adapter.begin();
    const first = await tx.allocateIds('logstore_standard_log', 20);
    await tx.insert(
      'logstore_standard_log',
      Array.from({ length: 20 }, (_, i) => logRow(first + i, 1, 2)),
    );
    await tx.commit();
    expect(indexNames(path, 'mdl_logstore_standard_log')).toEqual(before);
    expect(await adapter.count('logstore_standard_log', { userid: 2 })).toBe(20);

    const users = indexNames(path, 'mdl_user');
    const dup = await adapter.begin();
    const id = await dup.allocateIds('user', 3);
    await dup.insert('user', [userRow(id, 'x1'), userRow(id + 1, 'x2'), userRow(id + 2, 'guest')]);
    await expect(dup.commit()).rejects.toMatchObject({ code: ErrorCode.StorageConstraint });
    expect(indexNames(path, 'mdl_user')).toEqual(users);
    expect(await adapter.count('user')).toBe(2);
  });
});
