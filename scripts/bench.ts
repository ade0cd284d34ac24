/**
 * `pnpm bench`: restore speed against what the machine can do, and against Moodle.
 *
 * For each size (s, m, l, xl) it generates a backup with the project's generator (cached in `.cache/bench/`,
 * never committed), then, each in a fresh process (plain JavaScript bundled by `bench/bundle.ts`):
 * - restores it through the public API into a new SQLite store (or memory, `--adapter memory`), with all
 *   user data on: seconds, rows, blobs, peak RSS, event-loop delay of the host thread;
 * - measures the limit on the same file: stream the archive and tokenize every XML entry with the project's
 *   reader, plus insert as many rows into an empty SQLite table with one prepared statement in large
 *   transactions (`child.ts`, mode `limit`). `ratioToLimit` = restore seconds / limit seconds.
 * Restores go through the asynchronous restore service, as an application runs them (for SQLite the work
 * runs in a worker thread); `--direct` calls `restore()` on the main thread instead. For the largest size the
 * bench then restores once more the other way and prints the host's event-loop delay (p50/p99/max) both
 * ways: what an application embedding the service keeps, against what it would suffer with the work on its
 * own thread.
 * Then, when `../shared/fixtures/generated` is there, it restores each of those Moodle-made backups with
 * the options Moodle used and prints Moodle's own time beside ours: whole process, from spawn to exit,
 * restoring on the process's own thread as `mbz restore` does (Moodle's times are of its CLI restore).
 *
 * `--adapter postgres` measures a scaled-out deployment instead (`bench/postgres.ts`): sizes m and l restored into
 * PostgreSQL by 1 and 2 `mbz worker` processes (restores per hour, rows/s, peak RSS and CPU per worker, PostgreSQL's
 * CPU) beside the same backup's SQLite time in the same run, then the pg-boss queue's cost (`--batch` restores of
 * `--batch-size` through `mbz serve --pg --workers 2` against the local queue) and its own jobs/s.
 *
 * Usage: pnpm bench [--size s,m,l,xl] [--runs N] [--adapter sqlite|memory] [--json] [--profile] [--no-moodle] [--direct] [--no-loop]
 *        pnpm bench --adapter postgres [--pg URL] [--size m,l] [--workers 1,2] [--restores N] [--batch 200]
 *                   [--batch-size xs] [--queue-jobs 500] [--runs N] [--json]
 * `--json` prints one JSON object per size (and per Moodle backup, and the event-loop comparison) instead of tables;
 * with `--adapter postgres`, one per size and worker count, then the queue's cost and its throughput.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateBackup, isBackupSize, type BackupSize, type GenerateResult } from '@mbz-restore/generator';
import type { LimitFigures, RestoreFigures } from './bench/child.ts';
import { bundleChild } from './bench/bundle.ts';
import { runPostgresBench } from './bench/postgres.ts';

/** One line of the bench's JSON output. */
export interface BenchRow {
  size: string;
  archiveBytes: number;
  records: number;
  logRecords: number;
  users: number;
  blobs: number;
  seconds: number;
  recordsPerSecond: number;
  uncompressedMBps: number;
  peakRssMB: number;
  eventLoopP99Ms: number;
  limitSeconds: number;
  ratioToLimit: number;
}

/** One Moodle comparison line. */
export interface MoodleRow {
  fixture: string;
  archiveBytes: number;
  seconds: number;
  moodleSeconds: number;
  timesFaster: number;
  peakRssMB: number;
  moodlePeakRssMB: number;
}

