/**
 * `mbz serve` and `mbz token create` as a person uses them: the README's curl walk-through pasted into bash
 * against a server started by the CLI, one JSON log line per request (never the token), a graceful shutdown
 * on SIGTERM that lets the running restore finish, and a second SIGTERM that interrupts it. Skipped only when
 * curl is absent.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { MBZ_BIN, runCli, userEnv } from '@mbz-restore/test-support/cli';
import { repoRoot } from '@mbz-restore/test-support/shared';
import { xsBackup } from '@mbz-restore/test-support/backups';

const hasCurl = spawnSync('curl', ['--version']).status === 0;
if (!hasCurl) console.warn('[mbz-restore tests] skipping the curl walk-through: curl is not installed.');

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-ws-cli-'));
  backup = await xsBackup(3);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `mbz serve` in a child process; resolves once it logged where it listens. */
async function serve(
  db: string,
): Promise<{ child: ChildProcess; url: string; lines: string[]; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [MBZ_BIN, 'serve', '--db', db, '--port', '0', '--concurrency', '2'], {
    cwd: repoRoot,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening') resolve(entry.url!);
    });
    void exited.then((code) => reject(new Error(`mbz serve exited with ${code} before listening`)));
  });
  return { child, url, lines, exited };
}

/** Uploads the backup with curl and starts its restore (`core_course_restore_async`); answers the restore id. */
function uploadAndRestore(url: string, token: string): string {
  const upload = spawnSync(
    'curl',
    ['-s', '-F', `token=${token}`, '-F', `file=@${backup}`, `${url}/webservice/upload.php`],
    { encoding: 'utf8' },
  );
  const [file] = JSON.parse(upload.stdout) as Array<{ contextid: number; itemid: number }>;
  const started = spawnSync(
    'curl',
    [
      '-s',
      `${url}/webservice/rest/server.php`,
      '-d',
      `wstoken=${token}`,
      '-d',
      'wsfunction=core_course_restore_async',
      '-d',
      'moodlewsrestformat=json',
      '-d',
      'categoryid=1',
      '-d',
      `localfile[contextid]=${file!.contextid}`,
      '-d',
      `localfile[itemid]=${file!.itemid}`,
    ],
    { encoding: 'utf8' },
  );
  return (JSON.parse(started.stdout) as { restoreid: string }).restoreid;
}

describe('mbz token create', () => {
  it('prints a token (--json: {"token", …}) that the store knows only by its hash', async () => {
    const db = join(dir, 'tokens.sqlite');
    const run = runCli(['token', 'create', '--db', db, '--name', 'ci', '--categories', '1', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const created = JSON.parse(run.lines.at(-1)!);
    expect(created).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      id: 1,
      userid: 2,
      name: 'ci',
      categories: [1],
    });
    const plain = runCli(['token', 'create', '--db', db]);
    expect(plain.status).toBe(0);
    expect(plain.lines).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    const raw = await readFile(db);
    expect(raw.includes(Buffer.from(created.token))).toBe(false);
  });

  it('a category that does not exist is an error (exit 1); a malformed list is a usage error (exit 2)', () => {
    const db = join(dir, 'tokens2.sqlite');
    const missing = runCli(['token', 'create', '--db', db, '--categories', '1,42', '--json']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.lines.at(-1)!).error).toMatchObject({
      code: 'input.invalid-argument',
      message: expect.stringContaining('42'),
    });
    expect(runCli(['token', 'create', '--db', db, '--categories', 'one']).status).toBe(2);
    expect(runCli(['token', 'create']).status).toBe(2);
  });
});

