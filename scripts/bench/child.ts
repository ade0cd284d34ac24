/**
 * One measurement of `pnpm bench`, run in a fresh process so its peak RSS is its own. The parent bundles
 * this file to plain JavaScript (see `bundle.ts`) and runs `node child.mjs <mode> <json args>`; the child
 * prints one JSON line with its figures.
 *
 * Modes:
 * - `restore`: restores a backup through the public API into a fresh store (SQLite file or memory) and
 *   reports seconds, rows per table, blobs, peak RSS and the event-loop delay of this process's main thread
 *   while the restore ran (`perf_hooks.monitorEventLoopDelay`, less the monitor's own 10 ms period). With
 *   `service: true` the restore goes through the asynchronous restore service (off the main thread when the
 *   store allows it), timed from the request to the restore's end.
 * - `limit`: what the machine can do with the same file at best, the bench's baseline: stream the archive and
 *   tokenize every XML entry with the project's own reader, discarding the records (blobs are read and
 *   dropped), then insert `rows` rows into an empty SQLite table with one prepared statement in large
 *   transactions. Its seconds are `limitSeconds`.
 * - `batch` (`pnpm bench --adapter postgres`): the local-queue side of the queue comparison. Opens a PostgreSQL store,
 *   starts the restore service with its default local queue (`concurrency` restores at once, in worker threads) and
 *   asks it for `restores` restores of one backup, one request after another, as fast as they are accepted; the
 *   seconds run from the first request to the last restore's end (the latest `timefinished` of the job records).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { countRecords, openArchive, restore, type JobStore, type StorageAdapter } from '@mbz-restore/engine';
import { createRestoreService } from '@mbz-restore/service';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createPostgresStorage } from '@mbz-restore/storage-postgres';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';

/** Arguments of the `restore` mode. */
export interface RestoreArgs {
  file: string;
  adapter: 'sqlite' | 'memory';
  options: Record<string, number>;
  service?: boolean;
  /** Options of an untimed restore of the same backup first (`pnpm bench --adapter postgres`: its users only). */
  warmup?: Record<string, number>;
}

/** What the `restore` mode prints. */
export interface RestoreFigures {
  seconds: number;
  /** The restore's own seconds, as `restore()` (and the service's `completed` event) reports them. */
  restoreSeconds: number;
  counts: Record<string, number>;
  /** Seconds per stage (direct restores only). */
  stages: Record<string, number>;
  blobs: number;
  peakRssMB: number;
  eventLoopP50Ms: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
}

/** Arguments of the `batch` mode. */
export interface BatchArgs {
  file: string;
  connectionString: string;
  restores: number;
  concurrency: number;
  options: Record<string, number>;
  warmup?: Record<string, number>;
}

/** What the `batch` mode prints. */
export interface BatchFigures {
  seconds: number;
  restores: number;
  peakRssMB: number;
  cpuSeconds: number;
}

/** What the `limit` mode prints. */
export interface LimitFigures {
  seconds: number;
  readSeconds: number;
  insertSeconds: number;
  xmlBytes: number;
  totalBytes: number;
  peakRssMB: number;
}

/** Period of the event-loop delay monitor's timer, in ms. */
const LOOP_RESOLUTION_MS = 10;

const [mode, raw] = process.argv.slice(2);
const args = JSON.parse(raw ?? '{}') as Record<string, unknown>;
const out =
  mode === 'restore'
    ? await restoreMode(args as unknown as RestoreArgs)
    : mode === 'batch'
      ? await batchMode(args as unknown as BatchArgs)
      : await limitMode(args as { file: string; rows: number });
process.stdout.write(`${JSON.stringify(out)}\n`);

