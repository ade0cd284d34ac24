/**
 * Moodle's tables in PostgreSQL, from `MOODLE_TABLES`, typed as Moodle's own PostgreSQL generator types them
 * (`lib/ddl/postgres_sql_generator.php`): `id BIGINT` fed by a sequence `<prefix><table>_id_seq` and primary key;
 * XMLDB int of length ≤ 4 → SMALLINT, ≤ 9 → INTEGER, else BIGINT; number → NUMERIC(length, decimals); float →
 * DOUBLE PRECISION; char → VARCHAR(length); text → TEXT; binary → BYTEA; NOT NULL and DEFAULT as in install.xml,
 * and a NOT NULL char column without default gets DEFAULT '' (`$default_for_char`). Unique keys and indexes
 * become indexes `<prefix><table>_<columns>_uix` / `_ix`. PostgreSQL names are at most 63 bytes: a longer name
 * keeps its first 54 characters and gets 8 hex characters of its SHA-1, so two long names never truncate to
 * the same one.
 *
 * Also how values travel: COPY text-format encoding of a row, and the WHERE / ORDER BY of a select.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, MOODLE_TABLES, StorageError } from '@mbz-restore/engine';
import type { ColumnSpec, IndexSpec, Row, SelectOptions, SqlValue, TableSpec, Where } from '@mbz-restore/engine';
import { InvalidArgumentError } from '@mbz-restore/engine';

/** Where the tables live: a PostgreSQL schema and Moodle's table prefix. */
export interface Naming {
  readonly schema: string;
  readonly prefix: string;
}

/** A column with what the adapter needs at hand. */
export interface PgColumn {
  readonly spec: ColumnSpec;
  readonly name: string;
  /** char or text. */
  readonly text: boolean;
  /** int (any width). */
  readonly integer: boolean;
  /** number / float. */
  readonly numeric: boolean;
  readonly binary: boolean;
  /** What a row that leaves the column out gets (as the DDL's DEFAULT), or undefined when it has none. */
  readonly fill: SqlValue | undefined;
}

/** A table with what the adapter needs at hand, for one naming. */
export interface PgTable {
  readonly spec: TableSpec;
  /** `"schema"."mdl_name"`. */
  readonly qualified: string;
  /** `mdl_name` (no schema, not quoted). */
  readonly tableName: string;
  /** Sequence name (no schema, not quoted). */
  readonly sequence: string;
  readonly columns: readonly PgColumn[];
  readonly byName: ReadonlyMap<string, PgColumn>;
  /** Quoted column list in spec order. */
  readonly columnList: string;
}

/** The tables of one naming, by name without prefix. */
export class Schema {
  readonly naming: Naming;
  readonly #tables: ReadonlyMap<string, PgTable>;

  constructor(naming: Naming) {
    checkIdentifierPart('schema', naming.schema);
    checkIdentifierPart('prefix', naming.prefix, true);
    this.naming = naming;
    this.#tables = new Map(MOODLE_TABLES.map((spec) => [spec.name, pgTable(spec, naming)]));
  }

  /** The table called `name` (without prefix), or `storage.unknown-table`. */
  table(name: string): PgTable {
    const table = this.#tables.get(name);
    if (!table)
      throw new StorageError(
        ErrorCode.StorageUnknownTable,
        `Unknown table "${name}": expected one of MOODLE_TABLES (without prefix).`,
      );
    return table;
  }

  all(): Iterable<PgTable> {
    return this.#tables.values();
  }

  /** `"schema"."<prefix><name>"` of an adapter table (mbz_blobs …). */
  own(name: string): string {
    return `${quote(this.naming.schema)}.${quote(pgName(this.naming.prefix + name))}`;
  }

  /** A sequence as a regclass literal for nextval()/setval(). */
  sequenceLiteral(table: PgTable | string): string {
    const seq = typeof table === 'string' ? pgName(this.naming.prefix + table) : table.sequence;
    return literal(`${quote(this.naming.schema)}.${quote(seq)}`);
  }
}

