/**
 * The main job of the README: make a sample backup with the project's generator (cached in
 * `.cache/demo/`), show what is inside it, restore it with users and all their data into a fresh
 * embedded SQLite file (`.cache/demo/demo.sqlite`, with a progress bar) and print what was restored.
 * `pnpm demo path/to/backup.mbz` restores another backup instead.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '@mbz-restore/cli';

const dir = join(process.cwd(), '.cache', 'demo');
await mkdir(dir, { recursive: true });
let backup = process.argv[2];
if (!backup) {
  backup = join(dir, 'sample-s.mbz');
  if (!existsSync(backup)) {
    const code = await run(['generate', '--size', 's', '--out', backup]);
    if (code !== 0) process.exit(code);
  }
}
process.stdout.write('\n');
let code = await run(['inspect', backup]);
if (code !== 0) process.exit(code);
const db = join(dir, 'demo.sqlite');
await rm(`${db}`, { force: true });
await rm(`${db}.blobs`, { recursive: true, force: true });
process.stdout.write('\n');
// Moodle's own CLI restore keeps everything the backup has; MDL-64915's defaults would leave users out.
const withUsers = ['users', 'role_assignments', 'comments', 'userscompletion', 'logs', 'grade_histories'];
code = await run(['restore', backup, '--db', db, ...withUsers.flatMap((name) => ['--option', `${name}=1`])]);
process.exitCode = code;
if (code === 0)
  process.stdout.write(
    `\nQuery it: sqlite3 ${join('.cache', 'demo', 'demo.sqlite')} "select id, fullname, shortname from mdl_course"\n`,
  );
