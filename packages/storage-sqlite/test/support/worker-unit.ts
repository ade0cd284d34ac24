/** Run in a worker thread: opens the store from a StorageOpenSpec and commits one course; posts its id. */
import { parentPort, workerData } from 'node:worker_threads';
import type { StorageAdapter, StorageOpenSpec, JobStore } from '@mbz-restore/engine';

const spec = workerData as StorageOpenSpec;
const mod = (await import(spec.module)) as Record<string, (options: unknown) => StorageAdapter & JobStore>;
const adapter = mod[spec.factory]!(spec.options);
const tx = await adapter.begin();
const id = await tx.allocateIds('course', 1);
await tx.insert('course', [{ id, category: 1, fullname: 'From a worker', shortname: 'WORKER' }]);
await tx.commit();
await adapter.putJob({
  restoreid: 'f'.repeat(32),
  status: 1000,
  progress: 1,
  stage: 'done',
  categoryid: 1,
  courseid: id,
  settings: {},
  error: null,
  warnings: [],
  source: 'worker',
  userid: 2,
  timecreated: 1,
  timemodified: 2,
  timestarted: 1,
  timefinished: 2,
  owner: 'worker',
  heartbeat: null,
});
await adapter.close();
parentPort!.postMessage(id);
