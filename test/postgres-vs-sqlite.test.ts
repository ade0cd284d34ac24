/**
 * The PostgreSQL store holds what the SQLite store holds: each generated backup of ../shared/fixtures/generated is
 * restored (Moodle's CLI defaults: everything the backup has) into a new SQLite file and a new PostgreSQL database
 * under the same clock (as test/fidelity.test.ts does for memory and SQLite), and every table of MOODLE_TABLES must
 * hold the same rows, value for value and with the same JavaScript types (numbers for integer and decimal
 * columns), ids included: PostgreSQL's sequences start where SQLite's ids do (max(id) + 1 after the seed).
 *
 * Left out, by design: `config` and `backup_controllers` (the store's own: a random site identifier, job rows);
 * `question_categories.stamp` and `lti.servicesalt` (random, as Moodle's `make_unique_id_code()` and
 * `uniqid('', true)`). Decimal columns are compared at the
 * column's declared decimals: PostgreSQL's NUMERIC(p, s) rounds as Moodle's own PostgreSQL does, SQLite keeps the
 * double.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MOODLE_TABLES, restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createPostgresStorage } from '@mbz-restore/storage-postgres';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { freshDatabase } from '@mbz-restore/test-support/postgres';
import { MOODLE_CLI_RESTORE } from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';

const BACKUPS = ['gen_allmods_users.mbz', 'gen_s_users.mbz', 'gen_s_nousers.mbz', 'gen_mf_users.mbz'];

/** Tables whose rows are the store's own, not the course's. */
const STORE_OWN_TABLES = new Set(['config', 'backup_controllers']);

/** Columns whose value is random by design. */
const RANDOM_COLUMNS = new Set(['question_categories.stamp', 'lti.servicesalt']);

/** The restore clock (the one test/fidelity.test.ts uses). */
const RESTORE_TIME = new Date('2026-11-30T12:00:00Z');

describe.skipIf(!hasShared())('PostgreSQL holds the same rows as SQLite after the same restore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-pg-vs-sqlite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(BACKUPS)(
    '%s',
    async (file) => {
      const sqlite = createSqliteStorage({ path: join(dir, `${file}.sqlite`) });
      const postgres = createPostgresStorage({ connectionString: await freshDatabase() });
      vi.useFakeTimers({ toFake: ['Date'], now: RESTORE_TIME });
      try {
        await sqlite.open();
        await postgres.open();
        const onSqlite = await restore(generatedFixture(file), { storage: sqlite, options: MOODLE_CLI_RESTORE });
        const onPostgres = await restore(generatedFixture(file), { storage: postgres, options: MOODLE_CLI_RESTORE });
        expect(onPostgres.courseid).toBe(onSqlite.courseid);
        expect(onPostgres.counts).toEqual(onSqlite.counts);
        const differences: string[] = [];
        let compared = 0;
        for (const table of MOODLE_TABLES) {
          if (STORE_OWN_TABLES.has(table.name)) continue;
          const [a, b] = [await tableRows(sqlite, table.name), await tableRows(postgres, table.name)];
          compared += a.length;
          if (a.length !== b.length) {
            differences.push(`${table.name}: SQLite ${a.length} rows, PostgreSQL ${b.length}`);
            continue;
          }
          for (let i = 0; i < a.length; i++) {
            if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) {
              differences.push(`${table.name}: SQLite ${JSON.stringify(a[i])} ≠ PostgreSQL ${JSON.stringify(b[i])}`);
              break;
            }
          }
        }
        expect(differences).toEqual([]);
        expect(compared).toBeGreaterThan(500);
        expect(await postgres.listBlobs()).toEqual(await sqlite.listBlobs());
      } finally {
        vi.useRealTimers();
        await sqlite.close();
        await postgres.close();
      }
    },
    300_000,
  );
});

// Internal helpers

/** Every row of a table in id order, each column's value as stored (decimals at the column's scale). */
async function tableRows(storage: StorageAdapter, table: string): Promise<unknown[][]> {
  const columns = MOODLE_TABLES.find((t) => t.name === table)!.columns.filter(
    (c) => !RANDOM_COLUMNS.has(`${table}.${c.name}`),
  );
  const rows: Row[] = await storage.select(table);
  return rows.map((row) =>
    columns.map((c) => {
      const value = row[c.name] ?? null;
      if (c.type === 'number' && c.decimals !== undefined && typeof value === 'number')
        return Number(value.toFixed(c.decimals));
      return value;
    }),
  );
}
