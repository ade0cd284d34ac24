/**
 * `pnpm bench:cli` is a script, not a test, but it must not rot: this runs it once on a reduced set of rows
 * (`mbz --version`, `mbz inspect`, and the restore of gen_s_nousers when ../shared is there; one run, no warm-up)
 * and checks the JSON it prints, row by row. It runs from sources with the test runner's `--conditions=source`,
 * as `pnpm bench:cli` does; what the script measures is the built bin (`pnpm build` first).
 * No figure is compared with a target here (a missed target is for the bench to report, not for tests to
 * fail); only that each figure is there and consistent with the others. The script removes every temp folder
 * it makes: the run's temp-folder check covers it.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasShared, repoRoot } from '@mbz-restore/test-support/shared';

const shared = hasShared();
const only = shared ? ['version', 'inspect', 'gen_s_nousers'] : ['version'];

describe('pnpm bench:cli --json', () => {
  it('prints one object per row: median seconds, CPU, RSS, Moodle seconds and ratio, target and whether it is met', () => {
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench-cli.ts', '--runs', '1', '--warmup', '0', '--only', only.join(','), '--json'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
        // As the test runner sets it (vitest.config.ts): the script must still run the bin without the source condition.
        env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', '--conditions=source'].join(' ').trim() },
      },
    );
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => r.name)).toEqual(only);
    const keys = [
      'name',
      'command',
      'runs',
      'seconds',
      'minSeconds',
      'maxSeconds',
      'cpuSeconds',
      'peakRssMB',
      'moodleSeconds',
      'ratio',
      'targetSeconds',
      'met',
    ];
    for (const row of rows) {
      expect(Object.keys(row).sort(), String(row.name)).toEqual([...keys].sort());
      expect(row.runs).toBe(1);
      expect(typeof row.command).toBe('string');
      const seconds = row.seconds as number;
      expect(seconds).toBeGreaterThan(0);
      // One run: the median is that run.
      expect(row.minSeconds).toBe(seconds);
      expect(row.maxSeconds).toBe(seconds);
      // CPU and RSS come from GNU time when the machine has it.
      if (row.cpuSeconds !== null) {
        expect(row.cpuSeconds).toBeGreaterThan(0);
        expect(row.peakRssMB).toBeGreaterThan(10);
      } else expect(row.peakRssMB).toBeNull();
      if (row.targetSeconds === null) expect(row.met).toBeNull();
      else {
        expect(row.targetSeconds).toBeGreaterThan(0);
        expect(row.met).toBe(seconds <= (row.targetSeconds as number));
      }
    }
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('version')).toMatchObject({
      command: 'mbz --version',
      targetSeconds: 0.08,
      moodleSeconds: null,
      ratio: null,
    });
    if (!shared) return;
    expect(byName.get('inspect')).toMatchObject({
      command: 'mbz inspect gen_s_users.mbz',
      targetSeconds: null,
      moodleSeconds: null,
      ratio: null,
    });
    const restore = byName.get('gen_s_nousers')!;
    // Moodle's own CLI restore time of this backup, from gen_s_nousers.expected.json, and the ratio Moodle / ours.
    expect(restore).toMatchObject({ targetSeconds: 0.5, moodleSeconds: 4.87 });
    expect(restore.command).toMatch(/^mbz restore gen_s_nousers\.mbz (--option \w+=1 ){6}--db <new>\.sqlite$/);
    expect(restore.ratio).toBeCloseTo(4.87 / (restore.seconds as number), 1);
  }, 150_000);
});
