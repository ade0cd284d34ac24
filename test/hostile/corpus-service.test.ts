/**
 * Every failure-corpus case (but the heavy ones, which `case-child.ts` also runs through the service)
 * through the asynchronous restore service on a memory store, plus one case per kind of outcome on a SQLite
 * store with its restores in worker threads (a thread start costs seconds, too much for every case): the
 * stated error code — refused at once by the precheck, or the job ended at 900 with it — or the job ended at
 * 1000 with exactly the stated warnings. A failed restore keeps nothing but its job record: the store's
 * tables and blobs are as they were after the upload. Nothing is left in the temp area or written beside it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore, StorageAdapter } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { dumpStore, type StoreDump } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { createArea, listTree, type Area } from './area.ts';
import { loadBaseBackup, type BaseBackup } from './base-backup.ts';
import { CORPUS_CASES } from './corpus-cases.ts';
import { restoreDraft } from './run-service.ts';

let area: Area;
let base: BaseBackup;

beforeAll(async () => {
  area = await createArea('mbz-corpus-service-');
  base = await loadBaseBackup();
});
afterAll(async () => {
  await area?.remove();
});

/** One case per kind of outcome: refused by the precheck, ended 900 (archive, XML, content), ended 1000 with warnings. */
const THREAD_SAMPLE = [
  'zip-path-traversal',
  'tar-path-traversal',
  'malformed-users',
  'blob-sha1-mismatch',
  'blob-missing',
];

const setups: Array<[string, (id: string) => StorageAdapter & JobStore, (id: string) => boolean]> = [
  ['memory store, calling thread', () => createMemoryStorage(), () => true],
  [
    'SQLite store, worker threads',
    (id) => createSqliteStorage({ path: join(area.stores, `${id}.sqlite`) }),
    (id) => THREAD_SAMPLE.includes(id),
  ],
];

describe.each(setups)('failure corpus through the restore service (%s)', (_label, create, selected) => {
  it.each(CORPUS_CASES.filter((c) => !c.heavy && selected(c.id)).map((c) => [c.id, c] as const))(
    '%s',
    async (_id, c) => {
      const path = join(area.cases, `${c.id}.mbz`);
      await c.build(path, base);
      // A store of its own: what a restore does can depend on what the store holds.
      const storage = create(c.id);
      const service: RestoreService = await createRestoreService({ storage, tempDir: area.tmp, concurrency: 1 });
      try {
        const draft = await service.saveDraftFile(path, { filename: `${c.id}.mbz` });
        const uploaded = await dumpStore(storage);
        const run = await restoreDraft(service, draft);
        const expected = c.service ?? c.restore;
        expect(run.outcome).toEqual(expected);
        if ('error' in expected) {
          const after = await dumpStore(storage);
          expect(withoutJobs(after), 'a failed restore keeps nothing but its job record').toEqual(
            withoutJobs(uploaded),
          );
          expect(after.jobs.length - uploaded.jobs.length).toBe(run.at === 'precheck' ? 0 : 1);
        }
      } finally {
        await service.close();
        await storage.close();
      }
      expect(
        (await listTree(area.tmp)).filter((p) => p !== 'mbz-restore-jobs'),
        'the temp area is empty again',
      ).toEqual([]);
      expect(await listTree(area.marker), 'nothing was written beside the temp area').toEqual([]);
    },
  );
});

// Internal helpers

/** Tables and blobs of a dump, without the job records (Moodle's `backup_controllers` table holds them). */
function withoutJobs(dump: StoreDump): Omit<StoreDump, 'jobs'> {
  const { backup_controllers: _jobs, ...tables } = dump.tables;
  return { tables, blobs: dump.blobs };
}
