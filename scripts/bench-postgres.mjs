// Restore time of one backup into PostgreSQL vs SQLite, over the built packages (pnpm build first):
//   node scripts/bench-postgres.mjs [backup.mbz] [runs]   (DATABASE_URL names the server; default the local one)
// Each run restores into a new, empty store (a new database / a new file) in a child process of its own, so each
// run pays its own module loading and connection; prints wall and CPU seconds (user+sys of the child, which
// excludes the PostgreSQL server's: the machine's CPU beyond the child's is reported apart) and the medians.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const backup = process.argv[2] ?? '../shared/fixtures/generated/gen_mf_users.mbz';
const runs = Number(process.argv[3] ?? 3);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const options = {
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
  groups: 1,
  enrolments: 1,
};

const child = `
  const [store, target, backup, options] = process.argv.slice(1);
  const { restore } = await import('@mbz-restore/engine');
  const storage = store === 'postgres'
    ? (await import('@mbz-restore/storage-postgres')).createPostgresStorage({ connectionString: target })
    : (await import('@mbz-restore/storage-sqlite')).createSqliteStorage({ path: target });
  await storage.open();
  const t0 = performance.now(); const c0 = process.cpuUsage();
  const result = await restore(backup, { storage, options: JSON.parse(options) });
  const c = process.cpuUsage(c0);
  const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, rows }));
  await storage.close();
`;

function psql(sql, db = server) {
  return execFileSync('psql', [db, '-XAtqc', sql], { encoding: 'utf8' }).trim();
}

const results = { postgres: [], sqlite: [] };
for (let i = 0; i < runs; i++) {
  for (const store of ['postgres', 'sqlite']) {
    let target;
    let dir;
    if (store === 'postgres') {
      const name = `mbz_bench_${process.pid}_${i}`;
      psql(`CREATE DATABASE ${name}`);
      const u = new URL(server);
      u.pathname = `/${name}`;
      target = u.toString();
      // Open once outside the timed part (schema and seed), as the SQLite file is created by open().
    } else {
      dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
      target = join(dir, 'store.sqlite');
    }
    const machine0 = machineCpuSeconds();
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', child, store, target, backup, JSON.stringify(options)],
      { encoding: 'utf8', cwd: process.cwd() },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1));
    // Machine CPU minus the restoring process's own: the server's share (and the child's start-up, ~0.1 s).
    r.otherCpu = machineCpuSeconds() - machine0 - r.cpu;
    if (store === 'postgres') {
      psql(`DROP DATABASE ${new URL(target).pathname.slice(1)} WITH (FORCE)`);
    } else rmSync(dir, { recursive: true, force: true });
    results[store].push(r);
    console.log(store, `run ${i + 1}`, JSON.stringify(r));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [store, rs] of Object.entries(results)) {
  console.log(
    `${store}: wall ${median(rs.map((r) => r.wall)).toFixed(2)} s, client CPU ${median(rs.map((r) => r.cpu)).toFixed(2)} s` +
      `, other CPU (server, start-up) ${median(rs.map((r) => r.otherCpu)).toFixed(2)} s (median of ${rs.length}; ${rs[0].rows} rows)`,
  );
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: user + nice + system + irq + softirq), all cores. */
function machineCpuSeconds() {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq) / 100;
}
