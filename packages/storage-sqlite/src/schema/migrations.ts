/**
 * The store's schema, versioned. `mbz_schema_migrations` lists the migrations applied; `open()` applies
 * the missing ones in order inside one write transaction (SQLite DDL is transactional, so a failed
 * migration leaves the previous version), then checks that every table and column of `MOODLE_TABLES`
 * exists, so a schema change without a migration fails loudly instead of at the first insert.
 *
 * A new store (an empty database) is not walked through the history: migration 1 creates every table of the
 * current `MOODLE_TABLES` and the adapter tables, and every migration is recorded as applied. So the later migrations
 * bring an older store to what a fresh one gets, and a migration that changes an adapter (mbz_*) table changes
 * migration 1's DDL the same way.
 *
 * To change the schema, append a migration; never edit one that has shipped (but see above). Examples:
 * - `MOODLE_TABLES` gains a table: `{ version: 2, name: 'add mdl_foo', up: createMissingTables }`.
 * - a table gains a column: `{ version: 2, name: 'mdl_course.bar', up: (db) => db.exec('ALTER TABLE "mdl_course" ADD COLUMN "bar" INTEGER NOT NULL DEFAULT 0') }`.
 */
import { createSiteSeed, ErrorCode, StorageError } from '@mbz-restore/engine';
import type { SqliteDatabase } from '../sqlite-database.ts';
import { allTables, createIndexSqls, createTableSql, TABLE_PREFIX } from './ddl.ts';

/** One schema step. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: SqliteDatabase): void;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'Moodle tables (mdl_*) and the adapter tables (mbz_*)',
    up(db) {
      createMissingTables(db);
      db.exec(`
        CREATE TABLE mbz_id_sequence (tablename TEXT PRIMARY KEY, nextid INTEGER NOT NULL);
        CREATE TABLE mbz_commits (unitid TEXT PRIMARY KEY, committedat INTEGER NOT NULL, state TEXT NOT NULL, rowcount INTEGER NOT NULL);
        CREATE TABLE mbz_pending_blobs (unitid TEXT NOT NULL, contenthash TEXT NOT NULL, PRIMARY KEY (unitid, contenthash));
        CREATE TABLE mbz_blobs (contenthash TEXT PRIMARY KEY, filesize INTEGER NOT NULL, timecreated INTEGER NOT NULL);
      `);
    },
  },
  { version: 2, name: 'add mdl_mbz_module_records', up: createMissingTables },
  {
    version: 3,
    name: 'add mdl_external_tokens, mdl_mbz_token_categories, mdl_mbz_token_restores (webservice tokens)',
    up: createMissingTables,
  },
  {
    version: 4,
    name: 'add mdl_grade_items_history, mdl_grade_categories_history (grade API rows of a restore)',
    up: createMissingTables,
  },
  {
    version: 5,
    name: 'add mdl_survey_questions and the built-in surveys (xmldb_survey_install)',
    up: addBuiltinSurveys,
  },
];

/** The version a store has once every migration ran. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Creates every table and index of MOODLE_TABLES that does not exist yet. */
export function createMissingTables(db: SqliteDatabase): void {
  for (const table of allTables()) {
    db.exec(createTableSql(table.spec, 'main'));
    for (const sql of createIndexSqls(table.spec, 'main')) db.exec(sql);
  }
}

/**
 * Migration 5: the table `mdl_survey_questions`, and in a store that is already seeded (a fresh store gets them
 * from the seed, which runs after the migrations) the built-in surveys and questions of the site seed
 * (`xmldb_survey_install()`). The questions keep their install ids (the table is new); a template whose install
 * id is taken by a restored survey gets the next free id (restores find templates by name).
 */
function addBuiltinSurveys(db: SqliteDatabase): void {
  createMissingTables(db);
  const seeded =
    db.prepare(`SELECT 1 FROM main."${TABLE_PREFIX}config" WHERE "name" = 'siteidentifier'`).get() !== undefined;
  if (!seeded) return;
  const seed = createSiteSeed({ siteidentifier: 'migration', now: 0 });
  const insert = (table: string, row: Record<string, unknown>): void => {
    const names = Object.keys(row);
    db.prepare(
      `INSERT INTO main."${TABLE_PREFIX}${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`,
    ).run(row);
  };
  const hasTemplates = db.prepare(`SELECT 1 FROM main."${TABLE_PREFIX}survey" WHERE "course" = 0`).get() !== undefined;
  if (!hasTemplates) {
    for (const row of seed.survey ?? []) {
      const taken = db.prepare(`SELECT 1 FROM main."${TABLE_PREFIX}survey" WHERE "id" = ?`).get(row.id) !== undefined;
      insert('survey', taken ? { ...row, id: nextId(db, 'survey') } : row);
    }
  }
  const hasQuestions = db.prepare(`SELECT 1 FROM main."${TABLE_PREFIX}survey_questions"`).get() !== undefined;
  if (!hasQuestions) for (const row of seed.survey_questions ?? []) insert('survey_questions', row);
  // Ids are allocated from mbz_id_sequence when it has a row, else from max(id) + 1: keep it ahead of the rows.
  for (const table of ['survey', 'survey_questions']) {
    db.prepare(
      `UPDATE mbz_id_sequence SET nextid = max(nextid, (SELECT coalesce(max("id"), 0) + 1 FROM main."${TABLE_PREFIX}${table}")) WHERE tablename = ?`,
    ).run(table);
  }
}

