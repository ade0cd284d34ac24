/**
 * Where the service runs restores: in a pool of worker threads (`worker-pool.ts`) when the store can be opened
 * from one, else on the calling thread (`restore-runner.ts`).
 */
import { InvalidArgumentError } from '@mbz-restore/engine';
import { threadRunner, type RestoreRunner } from './restore-runner.ts';
import type { RestoreServiceOptions } from '../types.ts';
import { WorkerPool, type WorkerLifecycleEvent } from './worker-pool.ts';

/** Default of {@link RestoreServiceOptions.workerIdleMs}. */
export const DEFAULT_WORKER_IDLE_MS = 30_000;
/** Default of {@link RestoreServiceOptions.cancelTimeoutMs}. */
export const DEFAULT_CANCEL_TIMEOUT_MS = 30_000;
/** Default of {@link RestoreServiceOptions.workerMemory}. */
export const DEFAULT_WORKER_MEMORY = {
  maxOldGenerationSizeMb: 384,
  maxYoungGenerationSizeMb: 16,
  recycleAboveMb: 88,
} as const;

/**
 * Where the service runs restores: a {@link WorkerPool} when the adapter is worker-safe and `workers` allows it
 * (`'auto'`, the default, or `true`), else the calling thread. `workers: true` on an adapter that is not
 * worker-safe is an error.
 */
export function runnerFor(
  options: Pick<RestoreServiceOptions, 'storage' | 'workers' | 'workerIdleMs' | 'cancelTimeoutMs' | 'workerMemory'>,
  onLifecycle?: (event: WorkerLifecycleEvent) => void,
): RestoreRunner {
  const { storage } = options;
  const safe = storage.capabilities.workerSafe && typeof storage.workerOpenSpec === 'function';
  const workers = options.workers ?? 'auto';
  if (workers === true && !safe) {
    throw new InvalidArgumentError(
      `The ${storage.name} store cannot be opened from a worker thread (capabilities.workerSafe is false); use workers: false or 'auto'.`,
    );
  }
  if (workers === false || !safe) return threadRunner(storage);
  return new WorkerPool({
    spec: storage.workerOpenSpec!(),
    idleMs: milliseconds('workerIdleMs', options.workerIdleMs ?? DEFAULT_WORKER_IDLE_MS),
    cancelTimeoutMs: milliseconds('cancelTimeoutMs', options.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS),
    resourceLimits: {
      maxOldGenerationSizeMb: megabytes(
        'maxOldGenerationSizeMb',
        options.workerMemory?.maxOldGenerationSizeMb ?? DEFAULT_WORKER_MEMORY.maxOldGenerationSizeMb,
      ),
      maxYoungGenerationSizeMb: megabytes(
        'maxYoungGenerationSizeMb',
        options.workerMemory?.maxYoungGenerationSizeMb ?? DEFAULT_WORKER_MEMORY.maxYoungGenerationSizeMb,
      ),
    },
    recycleAboveBytes:
      megabytes('recycleAboveMb', options.workerMemory?.recycleAboveMb ?? DEFAULT_WORKER_MEMORY.recycleAboveMb) *
      2 ** 20,
    onLifecycle,
  });
}

// Internal helpers

function megabytes(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`workerMemory.${name} must be a whole number of MB ≥ 1, got ${value}.`);
  return value;
}

function milliseconds(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(`${name} must be a whole number of milliseconds ≥ 0, got ${value}.`);
  return value;
}
