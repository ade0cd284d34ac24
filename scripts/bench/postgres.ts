/**
 * `pnpm bench --adapter postgres`: restores into PostgreSQL as a scaled-out deployment runs them, against SQLite
 * measured in the same run. Each measurement gets a database of its own (`mbz_bench_<pid>_<n>`, dropped at the end)
 * on the server `--pg` (or `DATABASE_URL`) names; the role must be allowed to create databases. What runs the
 * restores is the built `mbz` bin (`pnpm build` first), as an administrator runs it:
 *
 * - **Workers** (per size, per worker count W): W `mbz worker --pg` processes wait on the store's pg-boss queue; the
 *   bench, as a front end (the restore service with a pg-boss queue that runs nothing here, what `mbz serve
 *   --workers 0` is), queues `restores` restores of the size's backup, all user data on. Seconds run from the first
 *   request to the last restore's end (latest `timefinished`); restores per hour follow. Each worker's peak RSS is
 *   its process's `VmHWM` (restore threads included), its CPU its `/proc/<pid>/stat` time during the run; PostgreSQL's
 *   CPU is that of the server's processes working for the run: the backends of the run's database, sampled every
 *   100 ms, and the server's background writers (checkpointer, WAL writer, background writer). `otherCpuSeconds` is
 *   the machine's busy CPU (`/proc/stat`) less those and the bench's own: other work on the machine meanwhile.
 *   `restoreSeconds` is the first restore's own time as its worker logs it; with one worker it ran alone, and
 *   `ratioToSqlite` compares it with the same backup restored into a fresh SQLite file through the service in a
 *   worker thread (the bench child's `restore` mode, its `restoreSeconds`).
 * - **Queue cost**: `batch` restores of the smallest size through `mbz serve --pg --workers 2` (jobs recorded and queued
 *   through the service API by the bench, taken from the pg-boss queue by the server's two in-process slots), against
 *   the same restores through the service with its default local queue (concurrency 2) in a child process, into
 *   PostgreSQL too. Restores per second of each, and the ratio pg-boss / local.
 * - **Queue throughput**: the pg-boss queue alone, jobs that do nothing: `send` one after another, then taken, run and
 *   completed with 1, 2 and 8 slots.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackupSize, GenerateResult } from '@mbz-restore/generator';
import { restore } from '@mbz-restore/engine';
import { createRestoreService, type JobQueue } from '@mbz-restore/service';
import { createPgBossQueue } from '@mbz-restore/service/pg-boss';
import { createPostgresStorage } from '@mbz-restore/storage-postgres';
import type { BatchFigures, RestoreFigures } from './child.ts';

/** One line per size and worker count. */
export interface PostgresRow {
  size: string;
  archiveBytes: number;
  workers: number;
  restores: number;
  /** From the first request to the last restore's end. */
  seconds: number;
  restoresPerHour: number;
  /** Rows the restores added, all tables together. */
  records: number;
  recordsPerSecond: number;
  /** The first restore's own seconds, as its worker logged it. */
  restoreSeconds: number;
  /** The same backup into a fresh SQLite file, in the same run. */
  sqliteSeconds: number;
  /** restoreSeconds / sqliteSeconds. */
  ratioToSqlite: number;
  /** The highest peak RSS of the worker processes; each in workerPeakRssMB. */
  peakRssMB: number;
  workerPeakRssMB: number[];
  workerCpuSeconds: number;
  postgresCpuSeconds: number;
  otherCpuSeconds: number;
  /** Most connections the worker processes held to the database at once (sampled every 100 ms). */
  workerConnections: number;
  /** 1-minute load average as the measurement started. */
  load: number;
}

/** Restores per second through the pg-boss queue (mbz serve) against the local queue. */
export interface QueueCostRow {
  queueCost: string;
  restores: number;
  concurrency: number;
  pgBoss: { seconds: number; restoresPerSecond: number; peakRssMB: number };
  local: { seconds: number; restoresPerSecond: number; peakRssMB: number };
  /** pgBoss.restoresPerSecond / local.restoresPerSecond. */
  ratio: number;
  load: number;
}