/** The next id of a table, reserving it in `mbz_id_sequence` when the table has a sequence row. */
function nextId(db: SqliteDatabase, table: string): number {
  const seq = db.prepare('SELECT nextid FROM mbz_id_sequence WHERE tablename = ?').get(table) as
    | { nextid: number }
    | undefined;
  const max = (
    db.prepare(`SELECT coalesce(max("id"), 0) + 1 AS n FROM main."${TABLE_PREFIX}${table}"`).get() as { n: number }
  ).n;
  const id = Math.max(seq?.nextid ?? 0, max);
  if (seq) db.prepare('UPDATE mbz_id_sequence SET nextid = ? WHERE tablename = ?').run(id + 1, table);
  return id;
}

/**
 * Applies the missing migrations; call inside a write transaction. Returns the versions applied, and whether the
 * store was created: the database was empty, so migration 1 alone made the current schema (see the top of this
 * file) and every migration was recorded.
 */
export function migrate(db: SqliteDatabase, now: number): { applied: number[]; created: boolean } {
  const created = db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get() === undefined;
  db.exec(
    'CREATE TABLE IF NOT EXISTS mbz_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, appliedat INTEGER NOT NULL)',
  );
  const current = (
    db.prepare('SELECT coalesce(max(version), 0) AS v FROM mbz_schema_migrations').get() as { v: number }
  ).v;
  if (current > SCHEMA_VERSION) {
    throw new StorageError(
      ErrorCode.StorageIo,
      `The store's schema is version ${current}, newer than this adapter's ${SCHEMA_VERSION}: upgrade @mbz-restore/storage-sqlite.`,
    );
  }
  const applied: number[] = [];
  for (const m of MIGRATIONS.filter((x) => x.version > current)) {
    if (!created || m.version === 1) m.up(db);
    db.prepare('INSERT INTO mbz_schema_migrations (version, name, appliedat) VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      now,
    );
    applied.push(m.version);
  }
  return { applied, created };
}

/** What {@link checkSchema} returns for a store migration 1 has just created: every table is in spec order. */
export function freshSpecOrderTables(): Set<string> {
  return new Set(Array.from(allTables(), (table) => table.spec.name));
}

/**
 * Throws `storage.io` naming what is missing when the store lacks a table or column of MOODLE_TABLES.
 * Returns the tables whose columns are exactly the spec's, in spec order.
 */
export function checkSchema(db: SqliteDatabase): Set<string> {
  const rows = db
    .prepare(
      `SELECT m.name AS t, p.name AS c FROM sqlite_schema m JOIN pragma_table_info(m.name) p ` +
        `WHERE m.type = 'table' AND m.name LIKE '${TABLE_PREFIX}%' ORDER BY m.name, p.cid`,
    )
    .all() as Array<{ t: string; c: string }>;
  const columns = new Map<string, string[]>();
  for (const r of rows) columns.set(r.t, [...(columns.get(r.t) ?? []), r.c]);
  const missing: string[] = [];
  const specOrder = new Set<string>();
  for (const table of allTables()) {
    const present = columns.get(table.sqlName) ?? [];
    for (const c of table.spec.columns) if (!present.includes(c.name)) missing.push(`${table.sqlName}.${c.name}`);
    if (present.join(',') === table.spec.columns.map((c) => c.name).join(',')) specOrder.add(table.spec.name);
  }
  if (missing.length > 0) {
    throw new StorageError(
      ErrorCode.StorageIo,
      `The store lacks ${missing.length} column(s) of MOODLE_TABLES (${missing.slice(0, 5).join(', ')}…): add a migration in storage-sqlite/src/schema/migrations.ts.`,
    );
  }
  return specOrder;
}
