/**
 * A unit of work of the PostgreSQL store: one PostgreSQL transaction (READ COMMITTED) on a connection of its own.
 * The server keeps the unit's rows invisible to everyone else until COMMIT, and drops them on ROLLBACK or when
 * the connection dies with its process.
 *
 * - Inserts are checked and encoded at once (COPY text lines, every column, defaults filled in: a bad row fails
 *   its own call and keeps none of its rows) and buffered per table as UTF-8 bytes; a table's buffer is written
 *   with one `COPY … FROM STDIN` before a select or an update of that table, at commit, and whenever the unit's
 *   buffers together pass `bufferBytes` (then the largest goes). That last write runs in the background: the
 *   restore goes on encoding rows while the server takes the COPY, and the unit's next statement waits for it
 *   (one COPY in flight at most, so a unit holds at most about twice `bufferBytes`). A COPY the server refuses
 *   breaks the unit, and its next call (or commit) reports the error. Buffering is what makes two units inserting
 *   the same unique key meet at commit (the later one fails with `storage.constraint`) rather than at insert; a
 *   unit whose rows reached the server before another unit's clashing rows waits for that unit to end, as
 *   PostgreSQL does.
 * - Updates of the unit's own rows (ids from its own `allocateIds` blocks that it inserted) are checked at once
 *   and collected, then written together (one `UPDATE … FROM unnest(…)` per table and set of columns) before a
 *   select of that table and at commit: a restore that updates thousands of its rows (the regrade) does not pay a
 *   round trip for each. Updates of committed rows are deferred, so a unit never holds a row lock that another
 *   unit would wait on while it runs: the row
 *   is copied into a temporary shadow table (`ON COMMIT DROP`) and updated there, the unit's selects read the
 *   shadow instead of the committed row, and commit writes only the columns the unit changed, so two units
 *   changing different columns of one row both count.
 * - Selects read the table (committed rows and the unit's own, flushed first), with the shadow where there is one.
 * - Blobs: see `blobs.ts`; their `mbz_blobs` rows are written at commit.
 * - `lockForCommit()` takes the store's commit lock (`pg_advisory_xact_lock`), held until COMMIT or ROLLBACK;
 *   commit takes it too before writing deferred updates of committed rows (one order for all units: no deadlock).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Readable as ReadableType } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, InvalidArgumentError, StorageError } from '@mbz-restore/engine';
import type { Row, SelectOptions, StorageTransaction, Where } from '@mbz-restore/engine';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { BlobPlace, PendingBlob } from './blobs.ts';
import { checkHash, drain } from './blobs.ts';
import { bindValue, checkColumns, checkFinite, columnType, copyLine, filterOf, orderOf, pgName, quote } from './ddl.ts';
import type { PgTable, Schema } from './ddl.ts';
import { toStorageError } from './errors.ts';

/** What a unit needs from its store. */
export interface UnitContext {
  readonly schema: Schema;
  readonly blobs: BlobPlace;
  /** Bytes of COPY data a unit buffers, all tables together, before it writes the largest table's. */
  readonly bufferBytes: number;
  /** Reserves ids on the store's own connection (never in the unit's transaction). */
  allocate(table: PgTable, count: number): Promise<number>;
  /** True when a committed blob has this hash (asked on the store's own connection). */
  committedBlob(contenthash: string): Promise<boolean>;
  /** The key of the store's commit lock. */
  readonly commitLockKey: string;
  closed(): boolean;
}

/** A table's rows waiting for COPY: encoded pieces of about {@link PIECE_CHARS}, plus the lines of the next piece. */
interface Buffered {
  pieces: Buffer[];
  lines: string[];
  /** Characters in `lines`. */
  chars: number;
  /** Characters of every line buffered (in `pieces` and `lines`): what counts against `bufferBytes`. */
  size: number;
}

/** A block of ids the unit reserved, with which of them it has inserted (one bit per id, made on first insert). */
interface OwnBlock {
  readonly first: number;
  readonly last: number;
  inserted: Uint8Array | undefined;
}

