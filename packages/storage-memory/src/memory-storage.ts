/**
 * The reference storage adapter: every table is a `Map` from id to row, blobs and jobs are Maps too.
 * Nothing is durable and nothing is shared with another thread. Units of work are overlays
 * ({@link MemoryTransaction}); commit swaps the touched tables in one synchronous step, so it is atomic.
 */
import { Readable } from 'node:stream';
import { createSiteIdentifier, createSiteSeed, ErrorCode, StorageError } from '@mbz-restore/engine';
import type {
  JobStore,
  RestoreJobRecord,
  Row,
  SelectOptions,
  StorageAdapter,
  StorageTransaction,
  Where,
} from '@mbz-restore/engine';
import { MemoryTransaction } from './memory-transaction.ts';
import type { MemoryState } from './memory-transaction.ts';
import { completeRow, comparator, matcher, tableRules } from './table-rules.ts';

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** The site identifier of the store. Default is a new random one (as Moodle makes at install). */
  readonly siteidentifier?: string;
  /** The site URL stored in `config.wwwroot`. Default is none. */
  readonly wwwroot?: string;
  /** Clock for the seed's `time*` columns, Unix seconds. Default is the current time. */
  readonly now?: () => number;
}

/** Creates an empty in-memory store; {@link StorageAdapter.open} seeds it. */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter & JobStore {
  return new MemoryStorage(options);
}

class MemoryStorage implements StorageAdapter, JobStore {
  readonly name = 'memory';
  readonly capabilities = { durable: false, workerSafe: false } as const;
  readonly #options: MemoryStorageOptions;
  readonly #state: MemoryState = { tables: new Map(), nextIds: new Map(), blobs: new Map(), closed: false };
  readonly #jobs = new Map<string, RestoreJobRecord>();
  #opened = false;

  constructor(options: MemoryStorageOptions) {
    this.#options = options;
  }

  async open(): Promise<void> {
    this.#check();
    if (this.#opened) return;
    this.#opened = true;
    const now = this.#options.now?.() ?? Math.floor(Date.now() / 1000);
    const { wwwroot } = this.#options;
    const siteidentifier = this.#options.siteidentifier ?? createSiteIdentifier(wwwroot);
    const seed = createSiteSeed({ siteidentifier, now, ...(wwwroot === undefined ? {} : { wwwroot }) });
    for (const [table, rows] of Object.entries(seed)) {
      const rules = tableRules(table);
      this.#state.tables.set(table, new Map(rows.map((r) => [Number(r.id), completeRow(rules, r)])));
    }
  }

  async close(): Promise<void> {
    this.#state.closed = true;
  }

  async begin(): Promise<StorageTransaction> {
    await this.open();
    return new MemoryTransaction(this.#state);
  }

  async select(table: string, where?: Where, options: SelectOptions = {}): Promise<Row[]> {
    await this.open();
    const rules = tableRules(table);
    const match = matcher(rules, where);
    const rows = [...(this.#state.tables.get(table)?.values() ?? [])]
      .filter(match)
      .sort(comparator(rules, options.orderBy ?? 'id'));
    return (options.limit === undefined ? rows : rows.slice(0, options.limit)).map((r) => ({ ...r }));
  }

  async count(table: string, where?: Where): Promise<number> {
    return (await this.select(table, where)).length;
  }

  async tables(): Promise<string[]> {
    await this.open();
    return [...this.#state.tables]
      .filter(([, rows]) => rows.size > 0)
      .map(([name]) => name)
      .sort();
  }

  async hasBlob(contenthash: string): Promise<boolean> {
    await this.open();
    return this.#state.blobs.has(contenthash);
  }

  async readBlob(contenthash: string): Promise<Readable | undefined> {
    await this.open();
    const content = this.#state.blobs.get(contenthash);
    return content === undefined ? undefined : Readable.from([content]);
  }

  async listBlobs(): Promise<string[]> {
    await this.open();
    return [...this.#state.blobs.keys()].sort();
  }

  async putJob(job: RestoreJobRecord): Promise<void> {
    await this.open();
    this.#jobs.set(job.restoreid, structuredClone(job));
  }

  async getJob(restoreid: string): Promise<RestoreJobRecord | undefined> {
    await this.open();
    const job = this.#jobs.get(restoreid);
    return job === undefined ? undefined : structuredClone(job);
  }

  async listJobs(): Promise<RestoreJobRecord[]> {
    await this.open();
    return [...this.#jobs.values()].sort((a, b) => a.timecreated - b.timecreated).map((j) => structuredClone(j));
  }

  #check(): void {
    if (this.#state.closed) throw new StorageError(ErrorCode.StorageClosed, 'The memory store is closed.');
  }
}
