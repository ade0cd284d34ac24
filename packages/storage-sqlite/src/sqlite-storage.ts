/**
 * The SQLite storage adapter: one database file with Moodle's tables (`mdl_course`, `mdl_user` …) that any
 * SQLite tool can read, blobs in a content-addressed folder next to it, jobs in `mdl_backup_controllers`.
 * Durable, and safe to open from several threads or processes at once: units of work write into staging
 * databases of their own and merge at commit (`sqlite-transaction.ts`), ids come from a shared sequence
 * table, and `open()` recovers what a crash left behind (`recovery.ts`).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createSiteIdentifier, createSiteSeed, ErrorCode, jobToRow, rowToJob, StorageError } from '@mbz-restore/engine';
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
import { BlobStore, checkHash } from './blob-store.ts';
import { recover } from './recovery.ts';
import { allTables, quote, sqlTable } from './schema/ddl.ts';
import { checkSchema, freshSpecOrderTables, migrate } from './schema/migrations.ts';
import { filterOf, orderOf, writeTransaction } from './sql.ts';
import { loadBetterSqlite3, StatementCache, toStorageError } from './sqlite-database.ts';
import type { SqliteDatabase, SqliteDriver } from './sqlite-database.ts';
import { SqliteTransaction } from './sqlite-transaction.ts';
import { configureMain, reserveIds } from './store-context.ts';
import type { StoreContext } from './store-context.ts';

/** Page cache of each connection, in MiB, unless the options say otherwise. */
const DEFAULT_CACHE_MIB = 8;

/** Options of {@link createSqliteStorage}. Everything but `driver` and `now` is plain data (see {@link StorageAdapter.workerOpenSpec}). */
export interface SqliteStorageOptions {
  /** The database file; created with its folder when missing. */
  readonly path: string;
  /** Folder of the blobs. Default is `<path>.blobs`. */
  readonly blobDir?: string;
  /** How long a write waits for another process's write to finish, in ms. Default is 30000. */
  readonly busyTimeoutMs?: number;
  /** SQLite page cache per connection, in MiB. Default is 8 (a larger cache barely speeds up index builds and a restore holds two connections, three with a worker). */
  readonly cacheSizeMiB?: number;
  /** fsync every blob file before its unit may commit. Default is true. */
  readonly syncBlobs?: boolean;
  /** A unit bringing at least this many rows to a table (and at least as many as it holds) rebuilds its indexes at merge. Default is 10000. */
  readonly indexRebuildThreshold?: number;
  /** The site identifier written when the store is created. Default is a new random one. */
  readonly siteidentifier?: string;
  /** `config.wwwroot` written when the store is created. Default is none. */
  readonly wwwroot?: string;
  /** Clock for the seed, Unix seconds. Default is the current time. */
  readonly now?: () => number;
  /** Opens connections. Default is better-sqlite3. */
  readonly driver?: SqliteDriver;
}

/** Creates the adapter; nothing touches the disk before {@link StorageAdapter.open}. */
export function createSqliteStorage(options: SqliteStorageOptions): StorageAdapter & JobStore {
  return new SqliteStorage(options);
}

class SqliteStorage implements StorageAdapter, JobStore {
  readonly name = 'sqlite';
  readonly capabilities = { durable: true, workerSafe: true } as const;
  readonly #options: SqliteStorageOptions;
  readonly #path: string;
  readonly #blobDir: string;
  readonly #units = new Set<SqliteTransaction>();
  #opening: Promise<StoreContext> | undefined;
  #closed = false;

  constructor(options: SqliteStorageOptions) {
    this.#options = options;
    this.#path = resolve(options.path);
    this.#blobDir = resolve(options.blobDir ?? `${this.#path}.blobs`);
  }

