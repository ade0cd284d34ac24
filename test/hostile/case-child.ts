/**
 * Child process for the corpus cases that stream gigabytes: runs one file through one entry point —
 * `inspectBackup()`, `restore()` into a memory store, `restore()` into a SQLite store, or the async
 * restore service — then prints one JSON line with the outcome and the process's peak RSS, so the parent
 * can bound the memory a bomb costs each entry point (one process each, so no run inherits another's heap).
 *
 * Usage: node --import tsx test/hostile/case-child.ts <inspect|memory|sqlite|service> <backup> <sqlite file> <temp dir>
 */
import { createRestoreService } from '@mbz-restore/service';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import {
  ENTRY_POINTS,
  inspectOutcome,
  restoreOutcome,
  type ChildReport,
  type EntryPoint,
  type Observed,
} from './run-case.ts';
import { serviceOutcome } from './run-service.ts';

const [entryPoint, backup, dbPath, tempDir] = process.argv.slice(2);
if (!ENTRY_POINTS.includes(entryPoint as EntryPoint) || !backup || !dbPath || !tempDir) {
  process.stderr.write('usage: case-child.ts <inspect|memory|sqlite|service> <backup> <sqlite file> <temp dir>\n');
  process.exit(2);
}

const outcome = await run(entryPoint as EntryPoint, backup, dbPath, tempDir);
const report: ChildReport = { outcome, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
process.stdout.write(`${JSON.stringify(report)}\n`);

async function run(which: EntryPoint, path: string, db: string, temp: string): Promise<Observed> {
  if (which === 'inspect') return inspectOutcome(path);
  if (which === 'service') {
    // A memory store keeps the restore on this thread, so its memory counts here.
    const service = await createRestoreService({ storage: createMemoryStorage(), tempDir: temp, concurrency: 1 });
    try {
      return (await serviceOutcome(service, path)).outcome;
    } finally {
      await service.close();
    }
  }
  const storage = which === 'memory' ? createMemoryStorage() : createSqliteStorage({ path: db });
  await storage.open();
  try {
    return await restoreOutcome(path, storage, temp);
  } finally {
    await storage.close();
  }
}
