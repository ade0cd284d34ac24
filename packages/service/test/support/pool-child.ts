/**
 * Run as a child process by the worker exit test: restores a backup three times, one after the other, through
 * a service with pooled worker threads (kept for ten minutes when free), prints one JSON line with the thread
 * of each restore and the worker threads that ended, and then lets the process end by itself (no
 * `process.exit`). With `close` it closes the service first; with `leave` it does not, and the free worker
 * thread must not keep the process alive; with `recycle` every thread is ended after its restore
 * (`workerMemory.recycleAboveMb` 1) and the service is closed at once, while the last thread is still ending.
 * Arguments: <store path> <backup path> <close|leave|recycle>.
 */
import { createRestoreService } from '@mbz-restore/service';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';

const [db, backup, mode] = process.argv.slice(2) as [string, string, 'close' | 'leave' | 'recycle'];
const storage = createSqliteStorage({ path: db });
const service = await createRestoreService({
  storage,
  workers: true,
  concurrency: 2,
  workerIdleMs: 600_000,
  ...(mode === 'recycle' ? { workerMemory: { recycleAboveMb: 1 } } : {}),
});
const threads: number[] = [];
const exited: string[] = [];
service.on('started', (event) => threads.push(event.threadId));
service.on('workerExited', (event) => exited.push(event.reason));
for (let i = 0; i < 3; i++) {
  const completed = new Promise((resolve) => service.once('completed', resolve));
  await service.restoreFile(backup);
  await completed;
}
if (mode !== 'leave') await service.close();
await storage.close();
process.stdout.write(`${JSON.stringify({ threads, exited })}\n`);
