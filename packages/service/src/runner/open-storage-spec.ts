/**
 * Opening a store from a {@link StorageOpenSpec} inside a worker: `(await import(module))[factory](options)`.
 * The worker imports `module` by name; when that fails because the engine cannot see the adapter package
 * (the engine does not depend on its adapters), the name is resolved from the files the service passes
 * (the main script, the working folder), where the application that chose the adapter can see it.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, type StorageAdapter, type StorageOpenSpec } from '@mbz-restore/engine';

/** A new adapter on the store `spec` describes (not opened yet). */
export async function openStorageSpec(spec: StorageOpenSpec, resolveFrom: readonly string[]): Promise<StorageAdapter> {
  const mod = (await importFrom(spec.module, resolveFrom)) as Record<string, unknown>;
  const factory = mod[spec.factory];
  if (typeof factory !== 'function') {
    throw new InvalidArgumentError(
      `${spec.module} has no export ${spec.factory} to open the store with (from the adapter's workerOpenSpec()).`,
    );
  }
  return (factory as (options: unknown) => StorageAdapter)(spec.options);
}

// Internal helpers

async function importFrom(specifier: string, resolveFrom: readonly string[]): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const from of resolveFrom) {
      let path: string;
      try {
        path = createRequire(from).resolve(specifier);
      } catch {
        continue;
      }
      return import(pathToFileURL(path).href);
    }
    throw error;
  }
}
