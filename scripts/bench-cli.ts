/**
 * `pnpm bench:cli`: how long the `mbz` command takes for a user, whole process from spawn to exit, against the
 * targets of issue 12 and against Moodle 4.3's own CLI restore of the same backups.
 *
 * What it runs is the BUILT bin as a user's shell does: `node packages/cli/bundle/mbz.cjs …` (the package's `bin`) in a child process, with
 * this environment less the workspace's `--conditions=source` (this script itself may run from sources).
 * Rows (each a median of `--runs` runs after `--warmup` runs that are not counted):
 * - `version`: `mbz --version`;
 * - `inspect`: `mbz inspect gen_s_users.mbz`;
 * - `gen_s_nousers`, `gen_s_users`, `gen_mf_users`: `mbz restore <backup> --db <new SQLite file>` with every
 *   user-data option on, as Moodle's CLI restore ran (options the backup lacks are capped by the engine, as by
 *   Moodle), into a new temp folder each run, removed after it; beside Moodle's `restore_wall_s` from
 *   `../shared/fixtures/generated/<name>.expected.json` and the ratio Moodle / ours.
 * Each row also gives the CPU seconds (user + system) and the peak RSS of the child when GNU time is at
 * /usr/bin/time: on a shared, loaded machine the CPU seconds say more than the wall time.
 * The targets are reported as met or not met; a missed target never fails the script (a failing command does).
 *
 * Usage: pnpm bench:cli [--runs N] [--warmup N] [--only version,inspect,restore,gen_s_nousers,…] [--json]
 * `--json` prints one JSON object per row instead of the table. Run `pnpm build` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** One line of `--json`. */
export interface CliBenchRow {
  /** `version`, `inspect`, or the generated backup restored. */
  name: string;
  /** The mbz command line, with paths shortened. */
  command: string;
  runs: number;
  /** Median wall seconds, spawn to exit. */
  seconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** Median CPU seconds (user + system) of the child; null without GNU time. */
  cpuSeconds: number | null;
  /** Largest peak RSS of the child over the runs, MB; null without GNU time. */
  peakRssMB: number | null;
  /** Moodle 4.3's CLI restore wall time of the same backup (restore rows only). */
  moodleSeconds: number | null;
  /** moodleSeconds / seconds (restore rows only). */
  ratio: number | null;
  /** The issue's target for this row, seconds; null when it has none. */
  targetSeconds: number | null;
  /** seconds <= targetSeconds; null when the row has no target. */
  met: boolean | null;
}

/** Every user-data option on: what Moodle's CLI restore (and `restore_wall_s`) used. */
const ALL_USER_DATA = ['users', 'role_assignments', 'comments', 'userscompletion', 'logs', 'grade_histories'];
/** The backups restored, in order, and the targets of issue 12 (seconds, whole process). */
const RESTORES = ['gen_s_nousers', 'gen_s_users', 'gen_mf_users'] as const;
const TARGETS: Record<string, number> = { version: 0.08, gen_s_nousers: 0.5, gen_s_users: 0.7, gen_mf_users: 1.5 };
const ALL_ROWS = ['version', 'inspect', ...RESTORES];
const USAGE =
  'usage: pnpm bench:cli [--runs N] [--warmup N] [--only version,inspect,restore,gen_s_nousers,gen_s_users,gen_mf_users] [--json]\n';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliPackage = JSON.parse(readFileSync(join(repo, 'packages', 'cli', 'package.json'), 'utf8')) as {
  bin: { mbz: string };
};
const bin = join(repo, 'packages', 'cli', cliPackage.bin.mbz);
const generated = join(process.env.MBZ_SHARED_DIR ?? join(repo, '..', 'shared'), 'fixtures', 'generated');

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    only: { type: 'string', default: ALL_ROWS.join(',') },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs);
const warmup = Number(flags.warmup);
const only = flags.only
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .flatMap((s) => (s === 'restore' ? [...RESTORES] : [s]));
if (
  !Number.isInteger(runs) ||
  runs < 1 ||
  !Number.isInteger(warmup) ||
  warmup < 0 ||
  only.length === 0 ||
  !only.every((s) => ALL_ROWS.includes(s))
) {
  process.stderr.write(USAGE);
  process.exit(2);
}
if (!existsSync(bin)) {
  process.stderr.write(`${bin} is missing: run pnpm build first (bench:cli measures the built bin).\n`);
  process.exit(1);
}