/** Throws `storage.unknown-column` unless every name is a column of `table`. */
export function checkColumns(table: PgTable, names: Iterable<string>): void {
  for (const name of names) {
    if (!table.byName.has(name))
      throw new StorageError(ErrorCode.StorageUnknownColumn, `Unknown column "${name}" in table "${table.spec.name}".`);
  }
}

/** `CREATE SEQUENCE` + `CREATE TABLE` + indexes of one table (all IF NOT EXISTS). */
export function createTableSqls(table: PgTable, naming: Naming): string[] {
  const schema = quote(naming.schema);
  const seq = `${schema}.${quote(table.sequence)}`;
  const columns = table.columns.map((c) =>
    c.name === 'id' ? `"id" BIGINT NOT NULL DEFAULT nextval(${literal(seq)}::regclass)` : columnSql(c.spec),
  );
  columns.push(`CONSTRAINT ${quote(pgName(`${table.tableName}_id_pk`))} PRIMARY KEY ("id")`);
  return [
    `CREATE SEQUENCE IF NOT EXISTS ${seq}`,
    `CREATE TABLE IF NOT EXISTS ${table.qualified} (\n  ${columns.join(',\n  ')}\n)`,
    `ALTER SEQUENCE ${seq} OWNED BY ${table.qualified}."id"`,
    ...table.spec.indexes.map(
      (ix) =>
        `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quote(indexName(table, ix))} ` +
        `ON ${table.qualified} (${ix.columns.map(quote).join(', ')})`,
    ),
  ];
}

/** The PostgreSQL type of a column, as Moodle's generator writes it. */
export function columnType(c: ColumnSpec): string {
  switch (c.type) {
    case 'int': {
      const length = c.length ?? 10;
      return length <= 4 ? 'SMALLINT' : length <= 9 ? 'INTEGER' : 'BIGINT';
    }
    case 'number':
      return c.length === undefined ? 'DOUBLE PRECISION' : `NUMERIC(${c.length}, ${c.decimals ?? 0})`;
    case 'char':
      return `VARCHAR(${c.length ?? 255})`;
    case 'text':
      return 'TEXT';
    case 'binary':
      return 'BYTEA';
  }
}

/** A double-quoted SQL identifier. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `name`, or when longer than PostgreSQL's 63 bytes, its first 54 characters, `_` and 8 hex characters of its SHA-1. */
export function pgName(name: string): string {
  if (Buffer.byteLength(name) <= 63) return name;
  return `${name.slice(0, 54)}_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * One row as a line of COPY's text format, every column of the table in spec order: columns the row leaves
 * out take the DDL's default (so every row of a table goes through one COPY). Throws `storage.constraint`
 * (before anything reaches the server) for a row without a positive integer id or with NULL in a NOT NULL
 * column, and `storage.unknown-column` for a column the table lacks.
 */
export function copyLine(table: PgTable, row: Row): string {
  const id = row.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw new StorageError(
      ErrorCode.StorageConstraint,
      `Every ${table.spec.name} row needs a positive integer id, got ${String(id)}.`,
    );
  }
  let known = 0;
  let line = '';
  const columns = table.columns;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    let value = row[c.name];
    if (value === undefined) value = c.fill ?? null;
    else known++;
    if (value === null && c.spec.notnull) {
      throw new StorageError(
        ErrorCode.StorageConstraint,
        `NOT NULL constraint failed: ${table.tableName}.${c.name} (row ${id}).`,
      );
    }
    if (i > 0) line += '\t';
    line += copyValue(value, c);
  }
  if (known !== Object.keys(row).length) checkColumns(table, Object.keys(row));
  return `${line}\n`;
}

/** A WHERE clause (`col = $n`, `col IS NULL`) and its parameters; empty when there is no filter. */
export interface Filter {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The filter for `where` on `table` (columns checked), parameters numbered from `$first`. As in SQLite, a
 * number compared with a text column is compared as its text, and a value that cannot be a number compared with
 * a numeric column matches nothing (PostgreSQL would reject it).
 */
export function filterOf(table: PgTable, where: Where | undefined, first = 1): Filter {
  if (!where) return { sql: '', params: [] };
  const names = Object.keys(where);
  checkColumns(table, names);
  if (names.length === 0) return { sql: '', params: [] };
  const params: unknown[] = [];
  const terms = names.map((name) => {
    const column = table.byName.get(name)!;
    const value = where[name] ?? null;
    if (value === null) return `${quote(name)} IS NULL`;
    if (column.integer || column.numeric) {
      const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n) || (column.integer && !Number.isInteger(n))) return 'FALSE';
      params.push(String(n));
    } else if (column.binary) params.push(value);
    else params.push(String(value));
    return `${quote(name)} = $${first + params.length - 1}`;
  });
  return { sql: ` WHERE ${terms.join(' AND ')}`, params };
}

/** `ORDER BY <col>, "id" [LIMIT n]`; text ordered bytewise (`COLLATE "C"`), as SQLite orders it. */
export function orderOf(table: PgTable, options: SelectOptions): string {
  const name = options.orderBy ?? 'id';
  checkColumns(table, [name]);
  const column = table.byName.get(name)!;
  const order = name === 'id' ? ' ORDER BY "id"' : ` ORDER BY ${quote(name)}${column.text ? ' COLLATE "C"' : ''}, "id"`;
  if (options.limit === undefined) return order;
  if (!Number.isSafeInteger(options.limit) || options.limit < 0)
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${options.limit}.`);
  return `${order} LIMIT ${options.limit}`;
}

