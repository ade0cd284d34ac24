/**
 * A unit of work of the memory store: an overlay of inserted rows, changes to committed rows and new blobs.
 * Its own selects see committed ∪ overlay; commit builds each touched table anew, checks ids and unique
 * indexes on the result, and only then swaps it in, so a failed commit leaves the store as it was.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ErrorCode, InvalidArgumentError, StorageError } from '@mbz-restore/engine';
import type { Row, SelectOptions, StorageTransaction, Where } from '@mbz-restore/engine';
import { applyChanges, checkUnique, comparator, completeRow, matcher, tableRules } from './table-rules.ts';

/** What the store and its units share. */
export interface MemoryState {
  /** Committed rows by table, then id. */
  tables: Map<string, Map<number, Row>>;
  /** Next id `allocateIds` hands out, per table; never goes back. */
  nextIds: Map<string, number>;
  /** Committed blobs by SHA-1. */
  blobs: Map<string, Buffer>;
  closed: boolean;
}

/** One unit of work over a {@link MemoryState}. */
export class MemoryTransaction implements StorageTransaction {
  readonly #state: MemoryState;
  /** Rows this unit inserted, by table then id (full rows, own updates applied). */
  readonly #inserted = new Map<string, Map<number, Row>>();
  /** Full new versions of committed rows this unit updated, by table then id. */
  readonly #updated = new Map<string, Map<number, Row>>();
  /** Columns this unit changed in each committed row it updated, applied at commit onto the then-current row. */
  readonly #changes = new Map<string, Map<number, Row>>();
  readonly #blobs = new Map<string, Buffer>();
  #status: 'open' | 'committed' | 'rolled back' | 'failed' = 'open';

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async allocateIds(table: string, count: number): Promise<number> {
    this.#check();
    tableRules(table);
    if (!Number.isSafeInteger(count) || count < 1)
      throw new InvalidArgumentError(`allocateIds: count must be a positive integer, got ${count}.`);
    const first = this.#state.nextIds.get(table) ?? maxId(this.#state.tables.get(table)) + 1;
    this.#state.nextIds.set(table, first + count);
    return first;
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    this.#check();
    const rules = tableRules(table);
    const committed = this.#state.tables.get(table);
    const own = this.#inserted.get(table) ?? new Map<number, Row>();
    const batch = new Map<number, Row>();
    for (const row of rows) {
      const full = completeRow(rules, row);
      const id = checkId(table, full.id);
      if (committed?.has(id) || own.has(id) || batch.has(id)) {
        throw new StorageError(ErrorCode.StorageConstraint, `Duplicate id ${id} in ${table}.`);
      }
      batch.set(id, full);
    }
    checkUnique(rules, [...this.#view(table), ...batch.values()]);
    for (const [id, row] of batch) own.set(id, row);
    this.#inserted.set(table, own);
  }

  async update(table: string, id: number, changes: Row): Promise<void> {
    this.#check();
    const rules = tableRules(table);
    const own = this.#inserted.get(table)?.get(id);
    const committed = this.#updated.get(table)?.get(id) ?? this.#state.tables.get(table)?.get(id);
    const current = own ?? committed;
    if (current === undefined) throw new InvalidArgumentError(`update: no row with id ${id} in ${table}.`);
    const next = applyChanges(rules, current, changes);
    checkUnique(
      rules,
      [...this.#view(table)].map((r) => (r.id === id ? next : r)),
    );
    if (own) {
      this.#inserted.get(table)!.set(id, next);
      return;
    }
    mapOf(this.#updated, table).set(id, next);
    const known = mapOf(this.#changes, table);
    known.set(id, { ...known.get(id), ...changes });
  }

  async select(table: string, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    this.#check();
    const rules = tableRules(table);
    const rows = [...this.#view(table)].filter(matcher(rules, where)).sort(comparator(rules, options.orderBy ?? 'id'));
    return (options.limit === undefined ? rows : rows.slice(0, options.limit)).map((r) => ({ ...r }));
  }

  async putBlob(contenthash: string, content: Readable): Promise<void> {
    this.#check();
    checkHash(contenthash);
    const known = this.#blobs.has(contenthash) || this.#state.blobs.has(contenthash);
    const chunks: Buffer[] = [];
    const sha1 = createHash('sha1');
    for await (const chunk of content) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (known) continue;
      sha1.update(buf);
      chunks.push(buf);
    }
    if (known) return;
    const actual = sha1.digest('hex');
    if (actual !== contenthash) {
      throw new StorageError(
        ErrorCode.StorageBlobMismatch,
        `Blob content hashes to ${actual}, expected ${contenthash}.`,
      );
    }
    this.#check();
    this.#blobs.set(contenthash, Buffer.concat(chunks));
  }

  async hasBlob(contenthash: string): Promise<boolean> {
    this.#check();
    return this.#blobs.has(contenthash) || this.#state.blobs.has(contenthash);
  }

  async commit(): Promise<void> {
    this.#check();
    const next = new Map<string, Map<number, Row>>();
    try {
      for (const table of new Set([...this.#inserted.keys(), ...this.#changes.keys()])) {
        const rules = tableRules(table);
        const rows = new Map(this.#state.tables.get(table));
        for (const [id, changes] of this.#changes.get(table) ?? [])
          rows.set(id, applyChanges(rules, rows.get(id)!, changes));
        for (const [id, row] of this.#inserted.get(table) ?? []) {
          if (rows.has(id))
            throw new StorageError(
              ErrorCode.StorageConstraint,
              `Duplicate id ${id} in ${table}: another unit committed it.`,
            );
          rows.set(id, row);
        }
        checkUnique(rules, rows.values());
        next.set(table, rows);
      }
    } catch (error) {
      this.#status = 'failed';
      throw error;
    }
    for (const [table, rows] of next) {
      this.#state.tables.set(table, rows);
      this.#state.nextIds.set(table, Math.max(this.#state.nextIds.get(table) ?? 0, maxId(rows) + 1));
    }
    for (const [hash, content] of this.#blobs) this.#state.blobs.set(hash, content);
    this.#status = 'committed';
  }

  async rollback(): Promise<void> {
    if (this.#status === 'failed' || this.#status === 'rolled back') return;
    this.#check();
    this.#status = 'rolled back';
    this.#inserted.clear();
    this.#updated.clear();
    this.#changes.clear();
    this.#blobs.clear();
  }

  /** Committed rows (with this unit's changes) followed by this unit's own rows. */
  *#view(table: string): Iterable<Row> {
    const updated = this.#updated.get(table);
    for (const [id, row] of this.#state.tables.get(table) ?? []) yield updated?.get(id) ?? row;
    yield* this.#inserted.get(table)?.values() ?? [];
  }

  #check(): void {
    if (this.#state.closed) throw new StorageError(ErrorCode.StorageClosed, 'The memory store is closed.');
    if (this.#status !== 'open')
      throw new StorageError(ErrorCode.StorageTransactionDone, `This unit of work is already ${this.#status}.`);
  }
}

// Internal helpers

function maxId(rows: Map<number, Row> | undefined): number {
  let max = 0;
  for (const id of rows?.keys() ?? []) if (id > max) max = id;
  return max;
}

function mapOf<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

function checkId(table: string, id: unknown): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw new StorageError(
      ErrorCode.StorageConstraint,
      `Every ${table} row needs a positive integer id, got ${String(id)}.`,
    );
  }
  return id;
}

function checkHash(contenthash: string): void {
  if (!/^[0-9a-f]{40}$/.test(contenthash))
    throw new InvalidArgumentError(`Not a SHA-1 content hash: "${contenthash}".`);
}