async function restoreMode(a: RestoreArgs): Promise<RestoreFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
  try {
    const storage: StorageAdapter & JobStore =
      a.adapter === 'sqlite' ? createSqliteStorage({ path: join(dir, 'bench.sqlite') }) : createMemoryStorage();
    await storage.open();
    if (a.warmup) await restore(a.file, { storage, options: a.warmup, tempDir: dir });
    const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    let counts: Record<string, number>;
    let stages: Record<string, number> = {};
    let seconds: number;
    let restoreSeconds: number;
    if (a.service) ({ counts, seconds, restoreSeconds } = await viaService(storage, a, dir, delay));
    else {
      const started = performance.now();
      delay.enable();
      const result = await restore(a.file, { storage, options: a.options, tempDir: dir });
      seconds = (performance.now() - started) / 1000;
      delay.disable();
      restoreSeconds = result.seconds;
      counts = result.counts;
      stages = Object.fromEntries(result.stages.map((s) => [s.name, Math.round(s.seconds * 1000) / 1000]));
    }
    const blobs = (await storage.listBlobs()).length;
    await storage.close();
    // The histogram holds the time between two ticks of its timer, which includes the timer's own period:
    // an idle loop reads ≈ LOOP_RESOLUTION_MS. The delay is what comes on top of it.
    const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
    return {
      seconds,
      restoreSeconds,
      counts,
      stages,
      blobs,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      eventLoopP50Ms: ms(delay.percentile(50)),
      eventLoopP99Ms: ms(delay.percentile(99)),
      eventLoopMaxMs: ms(delay.max),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Restores through the asynchronous service (a worker thread for SQLite) and returns the rows it added per table
 * and the seconds from the request (`restoreFile`) to the restore's end, what an application that runs the
 * service sees; the service's start and close and the row counts are outside that time (and outside `delay`).
 */
async function viaService(
  storage: StorageAdapter & JobStore,
  a: RestoreArgs,
  tempDir: string,
  delay: ReturnType<typeof monitorEventLoopDelay>,
): Promise<{ counts: Record<string, number>; seconds: number; restoreSeconds: number }> {
  const before = await tableCounts(storage);
  const service = await createRestoreService({ storage, concurrency: 1, tempDir });
  let seconds: number;
  let restoreSeconds = Number.NaN;
  service.on('completed', (event) => {
    restoreSeconds = event.seconds;
  });
  try {
    const started = performance.now();
    delay.enable();
    const { restoreid } = await service.restoreFile(a.file, { options: a.options });
    await service.onIdle();
    seconds = (performance.now() - started) / 1000;
    delay.disable();
    const detail = await service.getRestore(restoreid);
    if (detail.status !== 1000)
      throw new Error(`The restore ended ${detail.status}: ${detail.error?.code} ${detail.error?.message}`);
  } finally {
    await service.close({ wait: true });
  }
  const after = await tableCounts(storage);
  const counts = Object.fromEntries(
    Object.entries(after)
      .map(([table, n]) => [`mdl_${table}`, n - (before[table] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
  return { counts, seconds, restoreSeconds };
}

async function batchMode(a: BatchArgs): Promise<BatchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
  const storage = createPostgresStorage({ connectionString: a.connectionString });
  try {
    await storage.open();
    if (a.warmup) await restore(a.file, { storage, options: a.warmup, tempDir: dir });
    const service = await createRestoreService({ storage, concurrency: a.concurrency, tempDir: dir });
    const cpu = process.cpuUsage();
    const started = Date.now();
    try {
      for (let i = 0; i < a.restores; i++) await service.restoreFile(a.file, { options: a.options });
      await service.onIdle();
    } finally {
      await service.close({ wait: true });
    }
    const used = process.cpuUsage(cpu);
    const jobs = await storage.listJobs();
    const failed = jobs.filter((job) => job.status !== 1000);
    if (jobs.length !== a.restores || failed.length > 0)
      throw new Error(
        `${failed.length} of ${jobs.length} restores did not end 1000: ${JSON.stringify(failed[0]?.error)}`,
      );
    const finished = Math.max(...jobs.map((job) => Number(job.timefinished)));
    return {
      seconds: (finished - started) / 1000,
      restores: jobs.length,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      cpuSeconds: (used.user + used.system) / 1e6,
    };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function tableCounts(storage: StorageAdapter): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await storage.tables())
    if (table !== 'backup_controllers') counts[table] = await storage.count(table);
  return counts;
}

async function limitMode(a: { file: string; rows: number }): Promise<LimitFigures> {
  let started = performance.now();
  const archive = await openArchive(a.file);
  let xmlBytes = 0;
  let totalBytes = 0;
  for await (const entry of archive.entries()) {
    if (entry.type !== 'file') continue;
    totalBytes += entry.size;
    if (entry.name.endsWith('.xml')) {
      xmlBytes += entry.size;
      await countRecords(entry.open(), ['/mbz-bench-nothing']);
    } else {
      for await (const _chunk of entry.open()) {
        // read and drop
      }
    }
  }
  await archive.close();
  const readSeconds = (performance.now() - started) / 1000;
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
  try {
    const db = new Database(join(dir, 'limit.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    started = performance.now();
    const columns = Array.from({ length: 19 }, (_, i) => `c${i}`);
    db.exec(
      `CREATE TABLE t (id INTEGER PRIMARY KEY, ${columns.map((c, i) => `${c} ${i % 3 === 0 ? 'TEXT' : 'INTEGER'}`).join(', ')})`,
    );
    const insert = db.prepare(`INSERT INTO t VALUES (?, ${columns.map(() => '?').join(', ')})`);
    const values: (string | number)[] = new Array(20);
    const batch = db.transaction((from: number, to: number) => {
      for (let id = from; id < to; id++) {
        values[0] = id;
        for (let c = 1; c < 20; c++) values[c] = c % 3 === 1 ? `\\core\\event\\value_${id % 97}` : id * c;
        insert.run(values);
      }
    });
    for (let from = 1; from <= a.rows; from += 100_000) batch(from, Math.min(a.rows + 1, from + 100_000));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const insertSeconds = (performance.now() - started) / 1000;
    return {
      seconds: readSeconds + insertSeconds,
      readSeconds,
      insertSeconds,
      xmlBytes,
      totalBytes,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