/** The pg-boss queue's own rate, with jobs that do nothing. */
export interface QueueThroughputRow {
  queueJobs: number;
  sendPerSecond: number;
  drain: Array<{ concurrency: number; jobsPerSecond: number }>;
}

/** What bench.ts hands over. */
export interface PostgresBenchContext {
  repo: string;
  child: string;
  server: string;
  sizes: BackupSize[];
  workers: number[];
  restores: number;
  batch: number;
  batchSize: BackupSize;
  queueJobs: number;
  runs: number;
  json: boolean;
  options: Record<string, number>;
  say(line: string): void;
  table(head: string[], body: string[][]): void;
  cachedBackup(size: BackupSize): Promise<GenerateResult>;
  runChild<T>(script: string, mode: string, args: unknown): Promise<T>;
}

/** Targets of the issue: PostgreSQL within 1.5× of SQLite on l, 256 MB per worker, the queue ≥ 0.8 of local. */
export const TARGETS = { ratioToSqlite: 1.5, peakRssMB: 256, queueRatio: 0.8 } as const;

/**
 * The untimed restore that opens every measurement, on SQLite as on PostgreSQL: the backup without its user data
 * (logs, grade history, completion, comments, enrolments), which creates its users (the backup's admin among them, met
 * as a file author in the activities). Restores of one backup share its users; two that create the same new users at
 * once clash at commit (`storage.constraint`, as Moodle's unique index would refuse the second), so each measurement
 * starts from a site that has them and every timed restore matches them, as restores of many courses into one site
 * mostly do.
 */
export const WARM_UP: Readonly<Record<string, number>> = {
  users: 1,
  enrolments: 0,
  role_assignments: 0,
  comments: 0,
  userscompletion: 0,
  logs: 0,
  grade_histories: 0,
};

/** Tables of the service, not of restores. */
const SERVICE_TABLES = new Set(['backup_controllers', 'external_tokens', 'mbz_token_restores']);
/** Server processes that write for every database. */
const BACKGROUND = new Set(['checkpointer', 'walwriter', 'background writer']);
const MiB = 1024 * 1024;

export async function runPostgresBench(ctx: PostgresBenchContext): Promise<void> {
  const bin = mbzBin(ctx.repo);
  const bench = new Bench(ctx, bin);
  await bench.connect();
  try {
    const rows: PostgresRow[] = [];
    for (const size of ctx.sizes) {
      const backup = await ctx.cachedBackup(size);
      const sqlite = await bench.repeat(() =>
        ctx.runChild<RestoreFigures>(ctx.child, 'restore', {
          file: backup.path,
          adapter: 'sqlite',
          options: ctx.options,
          service: true,
          warmup: WARM_UP,
        }),
      );
      for (const workers of ctx.workers) {
        const row = await bench.repeat(() => bench.workersRun(backup, workers, sqlite.restoreSeconds));
        rows.push(row);
        if (ctx.json) process.stdout.write(`${JSON.stringify(row)}\n`);
      }
    }
    if (!ctx.json && rows.length > 0) printWorkers(ctx, rows);

    const small = await ctx.cachedBackup(ctx.batchSize);
    const cost = await bench.queueCost(small);
    if (ctx.json) process.stdout.write(`${JSON.stringify(cost)}\n`);
    else printQueueCost(ctx, cost);

    const throughput = await bench.queueThroughput();
    if (ctx.json) process.stdout.write(`${JSON.stringify(throughput)}\n`);
    else printThroughput(ctx, throughput);
  } finally {
    await bench.end();
  }
}

// Internal helpers

/** A started `mbz` process and the JSON lines it logged. */
interface MbzProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<void>;
}