/** One unit of work; made by {@link PostgresTransaction.begin}. */
export class PostgresTransaction implements StorageTransaction {
  readonly #ctx: UnitContext;
  #client: pg.PoolClient | undefined;
  readonly #onDone: (unit: PostgresTransaction) => void;
  #status: 'open' | 'committing' | 'committed' | 'rolled back' | 'failed' = 'open';
  /** Error that broke the transaction (later calls report it). */
  #broken: Error | undefined;
  readonly #buffers = new Map<string, Buffered>();
  /** Size of every buffer together. */
  #buffered = 0;
  /** Id blocks this unit reserved, per table. */
  readonly #allocated = new Map<string, OwnBlock[]>();
  /** Collected updates of the unit's own rows: table → id → the columns' latest values. */
  readonly #ownUpdates = new Map<string, Map<number, Row>>();
  /** Deferred updates of committed rows: table → id → changed columns. */
  readonly #updates = new Map<string, Map<number, Set<string>>>();
  readonly #blobs = new Map<string, PendingBlob>();
  /** Hashes `hasBlob` found missing, so the `putBlob` that follows need not ask again. */
  readonly #absent = new Set<string>();
  /** Blob ids taken from the sequence in advance. */
  #blobIds: number[] = [];
  #locked = false;
  /** Calls run one after another (each may send several statements). */
  #serial: Promise<unknown> = Promise.resolve();

  private constructor(ctx: UnitContext, client: pg.PoolClient, onDone: (unit: PostgresTransaction) => void) {
    this.#ctx = ctx;
    this.#client = client;
    this.#onDone = onDone;
    // A connection that dies while the unit holds it (server restart, terminated backend) reports here rather than
    // crashing the process; the server has rolled the transaction back, and the unit's next call says so.
    client.on('error', this.#onConnectionError);
  }

  readonly #onConnectionError = (error: Error): void => {
    this.#broken ??= toStorageError(error, 'The unit of work lost its connection');
  };

