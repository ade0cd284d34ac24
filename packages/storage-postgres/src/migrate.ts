/**
 * The store's schema, created or migrated by `open()` in one transaction under a transaction-scoped advisory
 * lock (`pg_advisory_xact_lock`, keyed by schema and prefix), so several processes opening one database at once
 * take turns: the first creates, the others find it done. PostgreSQL DDL is transactional, so a failed
 * migration leaves the previous version.
 *
 * `<prefix>mbz_schema_migrations` lists the migrations applied. Version 1 creates every table of the current
 * `MOODLE_TABLES` (with its sequence and indexes) and the blob tables; later versions append steps (never edit
 * one that has shipped). Each open also checks that every table and column of `MOODLE_TABLES` exists, so a
 * schema change without a migration fails loudly instead of at the first insert.
 *
 * A store is seeded once (when it has no `siteidentifier`): the rows of `createSiteSeed()`, then every seeded
 * table's sequence is set to its largest id, so the first id handed out is max(id) + 1, as the SQLite store's
 * first id is; an empty table's sequence is left unused and hands out 1 first.
 */
import { createSiteIdentifier, createSiteSeed, ErrorCode, StorageError } from '@mbz-restore/engine';
import type pg from 'pg';
import { blobTableSqls } from './blobs.ts';
import { createTableSqls, literal, quote } from './ddl.ts';
import type { Schema } from './ddl.ts';

/** The version a store has once every migration ran. */
export const SCHEMA_VERSION = 1;

/** What the seed needs. */
export interface SeedOptions {
  readonly now: number;
  readonly siteidentifier?: string;
  readonly wwwroot?: string;
}

/** Creates or migrates the schema and seeds a new store, under the migration lock. */
export async function migrate(client: pg.ClientBase, schema: Schema, seed: SeedOptions): Promise<void> {
  const migrations = schema.own('mbz_schema_migrations');
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `mbz-restore migrate ${schema.naming.schema}.${schema.naming.prefix}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema.naming.schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, appliedat BIGINT NOT NULL)`,
    );
    const { rows } = await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${migrations}`);
    const current = Number(rows[0]!.v);
    if (current > SCHEMA_VERSION)
      throw new StorageError(
        ErrorCode.StorageIo,
        `The store's schema is version ${current}, newer than this adapter's ${SCHEMA_VERSION}: upgrade @mbz-restore/storage-postgres.`,
      );
    if (current < 1) {
      const sqls: string[] = [];
      for (const table of schema.all()) sqls.push(...createTableSqls(table, schema.naming));
      sqls.push(...blobTableSqls(schema));
      // One round trip: the whole DDL as one simple query (inside this transaction).
      await client.query(sqls.join(';\n'));
      await client.query(`INSERT INTO ${migrations} (version, name, appliedat) VALUES ($1, $2, $3)`, [
        1,
        'Moodle tables (<prefix>*) with their sequences and indexes, and the blob tables',
        seed.now,
      ]);
    }
    await checkSchema(client, schema);
    await seedIfNew(client, schema, seed);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Throws `storage.io` naming what is missing when the store lacks a table or column of MOODLE_TABLES. */
async function checkSchema(client: pg.ClientBase, schema: Schema): Promise<void> {
  const { rows } = await client.query<{ t: string; c: string }>(
    `SELECT c.relname AS t, a.attname AS c FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema.naming.schema],
  );
  const columns = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = columns.get(r.t);
    if (!set) columns.set(r.t, (set = new Set()));
    set.add(r.c);
  }
  const missing: string[] = [];
  for (const table of schema.all()) {
    const present = columns.get(table.tableName);
    for (const c of table.spec.columns) if (!present?.has(c.name)) missing.push(`${table.tableName}.${c.name}`);
  }
  if (missing.length > 0)
    throw new StorageError(
      ErrorCode.StorageIo,
      `The store lacks ${missing.length} column(s) of MOODLE_TABLES (${missing.slice(0, 5).join(', ')}…): add a migration in storage-postgres/src/migrate.ts.`,
    );
}

/** Writes the seed of a fresh site unless the store already has a site identifier; moves the seeded tables' sequences past their rows. */
async function seedIfNew(client: pg.ClientBase, schema: Schema, seed: SeedOptions): Promise<void> {
  const config = schema.table('config');
  const { rowCount } = await client.query(`SELECT 1 FROM ${config.qualified} WHERE "name" = 'siteidentifier'`);
  if (rowCount !== 0) return;
  const rows = createSiteSeed({
    now: seed.now,
    siteidentifier: seed.siteidentifier ?? createSiteIdentifier(seed.wwwroot),
    ...(seed.wwwroot === undefined ? {} : { wwwroot: seed.wwwroot }),
  });
  const sqls: string[] = [];
  for (const [name, tableRows] of Object.entries(rows)) {
    if (tableRows.length === 0) continue;
    const table = schema.table(name);
    // The seed's rows of one table may leave out different columns: one INSERT per row, sent together.
    for (const row of tableRows) {
      const names = Object.keys(row);
      const values = names.map((n) => {
        const v = row[n];
        return v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : literal(v);
      });
      sqls.push(`INSERT INTO ${table.qualified} (${names.map(quote).join(', ')}) VALUES (${values.join(', ')})`);
    }
    sqls.push(`SELECT setval(${schema.sequenceLiteral(table)}, (SELECT max("id") FROM ${table.qualified}))`);
  }
  await client.query(sqls.join(';\n'));
}
