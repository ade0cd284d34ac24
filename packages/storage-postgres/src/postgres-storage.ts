/**
 * The PostgreSQL storage adapter: Moodle's tables (`mdl_course`, `mdl_user` …) in a PostgreSQL schema, typed and
 * indexed as Moodle's own PostgreSQL install makes them, ids from a sequence per table, blobs in the database (or a
 * shared filedir), jobs in `mdl_backup_controllers`. Durable and safe for several processes at once: each unit of
 * work is a PostgreSQL transaction (`postgres-transaction.ts`), ids come in contiguous blocks from the sequences,
 * and a killed process's unit is rolled back by the server.
 *
 * Two pools: the store's own (selects, counts, jobs, id blocks: short statements, autocommit) and one for units of
 * work, which hold a connection each from `begin()` to commit or rollback. Keeping them apart means an id block
 * never waits for a connection that a unit of work holds.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, InvalidArgumentError, StorageError } from '@mbz-restore/engine';
import type {
  JobStore,
  RestoreJobRecord,
  Row,
  SelectOptions,
  StorageAdapter,
  StorageOpenSpec,
  StorageTransaction,
  Where,
} from '@mbz-restore/engine';
import pg from 'pg';
import { BlobPlace, checkHash } from './blobs.ts';
import { filterOf, literal, orderOf, quote, Schema } from './ddl.ts';
import type { PgTable } from './ddl.ts';
import { toStorageError } from './errors.ts';
import { PgJobStore } from './job-store.ts';
import { migrate } from './migrate.ts';
import { PostgresTransaction } from './postgres-transaction.ts';
import type { UnitContext } from './postgres-transaction.ts';

/** Options of {@link createPostgresStorage}. Everything but `now` is plain data (see {@link StorageAdapter.workerOpenSpec}). */
export interface PostgresStorageOptions {
  /** `postgres://user@host:port/database` (any form `pg` accepts). */
  readonly connectionString: string;
  /** PostgreSQL schema of the tables; created when missing. Default is `public`. */
  readonly schema?: string;
  /** Moodle's table prefix. Default is `mdl_`. */
  readonly prefix?: string;
  /** Keep blob bytes in this shared folder (Moodle's filedir layout, `ab/cd/<sha1>`) instead of the database. */
  readonly filedir?: string;
  /** fsync each filedir blob before its unit commits. Default is true. */
  readonly syncBlobs?: boolean;
  /** Connections of the store's own pool (selects, jobs, id blocks). Default is 4. */
  readonly poolSize?: number;
  /** Most units of work open at once (one connection each); `begin()` waits beyond. Default is 16. */
  readonly maxUnits?: number;
  /**
   * Bytes of COPY data a unit of work buffers, all tables together, before it writes the largest table's rows
   * (in the background, one COPY at a time: a unit holds at most about twice this). Default is 4 MiB.
   */
  readonly bufferBytes?: number;
  /** The site identifier written when the store is created. Default is a new random one. */
  readonly siteidentifier?: string;
  /** `config.wwwroot` written when the store is created. Default is none. */
  readonly wwwroot?: string;
  /** Clock for the seed, Unix seconds. Default is the current time. */
  readonly now?: () => number;
}

/** Creates the adapter; nothing connects before {@link StorageAdapter.open}. */
export function createPostgresStorage(options: PostgresStorageOptions): StorageAdapter & JobStore {
  return new PostgresStorage(options);
}

