/**
 * Fidelity with Moodle, value by value. A real Moodle 4.3 restored `gen_s_users.mbz` and the advanced-grading
 * backup with its CLI's default settings and dumped the new course with the portable queries of
 * `../shared/fixtures/generated/oracle-queries.json` (`*.values.json`). Here the engine restores the same files
 * with the same settings into SQLite, runs every query, puts the rows in the same canonical form and asserts
 * they equal Moodle's, query by query. The memory store runs no SQL: its restore of the same files, under the
 * same clock, must hold exactly the rows of the SQLite store, table by table.
 *
 * A difference kept on purpose is listed in KEPT_DIFFERENCES with its reason; nothing else may differ.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MOODLE_TABLES, restore, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { hasShared } from '@mbz-restore/test-support/shared';
import {
  canonicalRows,
  compareWithOracle,
  MOODLE_CLI_RESTORE,
  ORACLE_BACKUPS,
  readOracleValues,
  runOracleQueries,
} from '@mbz-restore/test-support/oracle';

/** Queries whose difference from Moodle is kept on purpose, per backup, with the reason. */
const KEPT_DIFFERENCES: Record<string, Record<string, string>> = {
  gen_s_users: {},
  'real-advgrade': {},
};

/** Tables whose rows are the store's own, not the course's (a new site identifier, job records). */
const STORE_OWN_TABLES = new Set(['config', 'backup_controllers']);

/** Columns whose value is random by design, as in Moodle (a new category's `make_unique_id_code()` stamp). */
const RANDOM_COLUMNS = new Set(['question_categories.stamp']);

/** The restore clock: both stores restore "at" this second so that rows stamped with the time compare. */
const RESTORE_TIME = new Date('2026-11-30T12:00:00Z');

describe.skipIf(!hasShared())("restores equal Moodle 4.3's own, value by value", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-fidelity-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(ORACLE_BACKUPS))(
    '%s: every oracle query on SQLite, and the memory store holds the same rows',
    async (name) => {
      const oracle = ORACLE_BACKUPS[name]!;
      const path = join(dir, `${name}.sqlite`);
      const sqlite = createSqliteStorage({ path });
      const memory = createMemoryStorage();
      // The same clock from the site seed on (it stamps its rows with the time the store is created).
      vi.useFakeTimers({ toFake: ['Date'], now: RESTORE_TIME });
      try {
        await sqlite.open();
        await memory.open();
        const [onSqlite, onMemory] = [
          await restore(oracle.backup(), { storage: sqlite, options: MOODLE_CLI_RESTORE }),
          await restore(oracle.backup(), { storage: memory, options: MOODLE_CLI_RESTORE }),
        ];
        expect(onMemory.courseid).toBe(onSqlite.courseid);
        expect(onMemory.counts).toEqual(onSqlite.counts);
        const storeDifferences: string[] = [];
        for (const { name: table } of MOODLE_TABLES) {
          if (STORE_OWN_TABLES.has(table)) continue;
          const [a, b] = [await tableRows(sqlite, table), await tableRows(memory, table)];
          if (JSON.stringify(a) !== JSON.stringify(b))
            storeDifferences.push(`${table}: SQLite ${a.length} rows, memory ${b.length}`);
        }
        expect(storeDifferences).toEqual([]);
      } finally {
        vi.useRealTimers();
        await sqlite.close();
        await memory.close();
      }

      const moodle = readOracleValues(oracle.values);
      const [course] = await reopen(path);
      const differences = compareWithOracle(runOracleQueries(path, course!), moodle);
      const kept = KEPT_DIFFERENCES[name] ?? {};
      const unexpected = differences.filter((d) => !(d.query in kept));
      expect(
        unexpected.map(
          (d) =>
            `${d.query}: Moodle ${d.moodleRows} rows, ours ${d.ourRows}; differing columns: ${d.columns.join(', ')}`,
        ),
      ).toEqual([]);
      // A kept difference that no longer differs must leave the list.
      const stale = Object.keys(kept).filter((query) => !differences.some((d) => d.query === query));
      expect(stale).toEqual([]);
      expect(Object.keys(moodle.queries).length).toBeGreaterThanOrEqual(77);
    },
    300_000,
  );
});

// Internal helpers

/** Every row of a table in canonical form, in id order. */
async function tableRows(storage: StorageAdapter, table: string): Promise<Array<Array<string | null>>> {
  const rows = await storage.select(table);
  const columns = MOODLE_TABLES.find((t) => t.name === table)!
    .columns.map((c) => c.name)
    .filter((c) => !RANDOM_COLUMNS.has(`${table}.${c}`));
  return canonicalRows(rows.map((row) => ['id', ...columns].map((column) => row[column] ?? null)));
}

/** The restored course's id in a closed SQLite store (the newest course). */
async function reopen(path: string): Promise<number[]> {
  const storage = createSqliteStorage({ path });
  await storage.open();
  try {
    const courses = await storage.select('course');
    return [Math.max(...courses.map((c) => Number(c.id)))];
  } finally {
    await storage.close();
  }
}
