/** `mbz restore … --json`: the result line, the error contract, and a store other tools can open. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { runCli } from '@mbz-restore/test-support/cli';

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-cli-restore-'));
  backup = join(dir, 'xs.mbz');
  expect(runCli(['generate', '--size', 'xs', '--out', backup, '--json']).status).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mbz restore', () => {
  it('--json prints courseid, settings, counts and warnings, and the rows are in the SQLite file', async () => {
    const db = join(dir, 'a.sqlite');
    const run = runCli(['restore', backup, '--db', db, '--option', 'users=1', '--option', 'logs=1', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.lines.at(-1)!);
    expect(Object.keys(result).sort()).toEqual(['counts', 'courseid', 'settings', 'warnings']);
    expect(result.settings).toMatchObject({ users: 1, logs: 1, activities: 1, comments: 0 });
    expect(result.counts.mdl_course).toBe(1);
    const storage = createSqliteStorage({ path: db });
    await storage.open();
    try {
      expect(await storage.count('course', { id: result.courseid })).toBe(1);
      expect(await storage.count('logstore_standard_log')).toBe(result.counts.mdl_logstore_standard_log);
    } finally {
      await storage.close();
    }
  });

  it('a bad option is an error object (exit 1) naming the valid names; a missing --db is a usage error (exit 2)', async () => {
    const run = runCli(['restore', backup, '--db', join(dir, 'b.sqlite'), '--option', 'userz=1', '--json']);
    expect(run.status).toBe(1);
    const { error } = JSON.parse(run.lines.at(-1)!);
    expect(error.code).toBe('input.invalid-argument');
    expect(error.message).toContain('users');
    expect(runCli(['restore', backup]).status).toBe(2);
  });

  it('a file that is not a backup fails cleanly with its code', async () => {
    const bad = join(dir, 'bad.mbz');
    await writeFile(bad, 'not a backup');
    const run = runCli(['restore', bad, '--db', join(dir, 'c.sqlite'), '--json']);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.lines.at(-1)!).error.code).toBe('archive.unknown-format');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