/**
 * Values as the engine and the SQLite store have them: PostgreSQL's BIGINT (ids, Moodle's int10) and NUMERIC
 * come back as numbers, not strings (`pg` leaves them as strings since they may exceed 2^53; Moodle's ids and
 * times do not). SMALLINT, INTEGER and DOUBLE PRECISION are numbers already, text is text, BYTEA a Buffer.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function bufferBytesOf(value: number | undefined): number {
  if (value === undefined) return 4 << 20;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`bufferBytes must be a whole number of bytes ≥ 1, got ${String(value)}.`);
  return value;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

interface Opened {
  readonly pool: pg.Pool;
  readonly units: pg.Pool;
}

class PostgresStorage implements StorageAdapter, JobStore {
  readonly name = 'postgres';
  readonly capabilities = { durable: true, workerSafe: true } as const;
  readonly #options: PostgresStorageOptions;
  readonly #schema: Schema;
  readonly #blobs: BlobPlace;
  readonly #jobs: PgJobStore;
  readonly #unitContext: UnitContext;
  readonly #units = new Set<PostgresTransaction>();
  #opening: Promise<Opened> | undefined;
  #closed = false;

  constructor(options: PostgresStorageOptions) {
    if (typeof options.connectionString !== 'string' || options.connectionString === '')
      throw new InvalidArgumentError('createPostgresStorage needs a connectionString.');
    this.#options = options;
    this.#schema = new Schema({ schema: options.schema ?? 'public', prefix: options.prefix ?? 'mdl_' });
    this.#blobs = new BlobPlace(this.#schema, options.filedir, options.syncBlobs ?? true);
    this.#jobs = new PgJobStore(this.#schema, async () => (await this.#open()).pool);
    this.#unitContext = {
      schema: this.#schema,
      blobs: this.#blobs,
      bufferBytes: bufferBytesOf(options.bufferBytes),
      allocate: (table, count) => this.#allocate(table, count),
      committedBlob: (hash) => this.hasBlob(hash),
      commitLockKey: `mbz-restore commit ${this.#schema.naming.schema}.${this.#schema.naming.prefix}`,
      closed: () => this.#closed,
    };
  }

  workerOpenSpec(): StorageOpenSpec {
    const { now: _n, ...plain } = this.#options;
    return { module: '@mbz-restore/storage-postgres', factory: 'createPostgresStorage', options: { ...plain } };
  }

  async open(): Promise<void> {
    await this.#open();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opened = await this.#opening?.catch(() => undefined);
    for (const unit of [...this.#units]) await unit.abandon().catch(() => undefined);
    await opened?.units.end();
    await opened?.pool.end();
  }

  async begin(): Promise<StorageTransaction> {
    const { units } = await this.#open();
    const unit = await PostgresTransaction.begin(this.#unitContext, units, (u) => this.#units.delete(u));
    if (this.#closed) {
      await unit.abandon();
      throw new StorageError(ErrorCode.StorageClosed, 'The PostgreSQL store is closed.');
    }
    this.#units.add(unit);
    return unit;
  }

  async select(table: string, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    const { pool } = await this.#open();
    const t = this.#schema.table(table);
    const filter = filterOf(t, where);
    const sql = `SELECT ${t.columnList} FROM ${t.qualified}${filter.sql}${orderOf(t, options)}`;
    const { rows } = await pool.query(sql, filter.params).catch((error: unknown) => {
      throw toStorageError(error, `Selecting from ${table}`);
    });
    return rows as Row[];
  }

  async count(table: string, where?: Where): Promise<number> {
    const { pool } = await this.#open();
    const t = this.#schema.table(table);
    const filter = filterOf(t, where);
    const { rows } = await pool
      .query<{ n: number }>(`SELECT count(*) AS n FROM ${t.qualified}${filter.sql}`, filter.params)
      .catch((error: unknown) => {
        throw toStorageError(error, `Counting ${table}`);
      });
    return rows[0]!.n;
  }

  async tables(): Promise<string[]> {
    const { pool } = await this.#open();
    const parts = Array.from(
      this.#schema.all(),
      (t) => `SELECT ${literal(t.spec.name)} AS name WHERE EXISTS (SELECT 1 FROM ${t.qualified})`,
    );
    const { rows } = await pool.query<{ name: string }>(parts.join(' UNION ALL ')).catch((error: unknown) => {
      throw toStorageError(error, 'Listing tables');
    });
    return rows.map((r) => r.name).sort();
  }

  async hasBlob(contenthash: string): Promise<boolean> {
    const { pool } = await this.#open();
    checkHash(contenthash);
    const { rowCount } = await pool.query(`SELECT 1 FROM ${this.#schema.own('mbz_blobs')} WHERE contenthash = $1`, [
      contenthash,
    ]);
    return rowCount !== 0;
  }

  async readBlob(contenthash: string): Promise<Readable | undefined> {
    const { pool } = await this.#open();
    checkHash(contenthash);
    return this.#blobs.open(pool, contenthash).catch((error: unknown) => {
      throw toStorageError(error, `Reading blob ${contenthash}`);
    });
  }

  async listBlobs(): Promise<string[]> {
    const { pool } = await this.#open();
    const { rows } = await pool.query<{ contenthash: string }>(
      `SELECT contenthash FROM ${this.#schema.own('mbz_blobs')} ORDER BY contenthash COLLATE "C"`,
    );
    return rows.map((r) => r.contenthash);
  }

  async putJob(job: RestoreJobRecord): Promise<void> {
    await this.#open();
    return this.#jobs.putJob(job);
  }

  async getJob(restoreid: string): Promise<RestoreJobRecord | undefined> {
    await this.#open();
    return this.#jobs.getJob(restoreid);
  }

  async listJobs(): Promise<RestoreJobRecord[]> {
    await this.#open();
    return this.#jobs.listJobs();
  }

  /**
   * Reserves `count` consecutive ids of `table` from its sequence, in a short transaction of its own on the
   * store's pool: `ALTER SEQUENCE … INCREMENT BY count` (which makes every other nextval of that sequence wait
   * the millisecond until this commits), one nextval, and the increment back to 1, sent as one statement list
   * (an implicit transaction: all or nothing). A sequence never used yet hands out its start value on its first
   * nextval whatever the increment: then setval reserves the block instead.
   */
  async #allocate(table: PgTable, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1)
      throw new InvalidArgumentError(`allocateIds: count must be a positive integer, got ${count}.`);
    const { pool } = await this.#open();
    const seq = this.#schema.sequenceLiteral(table);
    const qualified = `${quote(this.#schema.naming.schema)}.${quote(table.sequence)}`;
    try {
      if (count === 1) {
        const { rows } = await pool.query<{ first: number }>(`SELECT nextval(${seq}) AS first`);
        return Number(rows[0]!.first);
      }
      const results = (await pool.query(
        `ALTER SEQUENCE ${qualified} INCREMENT BY ${count};\n` +
          `SELECT CASE WHEN is_called THEN nextval(${seq}) - ${count - 1} ELSE setval(${seq}, last_value + ${count - 1}) - ${count - 1} END AS first FROM ${qualified};\n` +
          `ALTER SEQUENCE ${qualified} INCREMENT BY 1`,
      )) as unknown as pg.QueryResult[];
      return Number((results[1]!.rows[0] as { first: number }).first);
    } catch (error) {
      throw toStorageError(error, `Reserving ${count} ids of ${table.spec.name}`);
    }
  }

  /** Opens once; a failed open is retried by the next call. */
  #open(): Promise<Opened> {
    if (this.#closed)
      return Promise.reject(new StorageError(ErrorCode.StorageClosed, 'The PostgreSQL store is closed.'));
    this.#opening ??= this.#doOpen().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #doOpen(): Promise<Opened> {
    const o = this.#options;
    const base = { connectionString: o.connectionString, types: TYPES, application_name: 'mbz-restore' };
    const pool = new pg.Pool({ ...base, max: o.poolSize ?? 4 });
    const units = new pg.Pool({ ...base, max: o.maxUnits ?? 16 });
    // An idle connection that breaks (server restart) must not crash the process.
    pool.on('error', () => undefined);
    units.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migrate(client, this.#schema, {
          now: o.now?.() ?? Math.floor(Date.now() / 1000),
          ...(o.siteidentifier === undefined ? {} : { siteidentifier: o.siteidentifier }),
          ...(o.wwwroot === undefined ? {} : { wwwroot: o.wwwroot }),
        });
      } finally {
        client.release();
      }
      return { pool, units };
    } catch (error) {
      await units.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw toStorageError(
        error,
        `Opening the PostgreSQL store (${this.#schema.naming.schema}.${this.#schema.naming.prefix}*)`,
      );
    }
  }
}
