/**
 * The distributed job queue: pg-boss 10 on a PostgreSQL database (the one that holds the restored data, or any
 * other). Front ends enqueue; workers in any process on any host take jobs, first in, first out. The queue is
 * durable: waiting jobs live in the database, not in a process.
 *
 * pg-boss 10 has no heartbeat for running jobs: a job is `active` until completed, failed, or until its expiry
 * (`expire_in` after it started) passes, when pg-boss's maintenance hands it out again (`retry`) or, its retries used
 * up, marks it `failed`. So this queue does not use pg-boss's `work()` (which also waits a polling interval after
 * every job, about 4 jobs/s, and fails a job whose run outlives its expiry while the run goes on): each worker slot
 * runs its own loop of `fetch` → run → `complete`/`fail`, and while a run lasts it renews the job's lease every
 * `leaseSeconds / 3` by moving its expiry forward (`UPDATE <schema>.job SET expire_in …`, guarded by the attempt; 0
 * rows means the lease was lost and the job is not completed from here). A worker killed mid-restore stops renewing;
 * `leaseSeconds` later the next maintenance run (every `maintenanceIntervalSeconds`) hands the job out again, to any
 * worker, with `attempt` + 1, at most `retryLimit` times. That UPDATE and `withdraw`/`lost` read pg-boss's own job
 * table: they are written for pg-boss 10's schema (version 24), pinned in package.json and covered by the queue
 * contract tests, which run on a real PostgreSQL.
 *
 * Connections: pg-boss keeps its own small pool (`max`, default 4). When PostgreSQL goes away, `fetch` answers
 * nothing (pg-boss swallows the error), a failed lease renewal or `complete` is reported through `onError` and
 * never crashes the process, and the loops go on once the server is back.
 */
import { InvalidArgumentError, ErrorCode } from '@mbz-restore/engine';
import PgBoss from 'pg-boss';
import { RestoreServiceError } from '../service-error.ts';
import { DEFAULT_RETRY_LIMIT } from './job-queue.ts';
import type { JobQueue, JobWorker, LostJobVerdict, QueuedJob, QueueState } from './job-queue.ts';

/** Options of {@link createPgBossQueue}. */
export interface PgBossQueueOptions {
  /** PostgreSQL connection string, e.g. `postgres://user@host:5432/moodle`. */
  readonly connectionString: string;
  /** Schema pg-boss keeps its tables in. Default `mbz_pgboss`. */
  readonly schema?: string;
  /** Queue name. Default `mbz-restore`. */
  readonly queue?: string;
  /** Jobs this process runs at once; 0 makes it a front end that only enqueues. Default 1. */
  readonly concurrency?: number;
  /** Times a job is handed out again after its worker was lost. Default {@link DEFAULT_RETRY_LIMIT} (2). */
  readonly retryLimit?: number;
  /** Seconds a job stays with its worker without a lease renewal (renewed every third of it). Default 30. */
  readonly leaseSeconds?: number;
  /** Seconds between pg-boss maintenance runs, which hand out again jobs whose lease expired. Default 10. */
  readonly maintenanceIntervalSeconds?: number;
  /** Most time an idle worker slot waits before it asks the database again, in ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** Connections pg-boss may open. Default 4. */
  readonly max?: number;
  /** Told of errors the queue survives (a lost connection, a failed lease renewal). Default: ignored. */
  readonly onError?: (error: Error) => void;
}

/** Defaults of {@link PgBossQueueOptions}. */
export const PG_BOSS_DEFAULTS = {
  schema: 'mbz_pgboss',
  queue: 'mbz-restore',
  concurrency: 1,
  leaseSeconds: 30,
  maintenanceIntervalSeconds: 10,
  pollIntervalMs: 500,
  max: 4,
} as const;

/** A queue on pg-boss, started (its schema created or migrated, the queue created) and ready to enqueue. */
export async function createPgBossQueue(options: PgBossQueueOptions): Promise<JobQueue> {
  const queue = new PgBossQueue(options);
  await queue.start();
  return queue;
}

// Internal helpers

/** One job of pg-boss's table, as `fetch` returns it with its metadata. */
interface BossJob {
  readonly id: string;
  readonly data: QueuedJob;
  readonly retryCount: number;
}

class PgBossQueue implements JobQueue {
  readonly name = 'pg-boss';
  readonly durable = true;
  readonly #boss: PgBoss;
  readonly #schema: string;
  readonly #queue: string;
  readonly #concurrency: number;
  readonly #retryLimit: number;
  readonly #leaseSeconds: number;
  readonly #pollMs: number;
  readonly #onError: (error: Error) => void;
  /** Jobs handed out in this process and not settled, oldest first. */
  readonly #running: string[] = [];
  readonly #loops: Promise<void>[] = [];
  /** For each job running here, what frees its slot when the job is declared lost (its run is no longer awaited). */
  readonly #abandon = new Map<string, () => void>();
  /** Wakes the idle worker slots (a job was enqueued here, or the queue closes). */
  #wake: Array<() => void> = [];
  #idle: Array<() => void> = [];
  #stopped: Promise<void> | undefined;
  #closed = false;