/** Every user-data option on: what Moodle's CLI restore (and `restore_wall_s`) used. */
const ALL_USER_DATA = { users: 1, role_assignments: 1, comments: 1, userscompletion: 1, logs: 1, grade_histories: 1 };
const MiB = 1024 * 1024;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(repo, '.cache', 'bench');
const { values: flags } = parseArgs({
  options: {
    size: { type: 'string' },
    runs: { type: 'string', default: '1' },
    adapter: { type: 'string', default: 'sqlite' },
    pg: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    restores: { type: 'string' },
    batch: { type: 'string', default: '200' },
    'batch-size': { type: 'string', default: 'xs' },
    'queue-jobs': { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'no-moodle': { type: 'boolean', default: false },
    direct: { type: 'boolean', default: false },
    'no-loop': { type: 'boolean', default: false },
  },
});
const adapter = flags.adapter;
const sizes = (flags.size ?? (adapter === 'postgres' ? 'm,l' : 's,m,l,xl')).split(',').map((s) => s.trim());
const runs = Number(flags.runs);
const workerCounts = flags.workers.split(',').map(Number);
const restores = Number(flags.restores ?? Math.max(...workerCounts));
const batch = Number(flags.batch);
const queueJobs = Number(flags['queue-jobs']);
const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
if (
  !sizes.every(isBackupSize) ||
  !whole(runs) ||
  (adapter !== 'sqlite' && adapter !== 'memory' && adapter !== 'postgres') ||
  !workerCounts.every(whole) ||
  !whole(restores) ||
  !whole(batch) ||
  !whole(queueJobs) ||
  !isBackupSize(flags['batch-size'])
) {
  process.stderr.write(
    'usage: pnpm bench [--size s,m,l,xl] [--runs N] [--adapter sqlite|memory] [--json] [--profile] [--no-moodle] [--direct] [--no-loop]\n' +
      '       pnpm bench --adapter postgres [--pg URL] [--size m,l] [--workers 1,2] [--restores N] [--batch 200] [--batch-size xs] [--queue-jobs 500] [--runs N] [--json]\n',
  );
  process.exit(2);
}
const say = (line: string): void => {
  if (!flags.json) process.stdout.write(`${line}\n`);
};

mkdirSync(cacheDir, { recursive: true });
const child = await bundleChild(repo, join(cacheDir, 'js'));
const service = !flags.direct;
say(
  `mbz-restore bench — node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}, adapter ${adapter}, ${adapter === 'postgres' ? 'mbz worker processes' : service ? 'async service' : 'restore() on the main thread'}, runs ${runs} (median)`,
);

if (adapter === 'postgres') {
  await runPostgresBench({
    repo,
    child,
    server: flags.pg ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    sizes: sizes as BackupSize[],
    workers: workerCounts,
    restores,
    batch,
    batchSize: flags['batch-size'] as BackupSize,
    queueJobs,
    runs,
    json: flags.json,
    options: ALL_USER_DATA,
    say,
    table,
    cachedBackup,
    runChild: (script, mode, args) => runChild(script, mode, args),
  });
  process.exit(0);
}

const rows: BenchRow[] = [];
const restoresBySize = new Map<BackupSize, RestoreFigures>();
for (const size of sizes as BackupSize[]) {
  const backup = await cachedBackup(size);
  const restores: RestoreFigures[] = [];
  const limits: LimitFigures[] = [];
  for (let run = 0; run < runs; run++) {
    const profile = flags.profile ? [`--cpu-prof`, `--cpu-prof-dir=${join(cacheDir, 'profiles')}`] : [];
    const restored = await runChild<RestoreFigures>(
      child,
      'restore',
      { file: backup.path, adapter, options: ALL_USER_DATA, service },
      profile,
    );
    restores.push(restored);
    const rowsWritten = sum(Object.values(restored.counts));
    limits.push(await runChild<LimitFigures>(child, 'limit', { file: backup.path, rows: rowsWritten }));
  }
  const r = medianBy(restores, (x) => x.seconds);
  restoresBySize.set(size, r);
  const limitSeconds = median(limits.map((l) => l.seconds));
  const records = sum(Object.values(r.counts));
  const row: BenchRow = {
    size,
    archiveBytes: backup.bytes,
    records,
    logRecords: r.counts.mdl_logstore_standard_log ?? 0,
    users: r.counts.mdl_user ?? 0,
    blobs: r.blobs,
    seconds: round(r.seconds, 3),
    recordsPerSecond: Math.round(records / r.seconds),
    uncompressedMBps: round(backup.uncompressedBytes / MiB / r.seconds, 1),
    peakRssMB: Math.max(...restores.map((x) => x.peakRssMB)),
    eventLoopP99Ms: r.eventLoopP99Ms,
    limitSeconds: round(limitSeconds, 3),
    ratioToLimit: round(r.seconds / limitSeconds, 2),
  };
  rows.push(row);
  if (flags.json) process.stdout.write(`${JSON.stringify(row)}\n`);
}
if (!flags.json) printSizes(rows);

const largest = sizes[sizes.length - 1] as BackupSize;
if (!flags['no-loop'] && rows.length > 0) {
  const backup = await cachedBackup(largest);
  const other = await runChild<RestoreFigures>(child, 'restore', {
    file: backup.path,
    adapter,
    options: ALL_USER_DATA,
    service: !service,
  });
  const measured = restoresBySize.get(largest)!;
  const [worker, main] = service ? [measured, other] : [other, measured];
  const loop = {
    eventLoop: largest,
    worker: {
      p50Ms: worker.eventLoopP50Ms,
      p99Ms: worker.eventLoopP99Ms,
      maxMs: worker.eventLoopMaxMs,
      seconds: round(worker.seconds, 3),
    },
    mainThread: {
      p50Ms: main.eventLoopP50Ms,
      p99Ms: main.eventLoopP99Ms,
      maxMs: main.eventLoopMaxMs,
      seconds: round(main.seconds, 3),
    },
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(loop)}\n`);
  else {
    say(`\nHost event-loop delay while ${largest} restores (monitorEventLoopDelay, ms):`);
    table(
      ['restore runs', 'p50', 'p99', 'max', 'seconds'],
      [
        [
          adapter === 'sqlite' ? 'in a worker (async service)' : 'through the async service',
          ...[loop.worker.p50Ms, loop.worker.p99Ms, loop.worker.maxMs, loop.worker.seconds].map(String),
        ],
        [
          'on the main thread (restore())',
          ...[loop.mainThread.p50Ms, loop.mainThread.p99Ms, loop.mainThread.maxMs, loop.mainThread.seconds].map(String),
        ],
      ],
    );
  }
}

const generated = join(repo, '..', 'shared', 'fixtures', 'generated');
if (!flags['no-moodle'] && existsSync(generated)) {
  const moodleRows: MoodleRow[] = [];
  for (const name of ['gen_s_nousers', 'gen_s_users', 'gen_mf_users']) {
    const file = join(generated, `${name}.mbz`);
    const expectedFile = join(generated, `${name}.expected.json`);
    if (!existsSync(file) || !existsSync(expectedFile)) continue;
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as {
      size_bytes: number;
      restore_wall_s: number;
      restore_max_rss_kb: number;
      backup_settings: Record<string, string>;
    };
    // Moodle's CLI restore keeps every part the backup has; options the backup lacks are capped by the engine anyway.
    const wall: number[] = [];
    let peak = 0;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      // Like Moodle's CLI restore, and like `mbz restore`: one process restoring on its own thread.
      const figures = await runChild<RestoreFigures>(child, 'restore', {
        file,
        adapter,
        options: ALL_USER_DATA,
        service: false,
      });
      wall.push((performance.now() - started) / 1000);
      peak = Math.max(peak, figures.peakRssMB);
    }
    const seconds = median(wall);
    const row: MoodleRow = {
      fixture: `${name}.mbz`,
      archiveBytes: expected.size_bytes,
      seconds: round(seconds, 3),
      moodleSeconds: expected.restore_wall_s,
      timesFaster: round(expected.restore_wall_s / seconds, 1),
      peakRssMB: peak,
      moodlePeakRssMB: Math.round(expected.restore_max_rss_kb / 1024),
    };
    moodleRows.push(row);
    if (flags.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (!flags.json) printMoodle(moodleRows);
}

// Internal helpers

/** The generated backup of `size` (seed 1), made once and kept in `.cache/bench/`. */
async function cachedBackup(size: BackupSize): Promise<GenerateResult> {
  const path = join(cacheDir, `gen-${size}.mbz`);
  const meta = join(cacheDir, `gen-${size}.json`);
  if (existsSync(path) && existsSync(meta)) {
    const lines = readFileSync(meta, 'utf8').trim().split('\n');
    const cached = JSON.parse(lines[lines.length - 1]!) as GenerateResult;
    if (cached.size === size && cached.seed === 1) return { ...cached, path };
  }
  say(`generating ${size} backup (cached in .cache/bench/) …`);
  const result = await generateBackup({ size, out: path, seed: 1 });
  writeFileSync(meta, `${JSON.stringify(result)}\n`);
  return result;
}

/** Runs the bundled child in a fresh process and parses its JSON line. */
function runChild<T>(script: string, mode: string, args: unknown, nodeFlags: string[] = []): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, script, mode, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{'))
        reject(new Error(`bench child (${mode}) failed with exit code ${code}:\n${stderr}${stdout}`));
      else resolvePromise(JSON.parse(last) as T);
    });
  });
}

function printSizes(rows: BenchRow[]): void {
  const head = [
    'size',
    'archive MB',
    'rows',
    'logs',
    'users',
    'blobs',
    'seconds',
    'rows/s',
    'MB/s',
    'peak RSS MB',
    'loop p99 ms',
    'limit s',
    'ratio',
  ];
  const body = rows.map((r) =>
    [
      r.size,
      (r.archiveBytes / MiB).toFixed(1),
      r.records,
      r.logRecords,
      r.users,
      r.blobs,
      r.seconds.toFixed(2),
      r.recordsPerSecond,
      r.uncompressedMBps.toFixed(1),
      r.peakRssMB,
      r.eventLoopP99Ms.toFixed(1),
      r.limitSeconds.toFixed(2),
      r.ratioToLimit.toFixed(2),
    ].map(String),
  );
  table(head, body);
}

function printMoodle(rows: MoodleRow[]): void {
  say('\nAgainst Moodle 4.3 restoring the same backups (whole process; Moodle times from *.expected.json):');
  table(
    ['backup', 'archive MB', 'ours s', 'Moodle s', 'times faster', 'our RSS MB', 'Moodle RSS MB'],
    rows.map((r) => [
      r.fixture,
      (r.archiveBytes / MiB).toFixed(1),
      r.seconds.toFixed(2),
      r.moodleSeconds.toFixed(2),
      `${r.timesFaster}×`,
      String(r.peakRssMB),
      String(r.moodlePeakRssMB),
    ]),
  );
}

function table(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  say(line(head));
  for (const row of body) say(line(row));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianBy<T>(items: T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)]!;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