/** The minimum of pg's client the bench uses (pg is the PostgreSQL store's dependency, resolved from there). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}

class Bench {
  readonly #ctx: PostgresBenchContext;
  readonly #bin: string;
  readonly #admin: PgClient;
  readonly #databases: string[] = [];
  readonly #children = new Set<ChildProcess>();
  readonly #ticks: number;

  constructor(ctx: PostgresBenchContext, bin: string) {
    this.#ctx = ctx;
    this.#bin = bin;
    const pg = createRequire(join(ctx.repo, 'packages/storage-postgres/package.json'))('pg') as {
      Client: new (options: { connectionString: string }) => PgClient;
    };
    this.#admin = new pg.Client({ connectionString: ctx.server });
    this.#ticks = clockTicks();
    process.once('exit', () => {
      for (const child of this.#children) child.kill('SIGKILL');
    });
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
  }

  async end(): Promise<void> {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const name of this.#databases.splice(0))
      await this.#admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await this.#admin.end();
  }

  /** Runs a measurement `runs` times; the run of median seconds. */
  async repeat<T extends { seconds: number }>(measure: () => Promise<T>): Promise<T> {
    const results: T[] = [];
    for (let run = 0; run < this.#ctx.runs; run++) results.push(await measure());
    return [...results].sort((a, b) => a.seconds - b.seconds)[Math.floor(results.length / 2)]!;
  }

  /** `restores` restores of one backup queued for `workers` `mbz worker` processes, in a fresh database. */
  async workersRun(backup: GenerateResult, workers: number, sqliteSeconds: number): Promise<PostgresRow> {
    const { url, name } = await this.#freshDatabase();
    const load = loadavg()[0]!;
    const storage = createPostgresStorage({ connectionString: url });
    await storage.open();
    try {
      await restore(backup.path, { storage, options: WARM_UP });
      const before = await restoredCounts(storage);
      const queue = await createPgBossQueue({ connectionString: url, concurrency: 0 });
      const service = await createRestoreService({ storage, queue });
      const own = await this.#connections(name);
      const procs = await Promise.all(
        Array.from({ length: workers }, () => this.#start(['worker', '--pg', url], 'worker ready')),
      );
      const cpu = await this.#cpuWatch(name, procs);
      const started = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < this.#ctx.restores; i++)
        ids.push((await service.restoreFile(backup.path, { options: this.#ctx.options })).restoreid);
      const ended = (): Array<Record<string, unknown>> =>
        procs.flatMap((p) => p.lines.filter((l) => l.msg === 'restore completed' || l.msg === 'restore failed'));
      await until(() => ended().length >= ids.length, 3_600_000, 'the restores to end');
      const used = await cpu.stop();
      const peaks = procs.map((p) => peakRssMB(p.child.pid!));
      await service.close();
      await Promise.all(procs.map((p) => this.#stop(p)));
      const jobs = await Promise.all(ids.map((id) => storage.getJob(id)));
      const bad = jobs.find((job) => job?.status !== 1000);
      if (bad) throw new Error(`A restore ended ${bad.status}: ${JSON.stringify(bad.error)}`);
      const seconds = (Math.max(...jobs.map((job) => Number(job!.timefinished))) - started) / 1000;
      const after = await restoredCounts(storage);
      const records = Object.entries(after).reduce((n, [table, rows]) => n + rows - (before[table] ?? 0), 0);
      const first = ended().find((l) => l.restoreid === ids[0]);
      const restoreSeconds = Number(first?.seconds);
      return {
        size: backup.size,
        archiveBytes: backup.bytes,
        workers,
        restores: ids.length,
        seconds: round(seconds, 2),
        restoresPerHour: Math.round((ids.length / seconds) * 3600),
        records,
        recordsPerSecond: Math.round(records / seconds),
        restoreSeconds: round(restoreSeconds, 2),
        sqliteSeconds: round(sqliteSeconds, 2),
        ratioToSqlite: round(restoreSeconds / sqliteSeconds, 2),
        peakRssMB: Math.max(...peaks),
        workerPeakRssMB: peaks,
        workerCpuSeconds: round(used.workers, 1),
        postgresCpuSeconds: round(used.postgres, 1),
        otherCpuSeconds: round(used.other, 1),
        workerConnections: Math.max(0, used.connections - own),
        load: round(load, 2),
      };
    } finally {
      await storage.close();
      await this.#drop(name);
    }
  }

  /** `batch` restores through `mbz serve --pg --workers 2` against the local queue (concurrency 2), both into PostgreSQL. */
  async queueCost(backup: GenerateResult): Promise<QueueCostRow> {
    const load = loadavg()[0]!;
    const restores = this.#ctx.batch;
    const local = await this.repeat(async () => {
      const { url, name } = await this.#freshDatabase();
      try {
        return await this.#ctx.runChild<BatchFigures>(this.#ctx.child, 'batch', {
          file: backup.path,
          connectionString: url,
          restores,
          concurrency: 2,
          options: this.#ctx.options,
          warmup: WARM_UP,
        });
      } finally {
        await this.#drop(name);
      }
    });
    const pgBoss = await this.repeat(async () => {
      const { url, name } = await this.#freshDatabase();
      const storage = createPostgresStorage({ connectionString: url });
      await storage.open();
      let queue: JobQueue | undefined;
      try {
        await restore(backup.path, { storage, options: WARM_UP });
        queue = await createPgBossQueue({ connectionString: url, concurrency: 0 });
        const service = await createRestoreService({ storage, queue });
        const serve = await this.#start(['serve', '--pg', url, '--workers', '2', '--port', '0'], 'listening');
        const started = Date.now();
        for (let i = 0; i < restores; i++) await service.restoreFile(backup.path, { options: this.#ctx.options });
        // Two counts every 250 ms (cheap), not the job records: the poll must not take CPU from the restores.
        await until(
          async () =>
            (await storage.count('backup_controllers', { status: 1000 })) +
              (await storage.count('backup_controllers', { status: 900 })) >=
            restores,
          3_600_000,
          'the restores to end',
          250,
        );
        const jobs = await storage.listJobs();
        const peak = peakRssMB(serve.child.pid!);
        await service.close();
        await this.#stop(serve);
        const bad = jobs.find((job) => job.status !== 1000);
        if (bad || jobs.length !== restores)
          throw new Error(`${jobs.length} restores, one ended ${bad?.status}: ${JSON.stringify(bad?.error)}`);
        const finished = Math.max(...jobs.map((job) => Number(job.timefinished)));
        return { seconds: (finished - started) / 1000, restores, peakRssMB: peak };
      } finally {
        await storage.close();
        await this.#drop(name);
      }
    });
    const rate = (f: { seconds: number; peakRssMB: number }) => ({
      seconds: round(f.seconds, 2),
      restoresPerSecond: round(restores / f.seconds, 2),
      peakRssMB: f.peakRssMB,
    });
    return {
      queueCost: backup.size,
      restores,
      concurrency: 2,
      pgBoss: rate(pgBoss),
      local: rate(local),
      ratio: round(local.seconds / pgBoss.seconds, 2),
      load: round(load, 2),
    };
  }

  /** The pg-boss queue alone: `queueJobs` sends, then as many jobs that do nothing taken with 1, 2 and 8 slots. */
  async queueThroughput(): Promise<QueueThroughputRow> {
    const { url, name } = await this.#freshDatabase();
    const jobs = this.#ctx.queueJobs;
    const options = { connectionString: url, queue: 'mbz-bench' };
    const sender = await createPgBossQueue({ ...options, concurrency: 0 });
    const drain: QueueThroughputRow['drain'] = [];
    let sendSeconds = 0;
    try {
      for (const concurrency of [1, 2, 8]) {
        let started = performance.now();
        for (let i = 0; i < jobs; i++)
          await sender.enqueue({ restoreid: randomBytes(16).toString('hex'), path: '', categoryid: 1, options: {} });
        if (concurrency === 1) sendSeconds = (performance.now() - started) / 1000;
        const taker = await createPgBossQueue({ ...options, concurrency });
        let ran = 0;
        let done: () => void = () => undefined;
        const all = new Promise<void>((resolve) => (done = resolve));
        started = performance.now();
        await taker.work({
          run: async () => {
            if (++ran === jobs) done();
          },
        });
        await all;
        await taker.onIdle();
        drain.push({ concurrency, jobsPerSecond: Math.round(jobs / ((performance.now() - started) / 1000)) });
        await taker.close();
      }
    } finally {
      await sender.close();
      await this.#drop(name);
    }
    return { queueJobs: jobs, sendPerSecond: Math.round(jobs / sendSeconds), drain };
  }

  async #freshDatabase(): Promise<{ url: string; name: string }> {
    const name = `mbz_bench_${process.pid}_${this.#databases.length + 1}_${randomBytes(2).toString('hex')}`;
    await this.#admin.query(`CREATE DATABASE ${name}`);
    this.#databases.push(name);
    const url = new URL(this.#ctx.server);
    url.pathname = `/${name}`;
    return { url: url.toString(), name };
  }

  /** Client connections to database `name` now. */
  async #connections(name: string): Promise<number> {
    const { rows } = await this.#admin.query(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
      [name],
    );
    return Number(rows[0]!.n);
  }

  async #drop(name: string): Promise<void> {
    await this.#admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    this.#databases.splice(this.#databases.indexOf(name), 1);
  }

  /** Starts `mbz <args>` (the built bin, without the workspace's source condition); resolves once it logged `ready`. */
  async #start(args: string[], ready: string): Promise<MbzProcess> {
    const nodeOptions = (process.env.NODE_OPTIONS ?? '').replace(/--conditions=source/g, '').trim();
    const { DATABASE_URL: _, ...env } = process.env;
    const child = spawn(process.execPath, [this.#bin, ...args], {
      cwd: this.#ctx.repo,
      env: { ...env, NODE_OPTIONS: nodeOptions },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.add(child);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        this.#children.delete(child);
        resolve();
      }),
    );
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          lines.push(entry);
          if (entry.msg === ready) resolve();
        } catch {
          // not a log line
        }
      });
      void exited.then(() => reject(new Error(`mbz ${args[0]} exited before "${ready}": ${stderr}`)));
    });
    return { child, lines, exited };
  }

  async #stop(proc: MbzProcess): Promise<void> {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }

  /**
   * CPU seconds from now to `stop()`: of the `mbz` processes, of the server's processes working for database `name`
   * (its backends, sampled every 100 ms so those that end are counted up to their last sample, and the background
   * writers), and of everything else on the machine.
   */
  async #cpuWatch(
    name: string,
    procs: MbzProcess[],
  ): Promise<{ stop(): Promise<{ workers: number; postgres: number; other: number; connections: number }> }> {
    const ticks = this.#ticks;
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    let connections = 0;
    let busy = false;
    const sample = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const { rows } = await this.#admin.query(
          'SELECT pid, backend_type, datname FROM pg_stat_activity WHERE pid <> pg_backend_pid()',
        );
        connections = Math.max(
          connections,
          rows.filter((row) => row.datname === name && row.backend_type === 'client backend').length,
        );
        for (const row of rows) {
          if (row.datname !== name && !BACKGROUND.has(String(row.backend_type))) continue;
          const pid = Number(row.pid);
          const used = processTicks(pid);
          if (used === undefined) continue;
          if (!last.has(pid)) first.set(pid, initial ? used : 0);
          last.set(pid, used);
        }
      } finally {
        busy = false;
      }
    };
    let initial = true;
    await sample();
    initial = false;
    const workers0 = procs.map((p) => processTicks(p.child.pid!) ?? 0);
    const machine0 = machineTicks();
    const self0 = process.cpuUsage();
    const timer = setInterval(() => void sample().catch(() => undefined), 100);
    return {
      async stop() {
        clearInterval(timer);
        while (busy) await new Promise((resolve) => setTimeout(resolve, 5));
        await sample();
        const workers = procs.reduce((n, p, i) => n + (processTicks(p.child.pid!) ?? 0) - workers0[i]!, 0) / ticks;
        let postgres = 0;
        for (const [pid, used] of last) postgres += used - (first.get(pid) ?? 0);
        postgres /= ticks;
        const self = process.cpuUsage(self0);
        const machine = (machineTicks() - machine0) / ticks;
        return {
          workers,
          postgres,
          other: Math.max(0, machine - workers - postgres - (self.user + self.system) / 1e6),
          connections,
        };
      },
    };
  }
}

