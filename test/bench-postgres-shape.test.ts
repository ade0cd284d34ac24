/**
 * `pnpm bench --adapter postgres` must not rot either: this runs it on a tiny configuration (size xs, 1 and 2 `mbz
 * worker` processes with 2 restores queued, the queue's cost on 4 restores, the queue alone on 20 jobs; about 30 s on
 * the 2-core machine) against the test run's PostgreSQL server (`DATABASE_URL`) and checks the JSON it prints, line
 * by line. What it runs is the built bin (`pnpm test` builds first). The bench drops the databases it made: no
 * `mbz_bench_*` database is left on the server.
 * No figure is compared with a target here (a missed target is for the bench to report, not for tests to fail); only
 * that each figure is there and consistent with the others.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { postgresServerUrl } from '@mbz-restore/test-support/postgres-server';
import { repoRoot } from '@mbz-restore/test-support/shared';
import { describe, expect, it } from 'vitest';

describe('pnpm bench --adapter postgres --json', () => {
  it('prints a row per worker count, the queue cost and the queue throughput, and drops its databases', async () => {
    const server = postgresServerUrl();
    // Another bench on the same server (a person's, while the suite runs) may hold databases of its own: only this
    // run's must be gone at the end.
    const before = new Set(await benchDatabases(server));
    const stdout = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/bench.ts',
        '--adapter',
        'postgres',
        '--pg',
        server,
        '--size',
        'xs',
        '--workers',
        '1,2',
        '--restores',
        '2',
        '--batch',
        '4',
        '--queue-jobs',
        '20',
        '--json',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 150_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(4);

    const [one, two] = lines as Array<Record<string, number | number[] | string>>;
    for (const [row, workers] of [
      [one!, 1],
      [two!, 2],
    ] as const) {
      expect(Object.keys(row).sort()).toEqual(
        [
          'size',
          'archiveBytes',
          'workers',
          'restores',
          'seconds',
          'restoresPerHour',
          'records',
          'recordsPerSecond',
          'restoreSeconds',
          'sqliteSeconds',
          'ratioToSqlite',
          'peakRssMB',
          'workerPeakRssMB',
          'workerCpuSeconds',
          'postgresCpuSeconds',
          'otherCpuSeconds',
          'workerConnections',
          'load',
        ].sort(),
      );
      const n = row as Record<string, number>;
      expect(row).toMatchObject({ size: 'xs', workers, restores: 2 });
      expect(row.workerPeakRssMB).toHaveLength(workers);
      expect(n.peakRssMB).toBe(Math.max(...(row.workerPeakRssMB as number[])));
      expect(n.peakRssMB).toBeGreaterThan(20);
      expect(n.seconds).toBeGreaterThan(0);
      expect(n.restoresPerHour).toBeCloseTo((2 / n.seconds!) * 3600, -2);
      // Two xs restores matching the users of the warm-up restore: their courses, activities, logs, grades …
      expect(n.records).toBeGreaterThan(1000);
      expect(n.recordsPerSecond).toBeCloseTo(n.records! / n.seconds!, -2);
      expect(n.restoreSeconds).toBeGreaterThan(0);
      expect(n.restoreSeconds).toBeLessThanOrEqual(n.seconds!);
      expect(n.sqliteSeconds).toBeGreaterThan(0);
      // Seconds are printed to 0.01 s and the ratio is of the unrounded times: it lies where those roundings allow.
      const [rs, ss] = [n.restoreSeconds!, n.sqliteSeconds!];
      expect(n.ratioToSqlite).toBeGreaterThanOrEqual((rs - 0.005) / (ss + 0.005) - 0.005);
      expect(n.ratioToSqlite).toBeLessThanOrEqual((rs + 0.005) / Math.max(ss - 0.005, 0.001) + 0.005);
      expect(n.workerCpuSeconds).toBeGreaterThan(0);
      expect(n.postgresCpuSeconds).toBeGreaterThan(0);
      expect(n.otherCpuSeconds).toBeGreaterThanOrEqual(0);
      // Each worker's store pool, restore unit and queue: at least one connection per worker.
      expect(n.workerConnections).toBeGreaterThanOrEqual(workers);
    }
    // The same backup and restores: the same rows whatever the number of workers.
    expect(two!.records).toBe(one!.records);

    const cost = lines[2] as {
      queueCost: string;
      restores: number;
      concurrency: number;
      pgBoss: Record<string, number>;
      local: Record<string, number>;
      ratio: number;
    };
    expect(cost).toMatchObject({ queueCost: 'xs', restores: 4, concurrency: 2 });
    for (const side of [cost.pgBoss, cost.local]) {
      expect(Object.keys(side).sort()).toEqual(['peakRssMB', 'restoresPerSecond', 'seconds']);
      expect(side.restoresPerSecond).toBeCloseTo(4 / side.seconds!, 1);
    }
    expect(cost.ratio).toBeCloseTo(cost.pgBoss.restoresPerSecond! / cost.local.restoresPerSecond!, 1);

    const queue = lines[3] as { queueJobs: number; sendPerSecond: number; drain: Array<Record<string, number>> };
    expect(queue.queueJobs).toBe(20);
    expect(queue.sendPerSecond).toBeGreaterThan(0);
    expect(queue.drain.map((d) => d.concurrency)).toEqual([1, 2, 8]);
    for (const d of queue.drain) expect(d.jobsPerSecond).toBeGreaterThan(0);

    const left = (await benchDatabases(server)).filter((name) => !before.has(name));
    expect(left).toEqual([]);
  }, 180_000);
});

/** The bench's databases (`mbz_bench_…`) on the server. */
async function benchDatabases(server: string): Promise<string[]> {
  // pg is the test-support package's dependency, not the root's.
  const pg = createRequire(join(repoRoot, 'packages/test-support/package.json'))('pg') as {
    Client: new (options: {
      connectionString: string;
    }) => {
      connect(): Promise<void>;
      query(sql: string): Promise<{ rows: Array<{ datname: string }> }>;
      end(): Promise<void>;
    };
  };
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'mbz\\_bench\\_%'");
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}
