/**
 * `pnpm bench` is a script, not a test, but it must not rot: this runs it on size s (generated on the fly and
 * cached in `.cache/bench/`, one run, no Moodle comparison) and checks the JSON it prints, field by field,
 * and the event-loop comparison line that follows it.
 * No figure is compared with a threshold here (speed is for the bench to report, not for tests to assert);
 * only that each figure is there and is consistent with the others.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('pnpm bench --json', () => {
  it('prints one object per size with every figure of the bench', () => {
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--size', 's', '--runs', '1', '--json', '--no-moodle'],
      {
        cwd: repo,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines).toHaveLength(2);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(
      [
        'size',
        'archiveBytes',
        'records',
        'logRecords',
        'users',
        'blobs',
        'seconds',
        'recordsPerSecond',
        'uncompressedMBps',
        'peakRssMB',
        'eventLoopP99Ms',
        'limitSeconds',
        'ratioToLimit',
      ].sort(),
    );
    expect(row.size).toBe('s');
    for (const [key, value] of Object.entries(row)) if (key !== 'size') expect(typeof value, key).toBe('number');
    // Size s of the generator: 10,000 log records, 103 users, 66 blobs (see packages/generator/src/sizes.ts); the log
    // rows written add the events Moodle's restore logs as it goes (one per section, enrolment, grade item …).
    expect(row).toMatchObject({ users: 103, blobs: 66 });
    expect(row.logRecords).toBeGreaterThan(10_000);
    expect(row.logRecords).toBeLessThan(11_000);
    const n = row as Record<string, number>;
    expect(n.records).toBeGreaterThan(n.logRecords!);
    expect(n.seconds).toBeGreaterThan(0);
    expect(n.limitSeconds).toBeGreaterThan(0);
    expect(n.ratioToLimit).toBeCloseTo(n.seconds! / n.limitSeconds!, 1);
    expect(n.recordsPerSecond).toBeCloseTo(n.records! / n.seconds!, -2);
    expect(n.peakRssMB).toBeGreaterThan(20);
    expect(n.eventLoopP99Ms).toBeGreaterThanOrEqual(0);

    // The host's event-loop delay with the restore in a worker (the async service) and on the main thread.
    const loop = JSON.parse(lines[1]!) as {
      eventLoop: string;
      worker: Record<string, number>;
      mainThread: Record<string, number>;
    };
    expect(loop.eventLoop).toBe('s');
    for (const side of [loop.worker, loop.mainThread]) {
      expect(Object.keys(side).sort()).toEqual(['maxMs', 'p50Ms', 'p99Ms', 'seconds']);
      expect(side.p50Ms).toBeLessThanOrEqual(side.p99Ms!);
      expect(side.p99Ms).toBeLessThanOrEqual(side.maxMs!);
    }
    expect(loop.worker.p99Ms).toBe(n.eventLoopP99Ms);
  }, 300_000);
});