/** Rows per table of a store, less the service's tables and the uploads' draft files. */
async function restoredCounts(storage: ReturnType<typeof createPostgresStorage>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await storage.tables())
    if (!SERVICE_TABLES.has(table)) counts[table] = await storage.count(table);
  return counts;
}

function mbzBin(repo: string): string {
  const cli = join(repo, 'packages', 'cli');
  const bin = (JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8')) as { bin: { mbz: string } }).bin.mbz;
  const path = join(cli, bin);
  if (!existsSync(path)) throw new Error(`No built mbz bin at ${path}: run pnpm build first.`);
  return path;
}

async function until(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** utime + stime of a process (all its threads), in clock ticks; undefined once it is gone. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy clock ticks of the whole machine (user + nice + system + irq + softirq, all cores). */
function machineTicks(): number {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return user! + nice! + system! + irq! + softirq!;
}

/** Peak resident set of a live process (VmHWM), in MB. */
function peakRssMB(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function printWorkers(ctx: PostgresBenchContext, rows: PostgresRow[]): void {
  ctx.say(
    `\nRestores into PostgreSQL through mbz worker processes (${rows[0]!.restores} restores queued per run; SQLite: the same backup in the same run):`,
  );
  ctx.table(
    [
      'size',
      'archive MB',
      'workers',
      'seconds',
      'restores/h',
      'rows/s',
      'restore s',
      'SQLite s',
      'PG/SQLite',
      'peak RSS MB/worker',
      'CPU s workers',
      'CPU s PostgreSQL',
      'other CPU s',
      'connections',
      'load',
    ],
    rows.map((r) =>
      [
        r.size,
        (r.archiveBytes / MiB).toFixed(1),
        r.workers,
        r.seconds.toFixed(2),
        r.restoresPerHour,
        r.recordsPerSecond,
        r.restoreSeconds.toFixed(2),
        r.sqliteSeconds.toFixed(2),
        `${r.ratioToSqlite.toFixed(2)}${r.size === 'l' && r.workers === 1 ? (r.ratioToSqlite <= TARGETS.ratioToSqlite ? ' ✓' : ' ✗') : ''}`,
        `${r.workerPeakRssMB.join(' / ')}${r.peakRssMB <= TARGETS.peakRssMB ? ' ✓' : ' ✗'}`,
        r.workerCpuSeconds.toFixed(1),
        r.postgresCpuSeconds.toFixed(1),
        r.otherCpuSeconds.toFixed(1),
        r.workerConnections,
        r.load.toFixed(2),
      ].map(String),
    ),
  );
  ctx.say(
    `targets: l with one worker within ${TARGETS.ratioToSqlite}× of SQLite; peak RSS ≤ ${TARGETS.peakRssMB} MB per worker`,
  );
}

function printQueueCost(ctx: PostgresBenchContext, r: QueueCostRow): void {
  ctx.say(`\nThe queue's cost: ${r.restores} ${r.queueCost} restores into PostgreSQL, ${r.concurrency} at once:`);
  ctx.table(
    ['queue', 'seconds', 'restores/s', 'peak RSS MB'],
    [
      ['mbz serve --pg --workers 2 (pg-boss)', r.pgBoss.seconds.toFixed(2), r.pgBoss.restoresPerSecond.toFixed(2)],
      ['local queue, concurrency 2', r.local.seconds.toFixed(2), r.local.restoresPerSecond.toFixed(2)],
    ].map((row, i) => [...row, String(i === 0 ? r.pgBoss.peakRssMB : r.local.peakRssMB)]),
  );
  ctx.say(
    `ratio pg-boss / local: ${r.ratio.toFixed(2)} (target ≥ ${TARGETS.queueRatio}${r.ratio >= TARGETS.queueRatio ? ' ✓' : ' ✗'}), load ${r.load.toFixed(2)}`,
  );
}

function printThroughput(ctx: PostgresBenchContext, r: QueueThroughputRow): void {
  ctx.say(`\nThe pg-boss queue alone, ${r.queueJobs} jobs that do nothing:`);
  ctx.table(
    ['step', 'jobs/s'],
    [
      ['send, one after another', String(r.sendPerSecond)],
      ...r.drain.map((d) => [
        `fetch, run, complete: ${d.concurrency} slot${d.concurrency > 1 ? 's' : ''}`,
        String(d.jobsPerSecond),
      ]),
    ],
  );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
