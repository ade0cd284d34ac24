/**
 * Entry of a restore worker thread. It runs the restores the service sends (`run`), one at a time, each to
 * its end: `restore()` settles only once its unit of work has committed or rolled back, and only then is `done`
 * or `error` posted, so the service never hands this thread another restore while a unit of work is open.
 *
 * The store handle is opened at the first restore and kept for the next ones, closed at `stop`. Opening it
 * (importing the adapter, checking the schema, recovering what a crash left) is work a restore need not
 * repeat, and a handle carries nothing from one restore to the next but its connection and caches: each
 * restore is a unit of work of its own, exactly as on the calling thread, where one handle serves every restore.
 * A handle whose opening failed is dropped, and the next restore tries again.
 *
 * Before committing, the worker posts `committing`: from then on the restore cannot be cancelled and the
 * service does not terminate the thread. With a restore's end it posts how much memory the thread holds, so the
 * pool can end a thread a large restore left big rather than keep it (`workerMemory.recycleAboveMb`).
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { restore, type StorageAdapter, type StorageTransaction } from '@mbz-restore/engine';
import { openStorageSpec } from './open-storage-spec.ts';
import { progressFilter, toOutcome, type RestoreInput } from './restore-runner.ts';
import { serializeError, type RestoreWorkerData, type ServiceMessage, type WorkerMessage } from './worker-protocol.ts';

const data = workerData as RestoreWorkerData;
const port = parentPort!;
const post = (message: WorkerMessage): void => port.postMessage(message);
let storage: StorageAdapter | undefined;
let current: { jobId: string; controller: AbortController } | undefined;
let stopping = false;

port.on('message', (message: ServiceMessage) => {
  if (message.type === 'run') void run(message.jobId, message.input);
  else if (message.type === 'cancel' && current?.jobId === message.jobId) current.controller.abort();
  else if (message.type === 'stop') {
    stopping = true;
    if (!current) void stop();
  }
});

async function run(jobId: string, input: RestoreInput): Promise<void> {
  if (current) {
    post({
      type: 'error',
      jobId,
      error: {
        name: 'Error',
        message: `The restore worker was given restore ${jobId} while restore ${current.jobId} ran.`,
      },
      heapBytes: heapBytes(),
    });
    return;
  }
  const controller = new AbortController();
  current = { jobId, controller };
  try {
    const store = announcingCommit(await openStore(), () => post({ type: 'committing', jobId }));
    const pass = progressFilter();
    const result = await restore(input.path, {
      ...input,
      storage: store,
      signal: controller.signal,
      onProgress: (p) => {
        if (pass(p)) post({ type: 'progress', jobId, stage: p.stage, fraction: p.fraction });
      },
    });
    post({ type: 'done', jobId, outcome: toOutcome(result), heapBytes: heapBytes() });
  } catch (error) {
    post({ type: 'error', jobId, error: serializeError(error), heapBytes: heapBytes() });
  } finally {
    current = undefined;
    if (stopping) await stop();
  }
}

/** The thread's heap as reserved from the system, and its external memory: what ending the thread gives back. */
function heapBytes(): number {
  const heap = getHeapStatistics();
  return heap.total_heap_size + heap.external_memory;
}

async function openStore(): Promise<StorageAdapter> {
  if (storage) return storage;
  const opened = await openStorageSpec(data.storage, data.resolveFrom);
  try {
    await opened.open();
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
  storage = opened;
  return opened;
}

async function stop(): Promise<void> {
  await storage?.close().catch(() => undefined);
  storage = undefined;
  // No restore runs (stop is only acted on between restores), so nothing the service waits for is lost.
  process.exit(0);
}

/** `store`, whose units of work call `announce` just before they commit. */
function announcingCommit(store: StorageAdapter, announce: () => void): StorageAdapter {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'begin') return async () => withAnnouncedCommit(await target.begin(), announce);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function withAnnouncedCommit(tx: StorageTransaction, announce: () => void): StorageTransaction {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'commit') {
        return () => {
          announce();
          return target.commit();
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
