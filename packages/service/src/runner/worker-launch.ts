/**
 * Starting a restore worker thread, from sources or from a build. A built engine (`.js`) starts its worker
 * entry directly. Run from TypeScript sources (tsx, vitest), the entry is a `.ts` file, and a worker does
 * not inherit the parent's TypeScript loader: tsx registers itself on the main thread only under Node 20,
 * and vitest transforms its own modules without a Node loader at all. So a `.ts` entry is started through a
 * two-line bootstrap that registers tsx in the worker (`tsx/esm/api`, resolved from this file) and then
 * imports the entry. This is the only place that knows about it.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { InvalidArgumentError } from '@mbz-restore/engine';

/** The restore worker's entry module, next to this file (`.ts` from sources, `.js` when built). */
export function restoreWorkerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './restore-worker.ts' : './restore-worker.js', import.meta.url);
}

/** Starts a worker thread on `entry` with `workerData` and heap limits, registering tsx first when `entry` is TypeScript. */
export function startWorker(entry: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, resourceLimits });
  const boot = `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  // No loader flag of the parent's (tsx does register in workers on newer Node, so it would be registered twice), but
  // the `source` export condition: from sources, the workspace's packages resolve to their TypeScript, not to dist.
  return new Worker(boot, { eval: true, workerData, execArgv: ['--conditions=source'], resourceLimits });
}

// Internal helpers

function tsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch (error) {
    throw new InvalidArgumentError(
      'The engine runs from TypeScript sources, so a restore worker needs tsx to load them, and tsx cannot be found. ' +
        'Install tsx, use the built package, or create the service with workers: false.',
      { cause: error },
    );
  }
}
