/**
 * The job commands of the CLI, run as a user runs them: `mbz restore --detach` hands the restore to a
 * background process and prints its id; `mbz status` (once, or `--watch` until it ends) and `mbz jobs` read
 * it from the store in other processes; a job whose process died is reported 900 `interrupted`; errors
 * follow the exit-code contract.
 */
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobRecord } from '@mbz-restore/storage-contract';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { runCli } from '@mbz-restore/test-support/cli';
import { testTempDir } from '@mbz-restore/test-support/temp';
import { generated } from '@mbz-restore/test-support/backups';

const json = (line: string | undefined) => JSON.parse(line ?? 'null') as Record<string, unknown>;

describe('mbz restore --detach, mbz status, mbz jobs', () => {
  it('restores in the background and reports the job from other processes', async () => {
    const db = join(testTempDir('jobs-'), 'store.sqlite');
    const detached = runCli([
      'restore',
      await generated('xs'),
      '--db',
      db,
      '--detach',
      '--json',
      '--option',
      'users=1',
    ]);
    expect(detached.status, detached.stderr).toBe(0);
    const { restoreid } = json(detached.lines.at(-1)) as { restoreid: string };
    expect(restoreid).toMatch(/^[0-9a-f]{32}$/);

    const watched = runCli(['status', restoreid, '--db', db, '--watch', '--json', '--interval', '100']);
    expect(watched.status, watched.stderr).toBe(0);
    const seen = watched.lines.map((l) => json(l) as { status: number; progress: number });
    expect(seen.at(-1)).toEqual({ status: 1000, progress: 1 });
    expect(seen.map((s) => s.progress)).toEqual(seen.map((s) => s.progress).sort((a, b) => a - b));

    const once = runCli(['status', restoreid, '--db', db, '--json']);
    expect(once.status).toBe(0);
    expect(json(once.lines.at(-1))).toEqual({ status: 1000, progress: 1 });

    const jobs = runCli(['jobs', '--db', db, '--json']);
    expect(jobs.status).toBe(0);
    expect(jobs.lines).toHaveLength(1);
    expect(json(jobs.lines[0])).toMatchObject({
      restoreid,
      status: 1000,
      progress: 1,
      error: null,
      courseid: expect.any(Number),
      settings: { users: 1 },
    });
    expect(runCli(['jobs', '--db', db]).stdout).toContain(`${restoreid}  1000 finished ok`);
  });

  it('reports a job whose process died 900 interrupted, and --watch fails with that code', async () => {
    const db = join(testTempDir('dead-'), 'store.sqlite');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const restoreid = 'ab'.repeat(16);
    const storage = createSqliteStorage({ path: db });
    await storage.putJob(
      jobRecord(restoreid, Date.now(), {
        status: 800,
        progress: 0.4,
        stage: 'logs',
        owner: `${gone}@${hostname()}/01020304`,
        heartbeat: Date.now(),
      }),
    );
    await storage.close();

    const watched = runCli(['status', restoreid, '--db', db, '--watch', '--json']);
    expect(watched.status).toBe(1);
    expect(json(watched.lines.at(-2))).toEqual({ status: 900, progress: 0.4 });
    expect(json(watched.lines.at(-1))).toMatchObject({ error: { code: 'interrupted' } });
    const jobs = runCli(['jobs', '--db', db, '--json']);
    expect(json(jobs.lines[0])).toMatchObject({ restoreid, status: 900, error: { code: 'interrupted' } });
  });

  it('follows the exit-code contract', async () => {
    const db = join(testTempDir('errors-'), 'store.sqlite');
    const refused = runCli(['restore', join(tmpdir(), 'no-such-backup.mbz'), '--db', db, '--detach', '--json']);
    expect(refused.status).toBe(1);
    expect(json(refused.lines.at(-1))).toMatchObject({ error: { code: 'archive.not-found' } });
    const storage = createSqliteStorage({ path: db });
    expect(await storage.listJobs()).toEqual([]);
    await storage.close();

    expect(runCli(['status', 'not-an-id', '--db', db]).status).toBe(2);
    const unknown = runCli(['status', '0'.repeat(32), '--db', db, '--json']);
    expect(unknown.status).toBe(1);
    expect(json(unknown.lines.at(-1))).toMatchObject({ error: { code: 'service.restore-not-found' } });
    const noStore = runCli(['jobs', '--db', join(tmpdir(), 'no-such-store.sqlite'), '--json']);
    expect(noStore.status).toBe(1);
    expect(json(noStore.lines.at(-1))).toMatchObject({ error: { code: 'input.invalid-argument' } });
  });
});
