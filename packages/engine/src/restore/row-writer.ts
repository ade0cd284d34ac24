/**
 * Writes a restore's rows through the storage unit of work in large batches. It hands out new ids
 * itself (reserving blocks with `allocateIds`), so a stage gets a row's new id at once while the row
 * waits in a batch; it keeps only the columns Moodle's table has (as Moodle's `insert_record()` ignores
 * the others) and turns the XML's strings into the column's type.
 */
import { ErrorCode, StorageError } from '../errors.ts';
import { MOODLE_TABLES } from '../schema/moodle-schema.ts';
import type { ColumnSpec, TableSpec } from '../schema/types.ts';
import type { Row, SelectOptions, SqlValue, StorageTransaction, Where } from '../storage/storage-adapter.ts';

/** A row as stages build it: XML strings, numbers, null; extra fields are dropped. */
export type RowInput = Readonly<Record<string, unknown>>;

const TABLES: ReadonlyMap<string, TableSpec> = new Map(MOODLE_TABLES.map((t) => [t.name, t]));

/** Batches rows per table and flushes them through a {@link StorageTransaction}. */
export class RowWriter {
  readonly #tx: StorageTransaction;
  readonly #batchSize: number;
  readonly #pending = new Map<string, Row[]>();
  readonly #ids = new Map<string, { next: number; end: number; block: number }>();
  readonly #counts = new Map<string, number>();
  /** Ids of rows written with `$@` in a text value (restore links), per table: what the decode-links stage reads back. */
  readonly #linkRows = new Map<string, Set<number>>();

  constructor(tx: StorageTransaction, options: { batchSize?: number } = {}) {
    this.#tx = tx;
    this.#batchSize = options.batchSize ?? 1000;
  }

  /** Queues a row for `table` and returns its new id (or uses `id` from {@link reserveId}). */
  async insert(table: string, input: RowInput, id?: number): Promise<number> {
    const spec = tableSpec(table);
    id ??= await this.#nextId(table);
    const row = coerceRow(spec, input);
    row.id = id;
    if (hasLinkMarker(row)) this.#markLinks(table, id);
    let batch = this.#pending.get(table);
    if (!batch) this.#pending.set(table, (batch = []));
    batch.push(row);
    this.#counts.set(table, (this.#counts.get(table) ?? 0) + 1);
    if (batch.length >= this.#batchSize) await this.flush(table);
    return id;
  }

  /** Reserves the id of a row to be inserted later (when the row must contain its own id, e.g. `context.path`). */
  reserveId(table: string): Promise<number> {
    tableSpec(table);
    return this.#nextId(table);
  }

  /** Updates columns of a row (pending rows of the table are written first). */
  async update(table: string, id: number, changes: RowInput): Promise<void> {
    const spec = tableSpec(table);
    await this.flush(table);
    const row = coerceRow(spec, changes);
    if (hasLinkMarker(row)) this.#markLinks(table, id);
    await this.#tx.update(table, id, row);
  }

  /** Ids of the rows of `table` this restore wrote (inserted or updated) with `$@` in a text value: the rows restore links can be in. */
  rowsWithLinks(table: string): ReadonlySet<number> {
    return this.#linkRows.get(table) ?? NO_IDS;
  }

  #markLinks(table: string, id: number): void {
    let ids = this.#linkRows.get(table);
    if (!ids) this.#linkRows.set(table, (ids = new Set()));
    ids.add(id);
  }

  /** Rows of `table` matching `where`, committed and this restore's own. */
  async select(table: string, where?: Where, options?: SelectOptions): Promise<Row[]> {
    tableSpec(table);
    await this.flush(table);
    return this.#tx.select(table, where, options);
  }

  /** Writes pending rows (of one table, or all). */
  async flush(table?: string): Promise<void> {
    const tables = table === undefined ? [...this.#pending.keys()] : [table];
    for (const name of tables) {
      const rows = this.#pending.get(name);
      if (!rows || rows.length === 0) continue;
      this.#pending.set(name, []);
      await this.#tx.insert(name, rows);
    }
  }

  /** Rows inserted per table so far. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  async #nextId(table: string): Promise<number> {
    let pool = this.#ids.get(table);
    if (!pool || pool.next >= pool.end) {
      // Blocks grow so a table with a million rows needs few reservations and a small one wastes few ids.
      const block = Math.min((pool?.block ?? 32) * 4, 65_536);
      const first = await this.#tx.allocateIds(table, block);
      pool = { next: first, end: first + block, block };
      this.#ids.set(table, pool);
    }
    return pool.next++;
  }
}

/** The schema of a Moodle table; `storage.unknown-table` when there is none. */
export function tableSpec(table: string): TableSpec {
  const spec = TABLES.get(table);
  if (!spec)
    throw new StorageError(
      ErrorCode.StorageUnknownTable,
      `There is no Moodle table "${table}" in the engine's schema.`,
    );
  return spec;
}

/** Keeps the table's columns of `input` (not `id`) and converts each value to the column's type. */
export function coerceRow(spec: TableSpec, input: RowInput): Row {
  const columns = columnsOf(spec);
  const row: Row = {};
  for (let k = 0; k < columns.length; k++) {
    const column = columns[k]!;
    const value = input[column.name];
    if (value === undefined && !(column.name in input)) continue;
    row[column.name] = coerceValue(column, value);
  }
  return row;
}

// Internal helpers

const NO_IDS: ReadonlySet<number> = new Set();

/** True when a text value holds `$@`, which every encoded restore link (`$@FORUMVIEWBYID*12@$`) starts with (Moodle's `restore_decode_processor::precheck_content()`). */
function hasLinkMarker(row: Row): boolean {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'string' && value.length > 4 && value.includes('$@')) return true;
  }
  return false;
}

/** Each table's columns without `id`, computed once (rows are coerced on the hot path). */
const COLUMNS = new WeakMap<TableSpec, readonly ColumnSpec[]>();

function columnsOf(spec: TableSpec): readonly ColumnSpec[] {
  let columns = COLUMNS.get(spec);
  if (!columns) COLUMNS.set(spec, (columns = spec.columns.filter((c) => c.name !== 'id')));
  return columns;
}

function coerceValue(column: ColumnSpec, value: unknown): SqlValue {
  if (value === null || value === undefined) return column.notnull ? defaultOf(column) : null;
  if (column.type === 'int' || column.type === 'number') {
    if (typeof value === 'number') return Number.isFinite(value) ? value : defaultOf(column);
    if (typeof value === 'boolean') return value ? 1 : 0;
    const text = typeof value === 'string' ? value : String(value);
    // Number() ignores surrounding whitespace and reads '' and blanks as 0: those are "empty" here.
    const n = Number(text);
    if (n === 0 && text.trim() === '') return column.notnull ? defaultOf(column) : null;
    return Number.isFinite(n) ? (column.type === 'int' ? Math.trunc(n) : n) : defaultOf(column);
  }
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function defaultOf(column: ColumnSpec): SqlValue {
  if (column.default !== undefined) return column.default;
  return column.type === 'int' || column.type === 'number' ? 0 : '';
}
