/**
 * SQL for Moodle's tables in SQLite, from `MOODLE_TABLES`: `mdl_<name>`, `id INTEGER PRIMARY KEY`, int →
 * INTEGER, number → NUMERIC, char/text → TEXT, binary → BLOB, NOT NULL and DEFAULT as in install.xml, and a
 * NOT NULL char column without default gets DEFAULT '' as Moodle's own generators give it
 * (`lib/ddl/*_sql_generator.php`, `$default_for_char = ''`). Unique keys and indexes become indexes named
 * `mdl_<table>_<columns>_uix` / `_ix`. Also the lookups the adapter validates names against.
 */
import { ErrorCode, MOODLE_TABLES, StorageError } from '@mbz-restore/engine';
import type { ColumnSpec, IndexSpec, TableSpec } from '@mbz-restore/engine';

/** Prefix of every Moodle table, as in a default Moodle install. */
export const TABLE_PREFIX = 'mdl_';

/** A table with what the adapter needs at hand. */
export interface SqlTable {
  readonly spec: TableSpec;
  /** `mdl_<name>`. */
  readonly sqlName: string;
  readonly columns: ReadonlySet<string>;
  /** Quoted column list in spec order, e.g. `"id", "course", …`. */
  readonly columnList: string;
  /** char and text columns (TEXT affinity). */
  readonly textColumns: ReadonlySet<string>;
}

const TABLES: ReadonlyMap<string, SqlTable> = new Map(
  MOODLE_TABLES.map((spec) => [
    spec.name,
    {
      spec,
      sqlName: TABLE_PREFIX + spec.name,
      columns: new Set(spec.columns.map((c) => c.name)),
      columnList: spec.columns.map((c) => quote(c.name)).join(', '),
      textColumns: new Set(spec.columns.filter((c) => c.type === 'char' || c.type === 'text').map((c) => c.name)),
    },
  ]),
);

/** The table called `name` (without prefix), or `storage.unknown-table`. */
export function sqlTable(name: string): SqlTable {
  const table = TABLES.get(name);
  if (!table)
    throw new StorageError(
      ErrorCode.StorageUnknownTable,
      `Unknown table "${name}": expected one of MOODLE_TABLES (without prefix).`,
    );
  return table;
}

/** Throws `storage.unknown-column` unless every name is a column of `table`. */
export function checkColumns(table: SqlTable, names: Iterable<string>): void {
  for (const name of names) {
    if (!table.columns.has(name))
      throw new StorageError(ErrorCode.StorageUnknownColumn, `Unknown column "${name}" in table "${table.spec.name}".`);
  }
}

/**
 * `row` ready to bind: better-sqlite3 binds every JS number as a REAL, which a TEXT column would store as
 * '42.0'; numbers bound to char/text columns are turned into text here as SQLite does for an INTEGER
 * ('42'). Returns `row` itself when nothing changes.
 */
export function bindable<R extends Record<string, unknown>>(
  table: SqlTable,
  row: R,
  keys: Iterable<string> = Object.keys(row),
): R {
  let out: R | undefined;
  for (const k of keys) {
    const v = row[k];
    if (typeof v === 'number' && table.textColumns.has(k))
      (out ??= { ...row } as R)[k as keyof R] = String(v) as R[keyof R];
  }
  return out ?? row;
}

/** Every table. */
export function allTables(): Iterable<SqlTable> {
  return TABLES.values();
}

/** `CREATE TABLE IF NOT EXISTS <schema>.<name>` for a table's spec. */
export function createTableSql(spec: TableSpec, schema: string, name = TABLE_PREFIX + spec.name): string {
  const columns = spec.columns.map((c) => (c.name === 'id' ? '"id" INTEGER PRIMARY KEY' : columnSql(c)));
  return `CREATE TABLE IF NOT EXISTS ${schema}.${quote(name)} (\n  ${columns.join(',\n  ')}\n)`;
}

/** `CREATE [UNIQUE] INDEX IF NOT EXISTS` for each index of the spec. */
export function createIndexSqls(spec: TableSpec, schema: string): string[] {
  return spec.indexes.map(
    (ix) =>
      `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${schema}.${quote(indexName(spec, ix))} ` +
      `ON ${quote(TABLE_PREFIX + spec.name)} (${ix.columns.map(quote).join(', ')})`,
  );
}

/** `DROP INDEX` for each index of the spec. */
export function dropIndexSqls(spec: TableSpec, schema: string): string[] {
  return spec.indexes.map((ix) => `DROP INDEX IF EXISTS ${schema}.${quote(indexName(spec, ix))}`);
}

/** A double-quoted SQL identifier. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// Internal helpers

function indexName(spec: TableSpec, ix: IndexSpec): string {
  return `${TABLE_PREFIX}${spec.name}_${ix.columns.join('_')}_${ix.unique ? 'uix' : 'ix'}`;
}

function columnSql(c: ColumnSpec): string {
  const type = { int: 'INTEGER', number: 'NUMERIC', char: 'TEXT', text: 'TEXT', binary: 'BLOB' }[c.type];
  const def = c.default ?? (c.type === 'char' && c.notnull ? '' : undefined);
  const defSql =
    def === undefined ? '' : ` DEFAULT ${typeof def === 'number' ? String(def) : `'${def.replaceAll("'", "''")}'`}`;
  return `${quote(c.name)} ${type}${c.notnull ? ' NOT NULL' : ''}${defSql}`;
}
