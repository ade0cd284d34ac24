/**
 * The CLI's error contract on corpus cases, one per kind of outcome (unsafe archive, forbidden XML, not
 * a Moodle 2 backup, damaged content that only a restore reads, success with warnings, a skipped link entry), through
 * `mbz inspect --json` and `mbz restore --json`: a failure prints `{"error":{"code","message"}}` as its
 * last line and exits 1, success exits 0 with the stated warnings, no stack trace unless `--debug`, a
 * usage error exits 2. Each command is a real child process, as a user runs it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '@mbz-restore/test-support/cli';
import { createArea, listTree, type Area } from './area.ts';
import { loadBaseBackup, type BaseBackup } from './base-backup.ts';
import { CORPUS_CASES } from './corpus-cases.ts';
import { succeeds, type Outcome } from './outcome.ts';
import { CORPUS_RESTORE_OPTIONS } from './run-case.ts';

/** One case per kind of outcome (each CLI run costs a process start, so the whole corpus runs through the library instead). */
const SAMPLE = [
  'tar-path-traversal',
  'xml-doctype-entity-expansion',
  'moodle19-backup',
  'blob-sha1-mismatch',
  'blob-missing',
  'tar-gnu-archive-index-link',
];
const OPTIONS = Object.entries(CORPUS_RESTORE_OPTIONS).flatMap(([name, value]) => ['--option', `${name}=${value}`]);

let area: Area;
let base: BaseBackup;

beforeAll(async () => {
  area = await createArea('mbz-corpus-cli-');
  base = await loadBaseBackup();
});
afterAll(async () => {
  await area?.remove();
});

describe('mbz inspect / restore --json on corpus cases', () => {
  it.each(CORPUS_CASES.filter((c) => SAMPLE.includes(c.id)).map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const path = join(area.cases, `${c.id}.mbz`);
    await c.build(path, base);
    // The restore unpacks under TMPDIR, our temp area; nothing may land beside it.
    const env = { TMPDIR: area.tmp };
    expectContract(runCli(['inspect', '--json', path], { env }), c.inspect);
    expectContract(
      runCli(['restore', '--json', path, '--db', join(area.stores, `${c.id}.sqlite`), ...OPTIONS], { env }),
      c.restore,
    );
    // tsx (which runs the CLI from source) keeps its compile cache under TMPDIR: that folder is not the engine's.
    expect(
      (await listTree(area.tmp)).filter((p) => !p.startsWith('tsx-')),
      'the temp area is empty again',
    ).toEqual([]);
    expect(await listTree(area.marker), 'nothing was written beside the temp area').toEqual([]);
  });

  it('--debug adds the stack trace of an expected error, and only then', async () => {
    const path = join(area.cases, 'debug.mbz');
    await CORPUS_CASES.find((c) => c.id === 'tar-path-traversal')!.build(path, base);
    const plain = runCli(['inspect', path]);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/^mbz: .*\[archive\.unsafe-entry-name\]\n$/);
    const debug = runCli(['--debug', 'inspect', path]);
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('a usage error of restore exits 2', () => {
    expect(runCli(['restore', join(area.cases, 'x.mbz')]).status).toBe(2); // --db missing
    expect(
      runCli(['restore', join(area.cases, 'x.mbz'), '--db', join(area.stores, 'u.sqlite'), '--category', 'zero'])
        .status,
    ).toBe(2);
  });
});

// Internal helpers

function expectContract(run: CliRun, expected: Outcome): void {
  const last = JSON.parse(run.lines.at(-1) ?? 'null') as {
    path?: string;
    error?: { code: string; message: string };
    warnings?: Array<{ code: string }>;
  } | null;
  expect(run.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  if ('error' in expected) {
    expect(run.status, run.stderr).toBe(1);
    // `inspect --json` names the path its error line is about; `restore --json` has one backup.
    const { path: _path, ...line } = last ?? {};
    expect(line).toEqual({ error: { code: expected.error, message: expect.any(String) } });
  } else {
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(succeeds(...(last?.warnings ?? []).map((w) => w.code))).toEqual(expected);
  }
}
