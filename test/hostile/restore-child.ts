/**
 * Child process of the kill-at-random test: restores a backup into a SQLite store and says where it is
 * on stdout, one line each: `ready` just before the restore starts (imports done, store open), then
 * `done {"courseid":…,"ms":…}` once it has committed. The parent kills it with SIGKILL at random moments
 * in between.
 *
 * Usage: node --import tsx test/hostile/restore-child.ts <backup> <sqlite file> <temp dir>
 */
import { restore } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { CORPUS_RESTORE_OPTIONS } from './run-case.ts';

const [backup, db, tempDir] = process.argv.slice(2);
if (!backup || !db || !tempDir) {
  process.stderr.write('usage: restore-child.ts <backup> <sqlite file> <temp dir>\n');
  process.exit(2);
}
const storage = createSqliteStorage({ path: db });
await storage.open();
process.stdout.write('ready\n');
const started = performance.now();
const result = await restore(backup, { storage, tempDir, options: CORPUS_RESTORE_OPTIONS });
process.stdout.write(
  `done ${JSON.stringify({ courseid: result.courseid, counts: result.counts, ms: Math.round(performance.now() - started) })}\n`,
);
await storage.close();