describe.skipIf(!hasCurl)('mbz serve with curl', () => {
  it('the README walk-through restores a course, and every request is one log line without the token', async () => {
    const db = join(dir, 'walk.sqlite');
    const server = await serve(db);
    try {
      const readme = await readFile(join(repoRoot, 'packages', 'webservice', 'README.md'), 'utf8');
      const block = /<!-- walkthrough:start -->\n```bash\n([\s\S]*?)```\n<!-- walkthrough:end -->/.exec(readme)?.[1];
      expect(block).toBeDefined();
      const run = spawnSync('bash', ['-e', '-c', block!], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
        // A user's shell: no INIT_CWD of an outer pnpm (pnpm mbz then runs in this cwd), no source condition.
        env: { ...userEnv({ WS: server.url, DB: db, BACKUP: backup }), INIT_CWD: repoRoot },
      });
      expect(run.status, run.stderr).toBe(0);
      const out = run.stdout.trim().split('\n');
      expect(JSON.parse(out[0]!)[0]).toMatchObject({ component: 'user', filearea: 'draft', filename: 'xs-3.mbz' });
      const { restoreid } = JSON.parse(out[1]!);
      expect(restoreid).toMatch(/^[0-9a-f]{32}$/);
      expect(out.at(-1)).toBe('{"status":1000,"progress":1.0}');
      const storage = createSqliteStorage({ path: db });
      await storage.open();
      try {
        const job = await storage.getJob(restoreid);
        expect(job).toMatchObject({ status: 1000, settings: expect.objectContaining({ users: 1 }) });
        expect(await storage.count('course', { id: job!.courseid! })).toBe(1);
      } finally {
        await storage.close();
      }
      const requests = server.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request');
      expect(requests.length).toBeGreaterThanOrEqual(3);
      expect(requests[0]).toMatchObject({
        method: 'POST',
        path: '/webservice/upload.php',
        status: 200,
        ms: expect.any(Number),
        files: 1,
        tokenid: 1,
      });
      expect(requests[1]).toMatchObject({
        path: '/webservice/rest/server.php',
        wsfunction: 'core_course_restore_async',
        restoreid,
      });
      for (const line of server.lines) expect(line).not.toMatch(/wstoken|"token"/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('SIGTERM lets the running restore finish, then exits 0', async () => {
    const db = join(dir, 'shutdown.sqlite');
    const token = runCli(['token', 'create', '--db', db]).lines[0]!;
    const server = await serve(db);
    const restoreid = uploadAndRestore(server.url, token);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = server.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain('shutting down: running restores finish, queued ones end interrupted');
    expect(messages.at(-1)).toBe('stopped');
    const storage = createSqliteStorage({ path: db });
    await storage.open();
    try {
      const job = await storage.getJob(restoreid);
      // Running when the signal came: it finished. (Still queued, it would have ended 900 interrupted.)
      if (job!.status === 900) expect(job!.error).toMatchObject({ code: 'interrupted' });
      else expect(job).toMatchObject({ status: 1000, progress: 1 });
    } finally {
      await storage.close();
    }
  });

  it('a second SIGTERM interrupts the running restore: it rolls back, ends 900 interrupted, and the server exits 0', async () => {
    const db = join(dir, 'forced.sqlite');
    const token = runCli(['token', 'create', '--db', db]).lines[0]!;
    const server = await serve(db);
    const restoreid = uploadAndRestore(server.url, token);
    const status = async () => {
      const body = new URLSearchParams({
        wstoken: token,
        wsfunction: 'core_course_restore_async_get_status',
        moodlewsrestformat: 'json',
        restoreid,
      });
      return (
        (await (await fetch(`${server.url}/webservice/rest/server.php`, { method: 'POST', body })).json()) as {
          status: number;
        }
      ).status;
    };
    // Running (not queued: a queued one would end interrupted on the first signal already).
    while ((await status()) === 700) await new Promise((r) => setTimeout(r, 20));
    const message = (l: string) => (JSON.parse(l) as { msg: string }).msg;
    server.child.kill('SIGTERM');
    // As a person does: the second signal once the first one's shutdown has begun.
    while (!server.lines.some((l) => message(l).startsWith('shutting down:')))
      await new Promise((r) => setTimeout(r, 20));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = server.lines.map(message);
    expect(messages).toContain('shutting down now: interrupting running restores');
    expect(messages.at(-1)).toBe('stopped');
    const workers = server.lines
      .map((l) => JSON.parse(l) as { msg: string; reason?: string })
      .filter((l) => l.msg.startsWith('restore worker'));
    expect(workers.map((l) => [l.msg, l.reason])).toEqual([
      ['restore worker started', undefined],
      ['restore worker ended', 'closed'],
    ]);
    const storage = createSqliteStorage({ path: db });
    await storage.open();
    try {
      expect(await storage.getJob(restoreid)).toMatchObject({
        status: 900,
        courseid: null,
        error: { code: 'interrupted' },
      });
      expect(await storage.count('course')).toBe(1);
    } finally {
      await storage.close();
    }
  });
});