/** The environment of a user's shell: this one, less the `source` condition of the workspace's scripts and tests. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--conditions[= ]source/g, '').trim(),
};
const gnuTime = hasGnuTime();
const say = (line: string): void => {
  if (!flags.json) process.stdout.write(`${line}\n`);
};

say(
  `mbz CLI bench — node ${process.version}, ${availableParallelism()} CPUs, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ` +
    `${runs} runs after ${warmup} warm-up (median, whole process)${gnuTime ? '' : ', no GNU time: no CPU or RSS figures'}`,
);
if (env.NODE_OPTIONS) say(`NODE_OPTIONS for the bin: ${env.NODE_OPTIONS}`);

const rows: CliBenchRow[] = [];
for (const name of ALL_ROWS.filter((n) => only.includes(n))) {
  let args: string[];
  let moodleSeconds: number | null = null;
  let restoreDb = false;
  if (name === 'version') args = ['--version'];
  else if (name === 'inspect') {
    const file = join(generated, 'gen_s_users.mbz');
    if (!existsSync(file)) {
      process.stderr.write(`skipping inspect: ${file} not found\n`);
      continue;
    }
    args = ['inspect', file];
  } else {
    const file = join(generated, `${name}.mbz`);
    const expectedFile = join(generated, `${name}.expected.json`);
    if (!existsSync(file) || !existsSync(expectedFile)) {
      process.stderr.write(`skipping ${name}: ${file} or its expected.json not found\n`);
      continue;
    }
    moodleSeconds = (JSON.parse(readFileSync(expectedFile, 'utf8')) as { restore_wall_s: number }).restore_wall_s;
    // Moodle's CLI restore keeps every part the backup has; options the backup lacks are capped by the engine.
    args = ['restore', file, ...ALL_USER_DATA.flatMap((option) => ['--option', `${option}=1`])];
    restoreDb = true;
  }
  const measured: Measure[] = [];
  for (let run = 0; run < warmup + runs; run++) {
    const m = await measure(args, restoreDb);
    if (run >= warmup) measured.push(m);
  }
  // Rounded once: the row's target verdict is about the figure it prints.
  const seconds = round(median(measured.map((m) => m.seconds)), 3);
  const target = TARGETS[name] ?? null;
  const row: CliBenchRow = {
    name,
    command: `mbz ${args.map((a) => (a.startsWith('/') ? a.replace(`${generated}/`, '') : a)).join(' ')}${restoreDb ? ' --db <new>.sqlite' : ''}`,
    runs,
    seconds,
    minSeconds: round(Math.min(...measured.map((m) => m.seconds)), 3),
    maxSeconds: round(Math.max(...measured.map((m) => m.seconds)), 3),
    cpuSeconds: gnuTime ? round(median(measured.map((m) => m.cpuSeconds!)), 3) : null,
    peakRssMB: gnuTime ? Math.round(Math.max(...measured.map((m) => m.peakRssKB!)) / 1024) : null,
    moodleSeconds,
    ratio: moodleSeconds === null ? null : round(moodleSeconds / seconds, 2),
    targetSeconds: target,
    met: target === null ? null : seconds <= target,
  };
  rows.push(row);
  if (flags.json) process.stdout.write(`${JSON.stringify(row)}\n`);
}

if (!flags.json) {
  const head = [
    'row',
    'median s',
    'min s',
    'max s',
    'CPU s',
    'peak RSS MB',
    'Moodle s',
    'Moodle/ours',
    'target s',
    'target',
  ];
  table(
    head,
    rows.map((r) => [
      r.name,
      r.seconds.toFixed(3),
      r.minSeconds.toFixed(3),
      r.maxSeconds.toFixed(3),
      r.cpuSeconds?.toFixed(3) ?? '-',
      r.peakRssMB?.toString() ?? '-',
      r.moodleSeconds?.toFixed(2) ?? '-',
      r.ratio === null ? '-' : `${r.ratio}×`,
      r.targetSeconds?.toFixed(3) ?? '-',
      r.met === null ? '-' : r.met ? 'met' : 'NOT met',
    ]),
  );
  say('\nWall times on a loaded machine (see the load above) run long: the CPU seconds are the steadier figure.');
}

// Internal helpers

interface Measure {
  seconds: number;
  cpuSeconds?: number;
  peakRssKB?: number;
}

/** Runs the bin once in a new temp folder (removed after), with `--db <folder>/restore.sqlite` when restoring. */
async function measure(args: string[], restoreDb: boolean): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-cli-'));
  try {
    const timeFile = join(dir, 'time.txt');
    const command = [
      process.execPath,
      bin,
      ...args,
      ...(restoreDb ? ['--db', join(dir, 'restore.sqlite'), '--json'] : []),
    ];
    const [file, ...argv] = gnuTime ? ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, ...command] : command;
    const started = performance.now();
    const { code, stdout, stderr } = await run(file!, argv, dir);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0)
      throw new Error(`mbz ${args.join(' ')} failed with exit code ${code}:\n${stderr}${stdout.slice(0, 2000)}`);
    if (restoreDb && !/"courseid":\d+/.test(stdout))
      throw new Error(`mbz ${args.join(' ')} printed no course id:\n${stdout.slice(0, 2000)}`);
    if (!gnuTime) return { seconds };
    const [user, system, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, cpuSeconds: user! + system!, peakRssKB: rss! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(
  file: string,
  argv: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** GNU time at /usr/bin/time, which writes user and system seconds and the peak RSS to a file (`-o`). */
function hasGnuTime(): boolean {
  if (!existsSync('/usr/bin/time')) return false;
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

function table(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  say(line(head));
  for (const row of body) say(line(row));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