  /** Starts a unit on a connection of `pool`. */
  static async begin(
    ctx: UnitContext,
    pool: pg.Pool,
    onDone: (unit: PostgresTransaction) => void,
  ): Promise<PostgresTransaction> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    } catch (error) {
      client.release(true);
      throw toStorageError(error, 'Starting a unit of work');
    }
    return new PostgresTransaction(ctx, client, onDone);
  }

  async allocateIds(table: string, count: number): Promise<number> {
    this.#check();
    const t = this.#ctx.schema.table(table);
    const first = await this.#ctx.allocate(t, count);
    let blocks = this.#allocated.get(table);
    if (!blocks) this.#allocated.set(table, (blocks = []));
    blocks.push({ first, last: first + count - 1, inserted: undefined });
    return first;
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    this.#check();
    const t = this.#ctx.schema.table(table);
    if (rows.length === 0) return;
    if (this.#broken) throw this.#broken;
    const lines = new Array<string>(rows.length);
    let chars = 0;
    for (let i = 0; i < rows.length; i++) {
      const line = copyLine(t, rows[i]!);
      lines[i] = line;
      chars += line.length;
    }
    let buffer = this.#buffers.get(table);
    if (!buffer) this.#buffers.set(table, (buffer = { pieces: [], lines: [], chars: 0, size: 0 }));
    for (const line of lines) {
      buffer.lines.push(line);
      buffer.chars += line.length;
      if (buffer.chars >= PIECE_CHARS) this.#seal(buffer);
    }
    buffer.size += chars;
    this.#buffered += chars;
    for (const row of rows) this.#markInserted(table, row.id as number);
    if (this.#buffered >= this.#ctx.bufferBytes) await this.#writeLargest();
  }

  async update(table: string, id: number, changes: Row): Promise<void> {
    this.#check();
    const t = this.#ctx.schema.table(table);
    checkColumns(t, Object.keys(changes));
    if ('id' in changes && Number(changes.id) !== id)
      throw new StorageError(ErrorCode.StorageConstraint, `Cannot change the id of ${table} row ${id}.`);
    const names = Object.keys(changes).filter((n) => n !== 'id');
    for (const n of names) {
      if ((changes[n] === null || changes[n] === undefined) && t.byName.get(n)!.spec.notnull)
        throw new StorageError(ErrorCode.StorageConstraint, `NOT NULL constraint failed: ${t.tableName}.${n}.`);
    }
    if (this.#inserted(table, id) && !this.#updates.get(table)?.has(id)) {
      // A row this unit inserted: collected, written with the table's other updates (see the file's comment).
      if (this.#broken) throw this.#broken;
      for (const n of names) checkFinite(t.byName.get(n)!, changes[n]);
      let byId = this.#ownUpdates.get(table);
      if (!byId) this.#ownUpdates.set(table, (byId = new Map()));
      const row = byId.get(id);
      if (row) Object.assign(row, pick(changes, names));
      else byId.set(id, pick(changes, names));
      if (byId.size >= OWN_UPDATES_MAX) await this.#run(`Updating ${table}`, () => this.#settle(t));
      return;
    }
    await this.#run(`Updating ${table} row ${id}`, async () => {
      const client = this.#client!;
      if (names.length === 0) {
        if ((await this.#select(t, { id })).length === 0)
          throw new InvalidArgumentError(`update: no row with id ${id} in ${table}.`);
        return;
      }
      const set = names.map((n, i) => `${quote(n)} = $${i + 2}`).join(', ');
      const params = [String(id), ...names.map((n) => bindValue(changes[n]))];
      const shadowed = this.#updates.get(table);
      if (this.#owns(table, id) && !shadowed?.has(id)) {
        await this.#settle(t);
        const { rowCount } = await client.query(named(`UPDATE ${t.qualified} SET ${set} WHERE "id" = $1`, params));
        if (rowCount === 0) throw new InvalidArgumentError(`update: no row with id ${id} in ${table}.`);
        return;
      }
      const shadow = await this.#shadow(t);
      if (!shadowed?.has(id)) {
        await this.#settle(t);
        const copy = await client.query(
          `INSERT INTO ${shadow} (${t.columnList}) SELECT ${t.columnList} FROM ${t.qualified} WHERE "id" = $1`,
          [String(id)],
        );
        if (copy.rowCount === 0) throw new InvalidArgumentError(`update: no row with id ${id} in ${table}.`);
      }
      await client.query(`UPDATE ${shadow} SET ${set} WHERE "id" = $1`, params);
      let ids = this.#updates.get(table);
      if (!ids) this.#updates.set(table, (ids = new Map()));
      let cols = ids.get(id);
      if (!cols) ids.set(id, (cols = new Set()));
      for (const n of names) cols.add(n);
    });
  }

  async select(table: string, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    this.#check();
    const t = this.#ctx.schema.table(table);
    // Checked before anything is sent.
    filterOf(t, where);
    orderOf(t, options);
    return this.#run(`Selecting from ${table}`, () => this.#select(t, where, options));
  }

  async putBlob(contenthash: string, content: ReadableType): Promise<void> {
    this.#check();
    checkHash(contenthash);
    if (this.#absent.has(contenthash)) this.#absent.delete(contenthash);
    else if (await this.hasBlob(contenthash)) {
      await drain(content);
      return;
    }
    const { blob, written } = await this.#run(`Storing blob ${contenthash}`, () =>
      this.#ctx.blobs.write(this.#client!, contenthash, content, () => this.#blobId()),
    );
    // The last chunk's INSERT may still be on its way (the bytes were verified already).
    this.#inBackground(`Storing blob ${contenthash}`, () => written);
    if (this.#status !== 'open' || this.#blobs.has(contenthash)) {
      await this.#ctx.blobs.discard([blob]);
      this.#check();
      return;
    }
    this.#blobs.set(contenthash, blob);
  }

  async adoptBlob(contenthash: string, path: string): Promise<boolean> {
    this.#check();
    checkHash(contenthash);
    if (this.#ctx.blobs.filedir === undefined || (await this.hasBlob(contenthash))) return false;
    const blob = await this.#ctx.blobs.adopt(contenthash, path).catch((error: unknown) => {
      throw toStorageError(error, `Adopting blob ${contenthash}`);
    });
    if (!blob) return false;
    this.#blobs.set(contenthash, blob);
    return true;
  }

  async hasBlob(contenthash: string): Promise<boolean> {
    this.#check();
    if (this.#blobs.has(contenthash)) return true;
    // A unit writes its mbz_blobs rows only at commit, so its own connection sees no more blobs than any other:
    // the store's connection answers, while this one may still be writing the previous blob's chunks.
    const committed = await this.#ctx.committedBlob(contenthash).catch((error: unknown) => {
      throw toStorageError(error, `Looking up blob ${contenthash}`);
    });
    if (committed) this.#absent.delete(contenthash);
    else this.#absent.add(contenthash);
    return committed;
  }

  async lockForCommit(): Promise<void> {
    this.#check();
    await this.#run('Taking the commit lock', async () => {
      // Rows go out first, so the lock is held for as short a time as possible.
      await this.#settleAll();
      await this.#lock();
    });
  }

  async commit(): Promise<void> {
    this.#check();
    this.#status = 'committing';
    try {
      await this.#serialised(async () => {
        if (this.#broken) throw this.#broken;
        const client = this.#client!;
        await this.#settleAll();
        await this.#writeUpdates();
        await this.#writeBlobRows();
        await this.#ctx.blobs.place([...this.#blobs.values()]);
        await client.query('COMMIT');
      });
    } catch (error) {
      this.#status = 'failed';
      await this.#end(true);
      throw toStorageError(error, 'Committing the unit of work');
    }
    this.#status = 'committed';
    await this.#end(false);
  }

  async rollback(): Promise<void> {
    if (this.#status === 'failed' || this.#status === 'rolled back') return;
    this.#check();
    this.#status = 'rolled back';
    await this.#end(true);
  }

  /** Rolls back on close of the store, whatever the state. */
  async abandon(): Promise<void> {
    if (this.#status === 'open' || this.#status === 'committing') this.#status = 'rolled back';
    await this.#end(true);
  }

  // Internal helpers

  /** Runs `fn` after the unit's previous calls; a database failure breaks the unit (PostgreSQL aborts the transaction). */
  async #run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#serialised(async () => {
        if (this.#broken) throw this.#broken;
        this.#check();
        return fn();
      });
    } catch (error) {
      const mapped = toStorageError(error, doing);
      if (isServerError(error)) this.#broken ??= mapped;
      throw mapped;
    }
  }

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(fn, fn);
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async #select(t: PgTable, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    await this.#settle(t);
    const order = orderOf(t, options);
    const client = this.#client!;
    if (!this.#updates.has(t.spec.name)) {
      const filter = filterOf(t, where);
      const { rows } = await client.query(
        named(`SELECT ${t.columnList} FROM ${t.qualified}${filter.sql}${order}`, filter.params),
      );
      return rows as Row[];
    }
    const shadow = shadowName(t);
    const a = filterOf(t, where);
    const b = filterOf(t, where, a.params.length + 1);
    const notShadowed = `${a.sql ? `${a.sql} AND` : ' WHERE'} "id" NOT IN (SELECT "id" FROM ${shadow})`;
    const sql =
      `SELECT * FROM (SELECT ${t.columnList} FROM ${t.qualified}${notShadowed} ` +
      `UNION ALL SELECT ${t.columnList} FROM ${shadow}${b.sql}) AS u${order}`;
    const { rows } = await client.query(sql, [...a.params, ...b.params]);
    return rows as Row[];
  }

  /** The block of `table` this unit reserved that holds `id`, if any (so no committed row can have that id). */
  #block(table: string, id: number): OwnBlock | undefined {
    const blocks = this.#allocated.get(table);
    if (!blocks) return undefined;
    // Newest first: a restore inserts mostly into its latest block.
    for (let i = blocks.length - 1; i >= 0; i--) {
      const block = blocks[i]!;
      if (id >= block.first && id <= block.last) return block;
    }
    return undefined;
  }

  #owns(table: string, id: number): boolean {
    return this.#block(table, id) !== undefined;
  }

  /** True when `id` is in one of the unit's blocks of `table` and the unit inserted it. */
  #inserted(table: string, id: number): boolean {
    const block = this.#block(table, id);
    if (!block?.inserted) return false;
    const bit = id - block.first;
    return (block.inserted[bit >> 3]! & (1 << (bit & 7))) !== 0;
  }

  #markInserted(table: string, id: number): void {
    const block = this.#block(table, id);
    if (!block) return;
    block.inserted ??= new Uint8Array(((block.last - block.first) >> 3) + 1);
    const bit = id - block.first;
    block.inserted[bit >> 3]! |= 1 << (bit & 7);
  }

  /** Turns a buffer's pending lines into one UTF-8 piece (a flat copy: the lines, built by concatenation, go). */
  #seal(buffer: Buffered): void {
    if (buffer.lines.length === 0) return;
    const piece = Buffer.from(buffer.lines.join(''), 'utf8');
    buffer.lines = [];
    buffer.chars = 0;
    buffer.pieces.push(piece);
  }

  /** The next id for a blob's chunks (the sequence is asked for {@link BLOB_IDS} at a time). */
  async #blobId(): Promise<number> {
    if (this.#blobIds.length === 0) {
      const { rows } = await this.#client!.query<{ id: string }>(
        `SELECT nextval(${this.#ctx.schema.sequenceLiteral('mbz_blob_chunks_blobid_seq')}) AS id FROM generate_series(1, ${BLOB_IDS})`,
      );
      this.#blobIds = rows.map((r) => Number(r.id)).reverse();
    }
    return this.#blobIds.pop()!;
  }

  /** Writes the largest buffer in the background (after the COPY already running, if any). */
  async #writeLargest(): Promise<void> {
    // One COPY in flight at most: wait for what the unit already sent before starting another.
    await this.#serial;
    if (this.#broken) throw this.#broken;
    let largest: string | undefined;
    let size = 0;
    for (const [name, buffer] of this.#buffers) {
      if (buffer.size > size) {
        size = buffer.size;
        largest = name;
      }
    }
    if (largest === undefined) return;
    const t = this.#ctx.schema.table(largest);
    this.#inBackground(`Inserting into ${largest}`, () => this.#flush(t));
  }

  /**
   * Runs `fn` after the unit's previous calls without waiting for it: the unit's next call waits instead (commit
   * too, even when it has begun meanwhile). Whatever goes wrong in it breaks the unit (rows or chunks are missing),
   * and the next call and commit report why. Skipped when the unit is broken or has ended by then.
   */
  #inBackground(doing: string, fn: () => Promise<unknown>): void {
    void this.#serialised(async () => {
      if (this.#broken || !this.#client) return;
      await fn();
    }).catch((error: unknown) => {
      this.#broken ??= toStorageError(error, doing);
    });
  }

  /** Writes a table's buffered rows with one COPY. */
  async #flush(t: PgTable): Promise<void> {
    const buffer = this.#buffers.get(t.spec.name);
    if (!buffer || buffer.size === 0) return;
    this.#seal(buffer);
    const pieces = buffer.pieces;
    this.#buffered -= buffer.size;
    this.#buffers.delete(t.spec.name);
    const copy = this.#client!.query(copyStreams.from(`COPY ${t.qualified} (${t.columnList}) FROM STDIN`));
    await pipeline(Readable.from(pieces), copy);
  }

  /** A table's buffered rows, then its collected updates, reach the server. */
  async #settle(t: PgTable): Promise<void> {
    await this.#flush(t);
    await this.#writeOwnUpdates(t);
  }

  async #settleAll(): Promise<void> {
    for (const name of [...this.#buffers.keys()].sort()) await this.#flush(this.#ctx.schema.table(name));
    for (const name of [...this.#ownUpdates.keys()].sort()) await this.#writeOwnUpdates(this.#ctx.schema.table(name));
  }

  /** The collected updates of `t`'s own rows: one `UPDATE … FROM unnest(…)` per set of columns (and per 5,000 rows). */
  async #writeOwnUpdates(t: PgTable): Promise<void> {
    const byId = this.#ownUpdates.get(t.spec.name);
    if (!byId) return;
    this.#ownUpdates.delete(t.spec.name);
    const groups = new Map<string, Array<[number, Row]>>();
    for (const [id, changes] of byId) {
      const names = Object.keys(changes);
      if (names.length === 0) continue;
      const key = names.sort().join(',');
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push([id, changes]);
    }
    for (const [key, group] of groups) {
      const names = key.split(',');
      const types = names.map((n) => `${columnType(t.byName.get(n)!.spec)}[]`);
      const sql =
        `UPDATE ${t.qualified} AS m SET ${names.map((n) => `${quote(n)} = v.${quote(n)}`).join(', ')} ` +
        `FROM unnest($1::bigint[], ${types.map((type, i) => `$${i + 2}::${type}`).join(', ')}) ` +
        `AS v("id", ${names.map(quote).join(', ')}) WHERE m."id" = v."id"`;
      for (let start = 0; start < group.length; start += UPDATE_BATCH) {
        const batch = group.slice(start, start + UPDATE_BATCH);
        const params: unknown[][] = [batch.map(([id]) => String(id))];
        for (const n of names) params.push(batch.map(([, changes]) => bindValue(changes[n])));
        const { rowCount } = await this.#client!.query(named(sql, params));
        if (rowCount !== batch.length)
          throw new StorageError(
            ErrorCode.StorageIo,
            `Updating ${t.spec.name}: ${batch.length - (rowCount ?? 0)} of the unit's own rows were not found.`,
          );
      }
    }
  }

  async #lock(): Promise<void> {
    if (this.#locked) return;
    await this.#client!.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.#ctx.commitLockKey]);
    this.#locked = true;
  }

  /** The shadow table of `t` (created on first use; dropped by the server at commit or rollback). */
  async #shadow(t: PgTable): Promise<string> {
    const name = shadowName(t);
    if (!this.#updates.has(t.spec.name)) {
      await this.#client!.query(
        `CREATE TEMPORARY TABLE IF NOT EXISTS ${name} (LIKE ${t.qualified} INCLUDING DEFAULTS) ON COMMIT DROP`,
      );
      this.#updates.set(t.spec.name, new Map());
    }
    return name;
  }

  /** The deferred updates of committed rows: only the changed columns, table by table in name order, under the commit lock. */
  async #writeUpdates(): Promise<void> {
    if (this.#updates.size === 0) return;
    await this.#lock();
    for (const name of [...this.#updates.keys()].sort()) {
      const t = this.#ctx.schema.table(name);
      const byColumns = new Map<string, number[]>();
      for (const [id, cols] of this.#updates.get(name)!) {
        const key = [...cols].sort().join(',');
        let ids = byColumns.get(key);
        if (!ids) byColumns.set(key, (ids = []));
        ids.push(id);
      }
      for (const [key, ids] of byColumns) {
        const set = key
          .split(',')
          .map((c) => `${quote(c)} = u.${quote(c)}`)
          .join(', ');
        await this.#client!.query(
          `UPDATE ${t.qualified} AS m SET ${set} FROM ${shadowName(t)} AS u WHERE u."id" = m."id" AND m."id" = ANY($1::bigint[])`,
          [ids.sort((x, y) => x - y).map(String)],
        );
      }
    }
  }

  /** The `mbz_blobs` rows of the unit's blobs; a blob another unit committed meanwhile keeps that unit's bytes. */
  async #writeBlobRows(): Promise<void> {
    if (this.#blobs.size === 0) return;
    const blobs = [...this.#blobs.values()];
    const now = Math.floor(Date.now() / 1000);
    const { rows } = await this.#client!.query<{ contenthash: string }>(
      `INSERT INTO ${this.#ctx.schema.own('mbz_blobs')} (contenthash, filesize, blobid, timecreated) ` +
        'SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::bigint[], $4::bigint[]) ' +
        'ON CONFLICT (contenthash) DO NOTHING RETURNING contenthash',
      [
        blobs.map((b) => b.hash),
        blobs.map((b) => String(b.size)),
        blobs.map((b) => (b.blobid === null ? null : String(b.blobid))),
        blobs.map(() => String(now)),
      ],
    );
    const won = new Set(rows.map((r) => r.contenthash));
    const lost = blobs.filter((b) => !won.has(b.hash));
    const chunks = lost.filter((b) => b.blobid !== null).map((b) => String(b.blobid));
    if (chunks.length > 0)
      await this.#client!.query(
        `DELETE FROM ${this.#ctx.schema.own('mbz_blob_chunks')} WHERE blobid = ANY($1::bigint[])`,
        [chunks],
      );
    // A lost filedir blob's temp file is not needed: the winner's file has the same bytes.
    await this.#ctx.blobs.discard(lost);
    for (const b of lost) this.#blobs.delete(b.hash);
  }

  /** Ends the transaction (ROLLBACK when `rollback`), returns the connection and forgets the unit. */
  async #end(rollback: boolean): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      await this.#serial;
      let healthy = true;
      if (rollback) await client.query('ROLLBACK').catch(() => (healthy = false));
      client.off('error', this.#onConnectionError);
      client.release(!healthy || this.#broken !== undefined);
      this.#onDone(this);
    }
    if (rollback) await this.#ctx.blobs.discard(this.#blobs.values()).catch(() => undefined);
    this.#blobs.clear();
  }

  #check(): void {
    if (this.#ctx.closed()) throw new StorageError(ErrorCode.StorageClosed, 'The PostgreSQL store is closed.');
    if (this.#status !== 'open')
      throw new StorageError(ErrorCode.StorageTransactionDone, `This unit of work is ${this.#status}.`);
  }
}

