/**
 * Temp folders that tests do not have to remember to remove: one root per test file, created on first use and
 * removed with everything in it after the file's tests (the run fails when a test leaves files behind).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

let root: string | undefined;
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A new empty folder, removed after this test file. */
export function testTempDir(prefix = 'dir-'): string {
  root ??= mkdtempSync(join(tmpdir(), 'mbz-test-'));
  return mkdtempSync(join(root, prefix));
}
