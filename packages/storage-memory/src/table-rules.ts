/**
 * The rules a row obeys in the memory store, taken from `MOODLE_TABLES` and made to behave as the SQLite
 * store does, so both adapters return the same values: unknown tables and columns are refused, missing
 * columns take their default, values get SQLite's column affinity (numeric text in an int column becomes a
 * number, a number in a text column becomes text), NOT NULL is enforced, unique indexes treat NULL as
 * distinct, and ordering puts NULL first, then numbers, then text (by UTF-8 bytes), ties broken by `id`.
 */
import { ErrorCode, MOODLE_TABLES, StorageError } from '@mbz-restore/engine';
import type { ColumnSpec, Row, SqlValue, TableSpec, Where } from '@mbz-restore/engine';

/** One table's spec with fast lookups. */
export interface TableRules {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnSpec>;
  /** Column lists of the unique indexes. */
  readonly uniques: ReadonlyArray<readonly string[]>;
}

const RULES: ReadonlyMap<string, TableRules> = new Map(MOODLE_TABLES.map((t) => [t.name, rulesOf(t)]));

/** The rules of `table`, or `storage.unknown-table`. */
export function tableRules(table: string): TableRules {
  const rules = RULES.get(table);
  if (!rules)
    throw new StorageError(
      ErrorCode.StorageUnknownTable,
      `Unknown table "${table}": expected one of MOODLE_TABLES (without prefix).`,
    );
  return rules;
}

/** Throws `storage.unknown-column` unless every name is a column of the table. */
export function checkColumns(rules: TableRules, names: Iterable<string>): void {
  for (const name of names) {
    if (!rules.columns.has(name)) {
      throw new StorageError(ErrorCode.StorageUnknownColumn, `Unknown column "${name}" in table "${rules.name}".`);
    }
  }
}

/** A full row: every column, defaults filled in, affinity applied, NOT NULL checked. */
export function completeRow(rules: TableRules, row: Row): Row {
  checkColumns(rules, Object.keys(row));
  const out: Row = {};
  for (const col of rules.columns.values()) {
    const given = row[col.name];
    out[col.name] = given === undefined ? defaultOf(col) : withAffinity(col, given);
  }
  checkNotNull(rules, out);
  return out;
}

/** `row` with `changes` applied (affinity, NOT NULL checked); `id` cannot change. */
export function applyChanges(rules: TableRules, row: Row, changes: Row): Row {
  checkColumns(rules, Object.keys(changes));
  if ('id' in changes && changes.id !== row.id) {
    throw new StorageError(ErrorCode.StorageConstraint, `Cannot change the id of ${rules.name} row ${row.id}.`);
  }
  const out: Row = { ...row };
  for (const [name, value] of Object.entries(changes)) out[name] = withAffinity(rules.columns.get(name)!, value);
  checkNotNull(rules, out);
  return out;
}

/** A predicate for `where`, values compared after the column's affinity (as SQLite compares). */
export function matcher(rules: TableRules, where: Where | undefined): (row: Row) => boolean {
  if (!where) return () => true;
  checkColumns(rules, Object.keys(where));
  const wanted = Object.entries(where).map(([name, v]) => [name, withAffinity(rules.columns.get(name)!, v)] as const);
  return (row) => wanted.every(([name, v]) => row[name] === v);
}

/** A comparator ordering by `column` ascending as SQLite does, then by id. */
export function comparator(rules: TableRules, column: string): (a: Row, b: Row) => number {
  checkColumns(rules, [column]);
  return (a, b) => compareValues(a[column] ?? null, b[column] ?? null) || compareValues(a.id ?? null, b.id ?? null);
}

/** Throws `storage.constraint` when two rows share a unique key (keys with a NULL never clash). */
export function checkUnique(rules: TableRules, rows: Iterable<Row>): void {
  for (const columns of rules.uniques) {
    const seen = new Map<string, SqlValue>();
    for (const row of rows) {
      const values = columns.map((c) => row[c] ?? null);
      if (values.includes(null)) continue;
      const key = JSON.stringify(values);
      const other = seen.get(key);
      if (other !== undefined) {
        throw new StorageError(
          ErrorCode.StorageConstraint,
          `Unique index (${columns.join(', ')}) of ${rules.name} violated: rows ${other} and ${row.id} both have ${key}.`,
        );
      }
      seen.set(key, row.id ?? null);
    }
  }
}

/** SQLite's column affinity applied to a value about to be stored or compared. */
export function withAffinity(col: ColumnSpec, value: SqlValue): SqlValue {
  if (value === null) return null;
  if (col.type === 'int' || col.type === 'number') {
    return typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : value;
  }
  if (col.type === 'char' || col.type === 'text') return typeof value === 'number' ? String(value) : value;
  return value;
}

// Internal helpers

const NUMERIC_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function rulesOf(spec: TableSpec): TableRules {
  return {
    name: spec.name,
    columns: new Map(spec.columns.map((c) => [c.name, c])),
    uniques: spec.indexes.filter((i) => i.unique).map((i) => i.columns),
  };
}

/** Moodle's default: the column's DEFAULT, '' for a NOT NULL char without one (sql_generator `$default_for_char`), else NULL. */
function defaultOf(col: ColumnSpec): SqlValue {
  if (col.default !== undefined) return col.default;
  return col.type === 'char' && col.notnull ? '' : null;
}

function checkNotNull(rules: TableRules, row: Row): void {
  for (const col of rules.columns.values()) {
    if (col.notnull && row[col.name] === null) {
      throw new StorageError(
        ErrorCode.StorageConstraint,
        `NOT NULL column ${rules.name}.${col.name} is NULL (row id ${row.id ?? 'missing'}).`,
      );
    }
  }
}

function compareValues(a: SqlValue, b: SqlValue): number {
  const rank = (v: SqlValue) => (v === null ? 0 : typeof v === 'number' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return 0;
}
