/**
 * The storage contract the engine writes a restore through. The engine owns this interface;
 * adapters (`@mbz-restore/storage-memory`, `@mbz-restore/storage-sqlite`, or a third one) only
 * implement it, and the contract suite in `@mbz-restore/storage-contract` checks that they do.
 *
 * Tables are named as in Moodle without prefix (`course`, `user`, `logstore_standard_log`); an adapter
 * may add one (SQLite adds `mdl_`). Columns are Moodle's (see `schema/moodle-schema.ts`).
 *
 * A restore is one unit of work ({@link StorageTransaction}): it commits whole or leaves nothing,
 * rows and blobs alike, and nobody else sees its rows before it commits. Units of work may run at the
 * same time (two restores into one store); each reserves row ids in blocks
 * ({@link StorageTransaction.allocateIds}) so their rows never collide, and rows can be written in
 * large batches without a round trip per row.
 *
 * Restore job records are not part of it: they are a `JobStore` (`job-store.ts`), which the adapters of this
 * project implement beside it (`StorageAdapter & JobStore`), so that a job's record lives in the store its course
 * goes into.
 */
import type { Readable } from 'node:stream';

/** A column value. Moodle's numeric columns are numbers here; text is string; SQL NULL is null. */
export type SqlValue = string | number | null;

/** A table row: column → value. */
export type Row = Record<string, SqlValue>;

/** Equality filter: every listed column must equal the value (`null` matches NULL). */
export type Where = Readonly<Record<string, SqlValue>>;

/** Options of a select. */
export interface SelectOptions {
  /** Column to order by, ascending. Default is `id`. */
  readonly orderBy?: string;
  /** Most rows to return. Default is no limit. */
  readonly limit?: number;
}

/** Capabilities that differ between adapters. Skips in the contract suite are driven by these, never by name. */
export interface StorageCapabilities {
  /** True when other processes opening the same store see its data (and its jobs, as a `JobStore`: SQLite file). Default is false. */
  readonly durable: boolean;
  /**
   * True when a worker thread can open its own handle on the store from {@link StorageAdapter.workerOpenSpec}
   * (the async service then restores off the main thread). Default is false.
   */
  readonly workerSafe: boolean;
}

/**
 * Plain, structured-cloneable data from which another thread or process opens its own handle on the same
 * store: `(await import(module))[factory](options)`.
 */
export interface StorageOpenSpec {
  /** Module to import, e.g. `@mbz-restore/storage-sqlite`. */
  readonly module: string;
  /** Named export of that module that takes `options` and returns a {@link StorageAdapter}, e.g. `createSqliteStorage`. */
  readonly factory: string;
  /** The factory's options (plain data only). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A store a restore writes into. */
export interface StorageAdapter {
  /** Short name for messages, e.g. `sqlite`. */
  readonly name: string;
  readonly capabilities: StorageCapabilities;
  /** How a worker opens the same store; present when {@link StorageCapabilities.workerSafe} is true. */
  workerOpenSpec?(): StorageOpenSpec;
  /**
   * Opens the store: creates or migrates the schema and seeds what a fresh Moodle holds (the site course,
   * category 1, the standard roles, the `guest` and `admin` users, the module list). Idempotent.
   */
  open(): Promise<void>;
  /** Releases resources. Further calls fail with `storage.closed`. */
  close(): Promise<void>;

  /** Starts the unit of work of one restore. */
  begin(): Promise<StorageTransaction>;

  /** Committed rows matching `where`. */
  select(table: string, where?: Where, options?: SelectOptions): Promise<Row[]>;
  /** Number of committed rows matching `where`. */
  count(table: string, where?: Where): Promise<number>;
  /** Names of the tables that hold at least one row (without prefix). */
  tables(): Promise<string[]>;

  /** True when a committed blob with this SHA-1 exists. */
  hasBlob(contenthash: string): Promise<boolean>;
  /** A committed blob's bytes, or `undefined`. */
  readBlob(contenthash: string): Promise<Readable | undefined>;
  /** SHA-1s of every committed blob. */
  listBlobs(): Promise<string[]>;
}

/** The unit of work of one restore: sees its own writes; {@link commit} makes them all visible, {@link rollback} drops them all. */
export interface StorageTransaction {
  /**
   * Reserves `count` consecutive ids of `table` for this unit of work and returns the first. Ids reserved
   * are never handed out again, even if the unit rolls back (gaps are fine, as in Moodle).
   */
  allocateIds(table: string, count: number): Promise<number>;
  /** Inserts rows; each carries its `id`. A call that fails (`storage.constraint`, …) keeps none of its rows. */
  insert(table: string, rows: readonly Row[]): Promise<void>;
  /** Updates the columns in `changes` of the row with this id; `input.invalid-argument` when there is no such row. */
  update(table: string, id: number, changes: Row): Promise<void>;
  /** Rows matching `where`, committed and this unit's own. */
  select(table: string, where?: Where, options?: SelectOptions): Promise<Row[]>;
  /**
   * Stores a blob under its SHA-1. The engine verifies the hash while `content` streams and destroys the
   * stream with an error on mismatch; the adapter must then keep nothing of it. Storing a hash that
   * already exists is a no-op that still consumes `content`.
   */
  putBlob(contenthash: string, content: Readable): Promise<void>;
  /**
   * Optional. Takes a private file whose content the engine has already verified to hash to `contenthash`
   * (a blob it unpacked from a tar.gz while hashing it) by moving it, instead of copying its bytes through
   * {@link putBlob}. True when the file now belongs to the unit (it is gone from `path`); false when the
   * adapter cannot move it (another filesystem, say) and the caller should use {@link putBlob}. Rollback
   * discards it like any blob of the unit.
   */
  adoptBlob?(contenthash: string, path: string): Promise<boolean>;
  /** True when the blob exists, committed or put by this unit. */
  hasBlob(contenthash: string): Promise<boolean>;
  /**
   * Optional. Serialises the final checks before commit with other units of work: the restore calls it right
   * before deciding the course's unique names (Moodle's "copy N" / "_N", `settleCourseNames`), and the lock it
   * takes is held until this unit commits or rolls back, so two restores committing at once cannot both pick
   * the same name. An adapter may leave it out (memory and SQLite do: the names are then decided without a
   * lock); the PostgreSQL adapter takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`).
   */
  lockForCommit?(): Promise<void>;
  /**
   * Makes every write visible at once. Fails with `storage.constraint` (and keeps nothing) when a row
   * breaks a unique index, e.g. a user another unit of work created meanwhile.
   */
  commit(): Promise<void>;
  /**
   * Drops every write of this unit, blobs included. A no-op on a unit already rolled back or whose commit
   * failed (it kept nothing), so `catch { await tx.rollback() }` is always safe; after a successful commit it
   * fails with `storage.transaction-done`.
   */
  rollback(): Promise<void>;
}
