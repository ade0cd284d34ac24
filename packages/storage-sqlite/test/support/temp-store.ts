/** Test helpers: a store path in a new temp folder (removed after the test file), and those of drivers.ts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
export { AFTER_MERGE_SQL, rawConnection, spyDriver } from './drivers.ts';

/** One temp folder per test file, removed after its tests; each store gets a folder of its own inside it. */
const root = mkdtempSync(join(tmpdir(), 'mbz-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A path for a new store. */
export function tempStorePath(): string {
  return join(mkdtempSync(join(root, 'store-')), 'store.sqlite');
}
