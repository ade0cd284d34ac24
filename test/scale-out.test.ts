/**
 * Scaling out, as an administrator runs it: one PostgreSQL, one `mbz serve --pg --workers 0` front end and three
 * `mbz worker --pg` processes. Twelve backups (nine real Moodle fixtures and the three Moodle-made generated ones) go
 * through the REST webservice (upload.php, then core_course_restore_async); one worker is SIGKILLed in the middle of
 * the largest restore. Its job comes back through the queue once its lease expires, and every restore ends 1000;
 * each course exists once (the killed attempt left nothing), and the store holds the same rows, table by table, as a
 * SQLite store that restored the same twelve backups one after another. Then what a worker sees of a PostgreSQL
 * restart: every connection to the database dropped at once in the middle of a restore.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { restore, type JobStore, type StorageAdapter } from '@mbz-restore/engine';
import { createPostgresStorage } from '@mbz-restore/storage-postgres';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { MBZ_BIN, runCli, userEnv } from '@mbz-restore/test-support/cli';
import { freshDatabase } from '@mbz-restore/test-support/postgres';
import { generatedFixture, hasShared, mbzFixture, repoRoot } from '@mbz-restore/test-support/shared';
import { testTempDir } from '@mbz-restore/test-support/temp';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const FIXTURES = [
  'format_tiles__tests-fixtures-mbz-moodle-311-sample.mbz',
  'format_tiles__tests-fixtures-mbz-moodle-43-late-beta.mbz',
  'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz',
  'hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz',
  'hrsq1__backup-moodle2-tests-fixtures-test_tags_backup.mbz',
  'hrsq1__completion-tests-fixtures-legacy_course_completion.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_28_quiz.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_311_quiz.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_42_random_question.mbz',
];
const GENERATED = ['gen_s_nousers.mbz', 'gen_s_users.mbz', 'gen_mf_users.mbz'];
/** The restore the test kills a worker in: the largest. */
const VICTIM = 'gen_mf_users.mbz';
/** Tables whose rows are the service's own (jobs, tokens, uploads), not the restores'. */
const SERVICE_TABLES = new Set(['backup_controllers', 'external_tokens', 'mbz_token_restores']);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts an mbz command that logs JSON lines; resolves with its lines once one has `msg`. */
async function start(
  args: string[],
  ready: string,
): Promise<{ child: ChildProcess; lines: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [MBZ_BIN, ...args], {
    cwd: repoRoot,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === ready) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mbz ${args[0]} exited with ${code} before "${ready}": ${stderr}`)));
  });
  return { child, lines };
}

async function rest(url: string, token: string, wsfunction: string, params: Record<string, string | number>) {
  const body = new URLSearchParams({ wstoken: token, wsfunction, moodlewsrestformat: 'json' });
  for (const [key, value] of Object.entries(params)) body.set(key, String(value));
  const response = await fetch(`${url}/webservice/rest/server.php`, { method: 'POST', body });
  return (await response.json()) as Record<string, unknown>;
}

async function uploadAndRestore(url: string, token: string, path: string): Promise<string> {
  const form = new FormData();
  form.set('token', token);
  form.set('file', new Blob([await readFile(path)]), basename(path));
  const uploaded = (await (
    await fetch(`${url}/webservice/upload.php`, { method: 'POST', body: form })
  ).json()) as Array<{
    contextid: number;
    itemid: number;
  }>;
  const [file] = uploaded;
  const started = await rest(url, token, 'core_course_restore_async', {
    categoryid: 1,
    'localfile[contextid]': file!.contextid,
    'localfile[itemid]': file!.itemid,
  });
  expect(started, JSON.stringify(started)).toHaveProperty('restoreid');
  return String(started.restoreid);
}

/** Rows per table of a store, less the service's own tables and the uploads' draft files. */
async function restoredCounts(storage: StorageAdapter): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of (await storage.tables()).sort()) {
    if (SERVICE_TABLES.has(table)) continue;
    let n = await storage.count(table);
    if (table === 'files') n -= await storage.count('files', { component: 'user', filearea: 'draft' });
    if (n > 0) counts[table] = n;
  }
  return counts;
}

describe.skipIf(!hasShared())('scaling out: mbz serve --pg --workers 0 and three mbz worker', () => {
  it('restores 12 backups sent through the webservice, one worker SIGKILLed mid-restore: all 1000, same rows as SQLite', async () => {
    const db = await freshDatabase();
    const backups = [...FIXTURES.map(mbzFixture), ...GENERATED.map(generatedFixture)];

    const token = runCli(['token', 'create', '--pg', db, '--json']);
    expect(token.status, token.stderr).toBe(0);
    const wstoken = String(JSON.parse(token.stdout).token);
    const front = await start(['serve', '--pg', db, '--workers', '0', '--port', '0'], 'listening');
    const url = String(front.lines.find((l) => l.msg === 'listening')!.url);
    const workers = await Promise.all([1, 2, 3].map(() => start(['worker', '--pg', db], 'worker ready')));

    const ids = new Map<string, string>();
    for (const backup of backups) ids.set(await uploadAndRestore(url, wstoken, backup), basename(backup));
    const victimId = [...ids].find(([, name]) => name === VICTIM)![0];

    // Kill the worker that runs the largest restore, shortly after it started.
    const startedBy = (): (typeof workers)[number] | undefined =>
      workers.find((w) => w.lines.some((l) => l.msg === 'restore started' && l.restoreid === victimId));
    const until = Date.now() + 120_000;
    while (!startedBy() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const victim = startedBy();
    expect(victim, 'a worker started the largest restore').toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(victim!.lines.some((l) => l.msg === 'restore completed' && l.restoreid === victimId)).toBe(false);
    victim!.child.kill('SIGKILL');

    // Every restore ends; the killed one once its lease expired and another worker took it again.
    const statuses = new Map<string, number>();
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      for (const id of ids.keys())
        statuses.set(
          id,
          Number((await rest(url, wstoken, 'core_course_restore_async_get_status', { restoreid: id })).status),
        );
      if ([...statuses.values()].every((s) => s === 1000 || s === 900)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(Object.fromEntries([...ids].map(([id, name]) => [name, statuses.get(id)]))).toEqual(
      Object.fromEntries(backups.map((b) => [basename(b), 1000])),
    );
    const survivors = workers.filter((w) => w !== victim);
    expect(survivors.some((w) => w.lines.some((l) => l.msg === 'restore completed' && l.restoreid === victimId))).toBe(
      true,
    );

    for (const { child } of [front, ...survivors]) child.kill('SIGTERM');
    await Promise.all([front, ...survivors].map(({ child }) => new Promise((resolve) => child.once('exit', resolve))));

    const pg = createPostgresStorage({ connectionString: db });
    const dir = testTempDir('scale-out-');
    const sqlite = createSqliteStorage({ path: join(dir, 'same.sqlite') });
    try {
      await pg.open();
      // Each course exists once: twelve new courses besides the site, one per job, none left by the killed attempt.
      const jobs = await Promise.all([...ids.keys()].map((id) => (pg as StorageAdapter & JobStore).getJob(id)));
      const courseids = jobs.map((job) => job!.courseid);
      expect(new Set(courseids).size).toBe(12);
      const courses = await pg.select('course', {});
      expect(courses.map((c) => Number(c.id)).sort((a, b) => a - b)).toEqual(
        [1, ...(courseids as number[])].sort((a, b) => a - b),
      );
      // The same twelve restores into SQLite, one after another, as the webservice's token user restores.
      for (const backup of backups) await restore(backup, { storage: sqlite, categoryid: 1, actingUserId: 2 });
      expect(await restoredCounts(pg)).toEqual(await restoredCounts(sqlite));
    } finally {
      await pg.close();
      await sqlite.close();
    }
  }, 420_000);

  it('a worker whose connections PostgreSQL drops mid-restore: that restore ends cleanly, the worker reconnects and goes on', async () => {
    const db = await freshDatabase();
    const worker = await start(['worker', '--pg', db], 'worker ready');
    const queued = (backup: string): string => {
      const run = runCli(['restore', generatedFixture(backup), '--pg', db, '--detach']);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.trim();
    };
    const first = queued('gen_mf_users.mbz');
    const second = queued('gen_s_nousers.mbz');
    const until = Date.now() + 60_000;
    while (!worker.lines.some((l) => l.msg === 'restore started' && l.restoreid === first) && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 500));

    // What a restart does to clients: every connection to the database ends; the server rolls back their transactions.
    const admin = new pg.Client({ connectionString: db });
    await admin.connect();
    const dropped = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await admin.end();
    expect(dropped.rowCount).toBeGreaterThan(0);

    const store = createPostgresStorage({ connectionString: db });
    await store.open();
    try {
      const ended = async () => Promise.all([first, second].map((id) => store.getJob(id)));
      let jobs = await ended();
      const deadline = Date.now() + 120_000;
      while (!jobs.every((j) => j && j.status >= 900) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        jobs = await ended();
      }
      const [a, b] = jobs;
      // The interrupted restore failed cleanly (or was retried to its end); the next one ran on a new connection.
      expect([900, 1000]).toContain(a!.status);
      expect(b!.status).toBe(1000);
      const finished = jobs.filter((j) => j!.status === 1000).map((j) => Number(j!.courseid));
      const courses = (await store.select('course', {})).map((c) => Number(c.id)).sort((x, y) => x - y);
      expect(courses).toEqual([1, ...finished].sort((x, y) => x - y));
      if (a!.status === 900) expect(await store.count('course_modules', { course: 0 })).toBe(0);
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await store.close();
      worker.child.kill('SIGTERM');
    }
  }, 240_000);
});