  constructor(options: PgBossQueueOptions) {
    this.#schema = options.schema ?? PG_BOSS_DEFAULTS.schema;
    this.#queue = options.queue ?? PG_BOSS_DEFAULTS.queue;
    this.#concurrency = options.concurrency ?? PG_BOSS_DEFAULTS.concurrency;
    this.#retryLimit = options.retryLimit ?? DEFAULT_RETRY_LIMIT;
    this.#leaseSeconds = options.leaseSeconds ?? PG_BOSS_DEFAULTS.leaseSeconds;
    this.#pollMs = options.pollIntervalMs ?? PG_BOSS_DEFAULTS.pollIntervalMs;
    this.#onError = options.onError ?? (() => undefined);
    wholeAtLeast('concurrency', this.#concurrency, 0);
    wholeAtLeast('retryLimit', this.#retryLimit, 0);
    wholeAtLeast('leaseSeconds', this.#leaseSeconds, 3);
    wholeAtLeast('pollIntervalMs', this.#pollMs, 10);
    if (!/^[a-z_][a-z0-9_]*$/u.test(this.#schema))
      throw new InvalidArgumentError(`schema must be a plain PostgreSQL name (a-z, 0-9, _), got ${this.#schema}.`);
    this.#boss = new PgBoss({
      connectionString: options.connectionString,
      schema: this.#schema,
      application_name: 'mbz-restore queue',
      max: options.max ?? PG_BOSS_DEFAULTS.max,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? PG_BOSS_DEFAULTS.maintenanceIntervalSeconds,
      schedule: false,
    });
    // Without a listener an 'error' event would end the process (a lost connection during maintenance).
    this.#boss.on('error', (error: Error) => this.#onError(error));
  }

  async start(): Promise<void> {
    await this.#boss.start();
    const existing = await this.#boss.getQueue(this.#queue);
    const settings = {
      name: this.#queue,
      retryLimit: this.#retryLimit,
      retryDelay: 1,
      expireInSeconds: this.#leaseSeconds,
    };
    if (existing) await this.#boss.updateQueue(this.#queue, settings);
    else await this.#boss.createQueue(this.#queue, settings);
  }

  async enqueue(job: QueuedJob): Promise<void> {
    if (this.#closed)
      throw new RestoreServiceError(ErrorCode.ServiceClosed, 'The job queue is closed.', 'servicenotavailable');
    const id = await this.#boss.send(this.#queue, { ...job }, { id: jobId(job.restoreid) });
    if (id === null)
      throw new RestoreServiceError(
        ErrorCode.ServiceClosed,
        `The job queue already holds restore ${job.restoreid}.`,
        'servicenotavailable',
      );
    this.#wakeSlots();
  }

  async work(worker: JobWorker): Promise<void> {
    if (this.#loops.length > 0)
      throw new InvalidArgumentError('This pg-boss queue already hands its jobs to a worker.');
    for (let slot = 0; slot < this.#concurrency; slot++) this.#loops.push(this.#loop(worker));
  }

  async withdraw(restoreid: string): Promise<boolean> {
    const result = await this.#sql(
      `UPDATE ${this.#schema}.job SET state = 'cancelled', completed_on = now()
        WHERE name = $1 AND id = $2 AND state IN ('created', 'retry') RETURNING id`,
      [this.#queue, jobId(restoreid)],
    );
    return result.rows.length === 1;
  }

  async lost(restoreid: string): Promise<LostJobVerdict> {
    const id = jobId(restoreid);
    // A run of it here is no longer this queue's to wait for (its worker hangs, or took too long to prove alive).
    this.#abandon.get(restoreid)?.();
    let row = await this.#jobRow(id);
    if (row?.state === 'active') {
      // Its worker is gone: hand it out again now (while retries remain) rather than when its lease expires.
      await this.#boss.fail(this.#queue, id, { message: 'The worker running this restore was lost.' });
      row = await this.#jobRow(id);
    }
    if (!row) return { retry: false, attempts: 0 };
    const attempts = row.started ? row.retry_count + 1 : 0;
    return { retry: row.state === 'created' || row.state === 'retry', attempts };
  }

  async #jobRow(
    id: string,
  ): Promise<{ state: string; retry_count: number; retry_limit: number; started: boolean } | undefined> {
    const result = await this.#sql(
      `SELECT state, retry_count, retry_limit, started_on IS NOT NULL AS started FROM ${this.#schema}.job
        WHERE name = $1 AND id = $2
       UNION ALL
       SELECT state, retry_count, retry_limit, started_on IS NOT NULL FROM ${this.#schema}.archive
        WHERE name = $1 AND id = $2`,
      [this.#queue, id],
    );
    return result.rows[0] as { state: string; retry_count: number; retry_limit: number; started: boolean } | undefined;
  }

  state(): QueueState {
    return { concurrency: this.#concurrency, running: [...this.#running], queued: [] };
  }

  async onIdle(): Promise<void> {
    if (this.#running.length > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#closed) await this.#stop();
  }

  async close(): Promise<readonly string[]> {
    this.#closed = true;
    this.#wakeSlots();
    // Jobs running here still need the queue to complete them: pg-boss stops once they have settled.
    if (this.#running.length === 0) await this.#stop();
    return [];
  }

  /** One worker slot: take a job, run it with its lease renewed, settle it; sleep when there is none. */
  async #loop(worker: JobWorker): Promise<void> {
    while (!this.#closed) {
      let job: BossJob | undefined;
      try {
        [job] = (await this.#boss.fetch(this.#queue, { includeMetadata: true })) as unknown as BossJob[];
      } catch (error) {
        this.#onError(error as Error);
      }
      if (this.#closed && job) {
        // Taken as the queue closed: give it back untouched for another worker.
        await this.#release(job).catch((error: Error) => this.#onError(error));
        return;
      }
      if (!job) {
        await this.#sleep();
        continue;
      }
      await this.#runOne(worker, job);
    }
  }

  async #runOne(worker: JobWorker, job: BossJob): Promise<void> {
    const { restoreid } = job.data;
    this.#running.push(restoreid);
    let leaseLost = false;
    const renew = setInterval(
      () => {
        this.#renew(job).then(
          (held) => {
            leaseLost ||= !held;
          },
          (error: Error) => this.#onError(error),
        );
      },
      (this.#leaseSeconds * 1000) / 3,
    );
    let abandoned = false;
    const freed = new Promise<void>((resolve) =>
      this.#abandon.set(restoreid, () => {
        abandoned = true;
        resolve();
      }),
    );
    try {
      await Promise.race([worker.run({ ...job.data, attempt: job.retryCount + 1 }), freed]);
      clearInterval(renew);
      if (abandoned) return;
      // Complete only a job still ours: when the lease was lost, another worker may hold its next attempt.
      if (!leaseLost && (await this.#renew(job))) await this.#boss.complete(this.#queue, job.id);
    } catch (error) {
      clearInterval(renew);
      if (abandoned) return;
      await this.#boss
        .fail(this.#queue, job.id, { message: (error as Error)?.message ?? String(error) })
        .catch((failure: Error) => this.#onError(failure));
    } finally {
      clearInterval(renew);
      this.#abandon.delete(restoreid);
      this.#running.splice(this.#running.indexOf(restoreid), 1);
      if (this.#running.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
      if (this.#closed && this.#running.length === 0) void this.#stop();
    }
  }

  /** Moves the job's expiry `leaseSeconds` past now; false when the job is no longer this attempt's. */
  async #renew(job: BossJob): Promise<boolean> {
    const result = await this.#sql(
      `UPDATE ${this.#schema}.job SET expire_in = (now() - started_on) + make_interval(secs => $3)
        WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $4 RETURNING id`,
      [this.#queue, job.id, this.#leaseSeconds, job.retryCount],
    );
    return result.rows.length === 1;
  }

  /** Puts a job taken but not run back to wait, as if never fetched (this attempt does not count). */
  async #release(job: BossJob): Promise<void> {
    await this.#sql(
      `UPDATE ${this.#schema}.job SET state = CASE WHEN retry_count = $3 AND $3 = 0 THEN 'created' ELSE 'retry' END::${this.#schema}.job_state,
              started_on = CASE WHEN $3 = 0 THEN NULL ELSE started_on END,
              retry_count = CASE WHEN $3 = 0 THEN 0 ELSE retry_count - 1 END
        WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
      [this.#queue, job.id, job.retryCount],
    );
  }

  #sql(text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
    const db = this.#boss.getDb() as { executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }> };
    return db.executeSql(text, values);
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wake = this.#wake.filter((w) => w !== wake);
        resolve();
      };
      const timer = setTimeout(wake, this.#pollMs);
      this.#wake.push(wake);
    });
  }

  #wakeSlots(): void {
    for (const wake of [...this.#wake]) wake();
  }

  #stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all(this.#loops);
      await this.#boss.stop({ graceful: false, wait: true, close: true });
    })();
    return this.#stopped;
  }
}

/** pg-boss ids are UUIDs: a restore id (32 hex digits) written as one, so a restore is queued at most once. */
function jobId(restoreid: string): string {
  if (!/^[0-9a-f]{32}$/u.test(restoreid))
    throw new InvalidArgumentError(`A restore id is 32 hexadecimal digits, got ${restoreid}.`);
  return `${restoreid.slice(0, 8)}-${restoreid.slice(8, 12)}-${restoreid.slice(12, 16)}-${restoreid.slice(16, 20)}-${restoreid.slice(20)}`;
}

function wholeAtLeast(name: string, value: number, least: number): void {
  if (!Number.isSafeInteger(value) || value < least)
    throw new InvalidArgumentError(`${name} must be a whole number of at least ${least}, got ${value}.`);
}