/** A value ready to bind as a parameter (numbers travel as their text: PostgreSQL casts to the column's type). */
export function bindValue(value: SqlValue | Buffer | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return String(value);
  return value;
}

// Internal helpers

function pgTable(spec: TableSpec, naming: Naming): PgTable {
  const tableName = pgName(naming.prefix + spec.name);
  const columns = spec.columns.map(
    (c): PgColumn => ({
      spec: c,
      name: c.name,
      text: c.type === 'char' || c.type === 'text',
      integer: c.type === 'int',
      numeric: c.type === 'number',
      binary: c.type === 'binary',
      fill: c.default ?? (c.type === 'char' && c.notnull ? '' : undefined),
    }),
  );
  return {
    spec,
    qualified: `${quote(naming.schema)}.${quote(tableName)}`,
    tableName,
    sequence: pgName(`${naming.prefix}${spec.name}_id_seq`),
    columns,
    byName: new Map(columns.map((c) => [c.name, c])),
    columnList: columns.map((c) => quote(c.name)).join(', '),
  };
}

function indexName(table: PgTable, ix: IndexSpec): string {
  return pgName(`${table.tableName}_${ix.columns.join('_')}_${ix.unique ? 'uix' : 'ix'}`);
}

function columnSql(c: ColumnSpec): string {
  const def = c.default ?? (c.type === 'char' && c.notnull ? '' : undefined);
  const defSql = def === undefined ? '' : ` DEFAULT ${typeof def === 'number' ? String(def) : literal(def)}`;
  return `${quote(c.name)} ${columnType(c)}${c.notnull ? ' NOT NULL' : ''}${defSql}`;
}

const COPY_SPECIAL = /[\\\t\n\r]/;

/** COPY text format: `\` → `\\`, tab → `\t`, LF → `\n`, CR → `\r`, NULL → `\N`. */
function copyValue(value: SqlValue | Buffer, column: PgColumn): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') {
    checkFinite(column, value);
    return String(value);
  }
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  const text = String(value);
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** Throws `storage.constraint` for a number no column can hold (NaN, ±Infinity), as COPY would refuse it. */
export function checkFinite(column: PgColumn, value: unknown): void {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new StorageError(ErrorCode.StorageConstraint, `Column ${column.name} cannot hold ${String(value)}.`);
}

/** Schema names and prefixes are used inside quoted identifiers; keep them to plain names all the same. */
function checkIdentifierPart(what: string, value: string, allowEmpty = false): void {
  if ((value === '' && allowEmpty) || /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return;
  throw new InvalidArgumentError(
    `The PostgreSQL ${what} must be letters, digits and _ (got ${JSON.stringify(value)}).`,
  );
}
