/** `mbz inspect` of a generated backup reports exactly what `mbz generate` says it wrote. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '@mbz-restore/test-support/cli';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-gen-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generate → inspect', () => {
  it.each([
    ['xs', 'tar.gz', '1'],
    ['xs', 'zip', '7'],
    ['s', 'tar.gz', '3'],
  ])('size %s as %s (seed %s)', (size, container, seed) => {
    const out = join(dir, `gen-${size}-${seed}.mbz`);
    const generated = runCli([
      'generate',
      '--size',
      size,
      '--out',
      out,
      '--seed',
      seed,
      '--json',
      ...(container === 'zip' ? ['--zip'] : []),
    ]);
    expect(generated.status, generated.stderr).toBe(0);
    const written = JSON.parse(generated.lines.at(-1)!);
    const inspected = runCli(['inspect', '--json', out]);
    expect(inspected.status, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.lines[0]!);
    expect(report.archive).toBe(container);
    expect(report.counts).toEqual(written.counts);
    expect(report.settings).toEqual(written.settings);
    expect(report.originalCourse).toMatchObject(written.course);
    expect(report.warnings).toEqual([]);
  });
});
