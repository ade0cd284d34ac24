/**
 * The `mbz` bin as a user meets it: the built JavaScript run with plain node, from a folder of the user's that is
 * not the repository, with relative paths. Each behaviour a Node developer or an administrator expects of a CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT_OPTIONS } from '@mbz-restore/engine/options';
import { MBZ_BIN, runCli, userEnv } from '@mbz-restore/test-support/cli';
import { generated, withDamagedBlob, withDoctypeCourseXml } from '@mbz-restore/test-support/backups';
import { generatedFixture, hasShared, mbzFixture, repoRoot } from '@mbz-restore/test-support/shared';
import { testTempDir } from '@mbz-restore/test-support/temp';
// Imported with the file (not inside a test), so that its afterAll drops the databases it makes.
import { freshDatabase } from '@mbz-restore/test-support/postgres';

const VERSION = (
  JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }
).version;

/** A folder of the user's holding a copy of the xs backup as `course.mbz`. */
async function userFolder(): Promise<string> {
  const dir = testTempDir('user-');
  copyFileSync(await generated('xs'), join(dir, 'course.mbz'));
  return dir;
}

describe('mbz, run from a user folder', () => {
  it('--version prints the version; bare mbz prints the help and exits 2', () => {
    const version = runCli(['--version'], { cwd: testTempDir() });
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
    const bare = runCli([], { cwd: testTempDir() });
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('Usage: mbz');
    expect(bare.stderr).toContain('restore [options] <file>');
  });

  it('relative paths resolve from the folder the command is typed in, also through `pnpm mbz` (INIT_CWD)', async () => {
    const dir = await userFolder();
    const direct = runCli(['restore', 'course.mbz', '--db', 'store.sqlite', '--json'], { cwd: dir });
    expect(direct.status, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout).courseid).toBeGreaterThan(1);
    // What the root script does: pnpm starts it in the repository and keeps the user's folder in INIT_CWD.
    const viaRoot = spawnSync(
      process.execPath,
      [join(repoRoot, 'scripts', 'mbz.mjs'), 'inspect', '--json', 'course.mbz'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: userEnv({ INIT_CWD: dir }),
      },
    );
    expect(viaRoot.status, viaRoot.stderr).toBe(0);
    expect(JSON.parse(viaRoot.stdout).originalCourse.shortname).toBeTruthy();
    const db = new Database(join(dir, 'store.sqlite'), { readonly: true });
    expect((db.prepare('select count(*) as n from mdl_course').get() as { n: number }).n).toBe(2);
    db.close();
  });

  it('a missing file is named once, by its absolute path; --json error lines carry the path', () => {
    const dir = testTempDir();
    const plain = runCli(['inspect', 'nope.mbz'], { cwd: dir });
    expect(plain.status).toBe(1);
    const absolute = resolve(dir, 'nope.mbz');
    expect(plain.stderr.split(absolute).length - 1, plain.stderr).toBe(1);
    expect(plain.stderr).toContain('[archive.not-found]');
    const json = runCli(['inspect', '--json', 'nope.mbz', 'also-missing.mbz'], { cwd: dir });
    expect(json.lines.map((l) => JSON.parse(l).path)).toEqual(['nope.mbz', 'also-missing.mbz']);
    expect(JSON.parse(json.lines[0]!).error.code).toBe('archive.not-found');
  });

  it('restore without a file says the file is missing (exit 2), and without --db says --db is missing', async () => {
    const noFile = runCli(['restore'], { cwd: testTempDir() });
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain("missing required argument 'file'");
    const noDb = runCli(['restore', 'course.mbz'], { cwd: await userFolder() });
    expect(noDb.status).toBe(2);
    expect(noDb.stderr).toContain('--db');
  });

  it('--detach prints the restore id alone on stdout, the sentence on stderr', async () => {
    const dir = await userFolder();
    const detached = runCli(['restore', 'course.mbz', '--db', 'store.sqlite', '--detach'], { cwd: dir });
    expect(detached.status, detached.stderr).toBe(0);
    expect(detached.stdout).toMatch(/^[0-9a-f]{32}\n$/);
    expect(detached.stderr).toContain(`mbz status ${detached.stdout.trim()}`);
    const watched = runCli(['status', detached.stdout.trim(), '--db', 'store.sqlite', '--watch', '--json'], {
      cwd: dir,
    });
    expect(watched.status, watched.stderr).toBe(0);
    expect(watched.lines.at(-1)).toBe('{"status":1000,"progress":1}');
  });

  it('restore --help lists every restore option with its default and what it depends on', () => {
    const help = runCli(['restore', '--help'], { cwd: testTempDir() });
    expect(help.status).toBe(0);
    for (const spec of ROOT_OPTIONS) expect(help.stdout).toMatch(new RegExp(`^  ${spec.name}=\\S+\\s+default `, 'm'));
    expect(help.stdout).toMatch(/^ {2}role_assignments=0\|1\s+default 0; .*0 when users is 0/m);
    expect(help.stdout).toMatch(/^ {2}<mod>_<cmid>_userinfo=0\|1\s+default/m);
  });

  it.skipIf(!hasShared())('an option forced off by another or by the backup is an option-capped warning', () => {
    const dir = testTempDir();
    const nousers = runCli(
      ['restore', generatedFixture('gen_s_nousers.mbz'), '--db', 'a.sqlite', '--json', '--option', 'users=1'],
      { cwd: dir },
    );
    expect(nousers.status, nousers.stderr).toBe(0);
    const capped = JSON.parse(nousers.stdout).warnings.filter((w: { code: string }) => w.code === 'option-capped');
    expect(capped.map((w: { message: string }) => w.message)).toEqual([
      expect.stringMatching(/^users=1 was set to 0: the backup was made with users off/),
    ]);
    const locked = runCli(
      [
        'restore',
        mbzFixture('report_advancedgrading__tests-fixtures-backup-advgrade.mbz'),
        '--db',
        'b.sqlite',
        '--json',
        '--option',
        'users=0',
        '--option',
        'role_assignments=1',
      ],
      { cwd: dir },
    );
    expect(locked.status, locked.stderr).toBe(0);
    expect(JSON.parse(locked.stdout).warnings).toContainEqual(
      expect.objectContaining({
        code: 'option-capped',
        message: expect.stringMatching(/^role_assignments=1 was set to 0: users is 0/),
      }),
    );
  });

  it('inspect --verify finds what a restore would stop on, and exits 1 on a damaged backup', async () => {
    const dir = testTempDir();
    const sound = runCli(['inspect', '--verify', await generated('xs')], { cwd: dir });
    expect(sound.status, sound.stderr).toBe(0);
    expect(sound.stdout).toContain('Verified: every XML file is well-formed and every blob matches its SHA-1.');
    const doctype = runCli(['inspect', '--verify', '--json', await withDoctypeCourseXml()], { cwd: dir });
    expect(doctype.status).toBe(1);
    expect(JSON.parse(doctype.stdout).problems).toEqual([
      expect.objectContaining({ code: 'xml.doctype-forbidden', entry: 'course/course.xml' }),
    ]);
    const blob = runCli(['inspect', '--verify', '--json', await withDamagedBlob()], { cwd: dir });
    expect(blob.status).toBe(1);
    expect(JSON.parse(blob.stdout).problems).toEqual([expect.objectContaining({ code: 'backup.blob-mismatch' })]);
    // Without --verify the damaged XML file is not read: the backup inspects clean.
    expect(runCli(['inspect', '--json', await withDoctypeCourseXml()], { cwd: dir }).status).toBe(0);
  });

  it.skipIf(!hasShared())('speaks English plurals', () => {
    const one = runCli(
      ['inspect', mbzFixture('tool_driprelease__tests-fixtures-driprelase_25_quizzes__vba3d5ed.mbz')],
      { cwd: testTempDir() },
    );
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^ {2}Contents {3}1 section, 25 activities, no users$/m);
    const counted = one.stdout.split('\n').filter((line) => !line.trimStart().startsWith('Settings'));
    expect(counted.join('\n')).not.toMatch(
      /(^|[ (])1 (sections|activities|users|blobs|files|records|categories|questions)\b/m,
    );
  });

  it('Ctrl+C during a foreground restore rolls it back, says nothing was written, and exits 130', async () => {
    const dir = testTempDir();
    const backup = await generated('s');
    const child = spawn(
      process.execPath,
      [MBZ_BIN, 'restore', backup, '--db', 'store.sqlite', '--option', 'users=1', '--option', 'logs=1'],
      {
        cwd: dir,
        env: userEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Wait until the restore's unit of work has its staging file (the restore is under way, nothing committed), then
    // interrupt it as a terminal's Ctrl+C does.
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const staging = join(dir, 'store.sqlite.staging');
    for (let i = 0; i < 1000 && !(existsSync(staging) && readdirSync(staging).some((f) => f.endsWith('.db'))); i++) {
      await new Promise((done) => setTimeout(done, 10));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('nothing was written to the store');
    const db = new Database(join(dir, 'store.sqlite'), { readonly: true });
    expect((db.prepare('select count(*) as n from mdl_course').get() as { n: number }).n).toBe(1);
    db.close();
  });
});

describe('mbz serve: usage mistakes are usage errors', () => {
  it('a port in use is exit 1 with serve.address-in-use; a port out of range and an unknown host are exit 2', async () => {
    const dir = testTempDir();
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const inUse = runCli(['serve', '--db', 'store.sqlite', '--port', String(port)], { cwd: dir });
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toContain('[serve.address-in-use]');
      expect(inUse.stderr).not.toContain('Unexpected error');
    } finally {
      taken.close();
    }
    const range = runCli(['serve', '--db', 'store.sqlite', '--port', '70000'], { cwd: dir });
    expect(range.status).toBe(2);
    expect(range.stderr).toContain('--port must be a whole number from 0 to 65535');
    const host = runCli(['serve', '--db', 'store.sqlite', '--host', 'no-such-host.invalid', '--port', '0'], {
      cwd: dir,
    });
    expect(host.status).toBe(2);
    expect(host.stderr).toContain('--host no-such-host.invalid');
  });
});

describe('choosing a store: --db, --pg or DATABASE_URL', () => {
  it('--db and --pg together, a --pg that is no postgres:// URL, --filedir without --pg, and --workers with --db are usage errors', async () => {
    const cwd = await userFolder();
    const both = runCli(['restore', 'course.mbz', '--db', 'x.sqlite', '--pg', 'postgres://127.0.0.1/x'], { cwd });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('not both');
    const notUrl = runCli(['jobs', '--pg', 'x.sqlite'], { cwd });
    expect(notUrl.status).toBe(2);
    expect(notUrl.stderr).toContain('--pg must be a postgres:// URL');
    const filedir = runCli(['restore', 'course.mbz', '--db', 'x.sqlite', '--filedir', 'files'], { cwd });
    expect(filedir.status).toBe(2);
    expect(filedir.stderr).toContain('--filedir goes with --pg');
    const workers = runCli(['serve', '--db', 'x.sqlite', '--workers', '2', '--port', '0'], { cwd });
    expect(workers.status).toBe(2);
    expect(workers.stderr).toContain('--workers goes with --pg');
    const worker = runCli(['worker'], { cwd });
    expect(worker.status).toBe(2);
    expect(worker.stderr).toContain('--pg');
    expect(existsSync(join(cwd, 'x.sqlite'))).toBe(false);
  });

  it('DATABASE_URL stands for --pg: a restore, its job list and a password never printed', async () => {
    const url = await freshDatabase();
    const cwd = await userFolder();
    const run = runCli(['restore', 'course.mbz', '--json'], { cwd, env: userEnv({ DATABASE_URL: url }) });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).courseid).toBeGreaterThan(1);
    const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:secret@');
    const queued = runCli(['restore', 'course.mbz', '--pg', withPassword, '--detach'], { cwd });
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stderr).toContain('postgres:***@');
    expect(queued.stderr).not.toContain('secret');
    const jobs = runCli(['jobs', '--json'], { cwd, env: userEnv({ DATABASE_URL: url }) });
    expect(jobs.status, jobs.stderr).toBe(0);
    expect(JSON.parse(jobs.stdout.trim())).toMatchObject({ restoreid: queued.stdout.trim(), status: 700 });
  });
});

describe('the repository', () => {
  it("ignores a store's blob and staging folders", () => {
    const ignored = spawnSync(
      'git',
      ['check-ignore', 'x/store.sqlite.blobs/ab/abc', 'store.sqlite.staging/u.db', 'store.sqlite'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(ignored.stdout.trim().split('\n')).toHaveLength(3);
  });
});