/**
 * A query as a named (server-side prepared) statement: a restore sends the same few selects thousands of times
 * (a context by level and instance, once per activity and block), and a prepared statement skips the parse and
 * plan of each. The name is the hash of the SQL, so a pooled connection reuses what an earlier unit prepared.
 */
function named(text: string, values: unknown[]): pg.QueryConfig {
  let name = STATEMENT_NAMES.get(text);
  if (name === undefined) {
    name = `mbz_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    STATEMENT_NAMES.set(text, name);
  }
  return { name, text, values };
}

const STATEMENT_NAMES = new Map<string, string>();

/** Characters of COPY lines joined into one buffered piece. */
const PIECE_CHARS = 16_384;

/** Blob ids taken from the sequence at once. */
const BLOB_IDS = 32;

/** Rows of one table whose collected updates are written at once. */
const OWN_UPDATES_MAX = 20_000;

/** Rows per `UPDATE … FROM unnest(…)`. */
const UPDATE_BATCH = 5_000;

/** The changes' values of `names`. */
function pick(changes: Row, names: readonly string[]): Row {
  const out: Row = {};
  for (const n of names) out[n] = changes[n] ?? null;
  return out;
}

function shadowName(t: PgTable): string {
  return `pg_temp.${quote(pgName(`mbz_upd_${t.tableName}`))}`;
}

/**
 * True for an error that leaves the transaction aborted: one the server reported (pg's DatabaseError carries a
 * `severity`) or a lost connection; false for one raised here before anything was sent (a bad argument, a blob
 * whose bytes do not match, a content stream that broke).
 */
function isServerError(error: unknown): boolean {
  if (error instanceof StorageError || error instanceof InvalidArgumentError) return false;
  if (typeof error !== 'object' || error === null) return false;
  return 'severity' in error || /Connection terminated|connection/i.test(String((error as Error).message));
}
