/**
 * Run as a child process by the crash test: restores a backup into a SQLite store through the restore service
 * and prints `{"restoreid"}` and then every progress event as JSON lines, until the test kills it.
 * Arguments: <store path> <backup path>.
 */
import { createRestoreService } from '@mbz-restore/service';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';

const [db, backup] = process.argv.slice(2) as [string, string];
const storage = createSqliteStorage({ path: db });
const service = await createRestoreService({ storage, progressIntervalMs: 0, concurrency: 1 });
service.on('progress', (event) => process.stdout.write(`${JSON.stringify(event)}\n`));
const { restoreid } = await service.restoreFile(backup, { options: { users: 1, logs: 1, grade_histories: 1 } });
process.stdout.write(`${JSON.stringify({ restoreid })}\n`);
await service.onIdle();
await service.close();
await storage.close();