  workerOpenSpec(): StorageOpenSpec {
    const { path: _p, blobDir: _b, driver: _d, now: _n, ...plain } = this.#options;
    return {
      module: '@mbz-restore/storage-sqlite',
      factory: 'createSqliteStorage',
      options: { ...plain, path: this.#path, blobDir: this.#blobDir },
    };
  }

  async open(): Promise<void> {
    await this.#open();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const ctx = await this.#opening?.catch(() => undefined);
    for (const unit of [...this.#units]) await unit.abandon();
    ctx?.db.close();
  }

  async begin(): Promise<StorageTransaction> {
    const ctx = await this.#open();
    const unit = SqliteTransaction.begin(ctx, (u) => this.#units.delete(u));
    this.#units.add(unit);
    return unit;
  }

  async select(table: string, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    const ctx = await this.#open();
    const t = sqlTable(table);
    const filter = filterOf(t, where);
    const sql = `SELECT ${t.columnList} FROM main.${quote(t.sqlName)}${filter.sql}${orderOf(t, options)}`;
    return this.#read(() => ctx.statements.get(sql).all(...filter.params) as Row[], `Selecting from ${table}`);
  }

  async count(table: string, where?: Where): Promise<number> {
    const ctx = await this.#open();
    const t = sqlTable(table);
    const filter = filterOf(t, where);
    const sql = `SELECT count(*) AS n FROM main.${quote(t.sqlName)}${filter.sql}`;
    return this.#read(() => (ctx.statements.get(sql).get(...filter.params) as { n: number }).n, `Counting ${table}`);
  }

  async tables(): Promise<string[]> {
    const ctx = await this.#open();
    const names: string[] = [];
    for (const t of allTables()) {
      if (ctx.statements.get(`SELECT 1 FROM main.${quote(t.sqlName)} LIMIT 1`).get() !== undefined)
        names.push(t.spec.name);
    }
    return names.sort();
  }

  async hasBlob(contenthash: string): Promise<boolean> {
    const ctx = await this.#open();
    checkHash(contenthash);
    return ctx.statements.get('SELECT 1 FROM main.mbz_blobs WHERE contenthash = ?').get(contenthash) !== undefined;
  }

  async readBlob(contenthash: string): Promise<Readable | undefined> {
    const ctx = await this.#open();
    checkHash(contenthash);
    const final = await ctx.blobs.openAt(ctx.blobs.finalPath(contenthash));
    if (final) return final;
    // Committed but not moved yet (a commit in progress, or a crash before recovery): read it from staging.
    const pending = ctx.statements
      .get('SELECT unitid FROM main.mbz_pending_blobs WHERE contenthash = ?')
      .all(contenthash) as Array<{ unitid: string }>;
    for (const { unitid } of pending) {
      const staged = await ctx.blobs.openAt(join(ctx.blobs.stagingDir(unitid), contenthash));
      if (staged) return staged;
    }
    return ctx.blobs.openAt(ctx.blobs.finalPath(contenthash));
  }

  async listBlobs(): Promise<string[]> {
    const ctx = await this.#open();
    return (
      ctx.statements.get('SELECT contenthash FROM main.mbz_blobs ORDER BY contenthash').all() as Array<{
        contenthash: string;
      }>
    ).map((r) => r.contenthash);
  }

  async putJob(job: RestoreJobRecord): Promise<void> {
    const ctx = await this.#open();
    const table = sqlTable('backup_controllers');
    const row = jobToRow(job);
    const names = Object.keys(row);
    const upsert =
      `INSERT INTO main."mdl_backup_controllers" ("id", ${names.map(quote).join(', ')}) VALUES (@id, ${names.map((n) => `@${n}`).join(', ')}) ` +
      `ON CONFLICT ("backupid") DO UPDATE SET ${names.map((n) => `${quote(n)} = excluded.${quote(n)}`).join(', ')}`;
    await writeTransaction(ctx.db, ctx.busyTimeoutMs, () => {
      const existing = ctx.statements
        .get('SELECT "id" FROM main."mdl_backup_controllers" WHERE "backupid" = ?')
        .get(job.restoreid) as { id: number } | undefined;
      ctx.statements.get(upsert).run({ ...row, id: existing?.id ?? reserveIds(ctx, table, 1) });
    }).catch((error: unknown) => {
      throw toStorageError(error, `Saving job ${job.restoreid}`);
    });
  }

  async getJob(restoreid: string): Promise<RestoreJobRecord | undefined> {
    const ctx = await this.#open();
    const row = ctx.statements
      .get(`SELECT * FROM main."mdl_backup_controllers" WHERE "backupid" = ? AND "operation" = 'restore'`)
      .get(restoreid);
    return row === undefined ? undefined : rowToJob(row as Row);
  }

  async listJobs(): Promise<RestoreJobRecord[]> {
    const ctx = await this.#open();
    const rows = ctx.statements
      .get(`SELECT * FROM main."mdl_backup_controllers" WHERE "operation" = 'restore' ORDER BY "id"`)
      .all() as Row[];
    return rows.map(rowToJob).sort((a, b) => a.timecreated - b.timecreated);
  }

  /** Opens once; a failed open is retried by the next call. */
  #open(): Promise<StoreContext> {
    if (this.#closed) return Promise.reject(new StorageError(ErrorCode.StorageClosed, 'The SQLite store is closed.'));
    this.#opening ??= this.#doOpen().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #doOpen(): Promise<StoreContext> {
    const o = this.#options;
    const driver = o.driver ?? (await loadBetterSqlite3());
    mkdirSync(dirname(this.#path), { recursive: true });
    mkdirSync(this.#blobDir, { recursive: true });
    mkdirSync(`${this.#path}.staging`, { recursive: true });
    let db: SqliteDatabase | undefined;
    try {
      db = driver(this.#path);
      configureMain(db, o.cacheSizeMiB ?? DEFAULT_CACHE_MIB);
      const main = db;
      const statements = new StatementCache(main);
      const now = o.now?.() ?? Math.floor(Date.now() / 1000);
      const busyTimeoutMs = o.busyTimeoutMs ?? 30_000;
      // A store this open created has just been made from MOODLE_TABLES: checkSchema has nothing to find.
      let created = false;
      await writeTransaction(main, busyTimeoutMs, () => {
        created = migrate(main, now).created;
        seedIfNew(main, statements, {
          now,
          ...(o.siteidentifier === undefined ? {} : { siteidentifier: o.siteidentifier }),
          ...(o.wwwroot === undefined ? {} : { wwwroot: o.wwwroot }),
        });
      });
      const ctx: StoreContext = {
        path: this.#path,
        stagingDir: `${this.#path}.staging`,
        blobs: new BlobStore(this.#blobDir, o.syncBlobs ?? true),
        driver,
        db: main,
        statements,
        busyTimeoutMs,
        cacheSizeMiB: o.cacheSizeMiB ?? DEFAULT_CACHE_MIB,
        indexRebuildThreshold: o.indexRebuildThreshold ?? 10_000,
        specOrderTables: created ? freshSpecOrderTables() : checkSchema(main),
        closed: () => this.#closed,
      };
      await recover(ctx);
      return ctx;
    } catch (error) {
      db?.close();
      throw toStorageError(error, `Opening ${this.#path}`);
    }
  }

  #read<T>(fn: () => T, doing: string): T {
    try {
      return fn();
    } catch (error) {
      throw toStorageError(error, doing);
    }
  }
}

// Internal helpers

/** Writes the seed of a fresh site unless the store already has a site identifier. */
function seedIfNew(
  db: SqliteDatabase,
  statements: StatementCache,
  seed: { now: number; siteidentifier?: string; wwwroot?: string },
): void {
  if (db.prepare(`SELECT 1 FROM main."mdl_config" WHERE "name" = 'siteidentifier'`).get() !== undefined) return;
  const { now, wwwroot } = seed;
  const rows = createSiteSeed({
    now,
    siteidentifier: seed.siteidentifier ?? createSiteIdentifier(wwwroot),
    ...(wwwroot === undefined ? {} : { wwwroot }),
  });
  for (const [table, tableRows] of Object.entries(rows)) {
    const t = sqlTable(table);
    for (const row of tableRows) {
      const names = Object.keys(row);
      statements
        .get(
          `INSERT INTO main.${quote(t.sqlName)} (${names.map(quote).join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`,
        )
        .run(row);
    }
  }
}
