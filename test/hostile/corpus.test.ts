/**
 * Every failure-corpus case (but the heavy ones, see `corpus-heavy.test.ts`) through `inspectBackup()`
 * and `restore()` into both adapters: exactly the outcome the case table states; a failed restore leaves
 * the store exactly as it was (rows, blobs, jobs); a successful one leaves no dangling reference; nothing
 * is left in the temp area and nothing is ever written beside it. The time bound only proves "no hang":
 * every case takes well under a second here.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@mbz-restore/engine';
import { dumpStore } from '@mbz-restore/storage-contract';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { findDanglingReferences } from '@mbz-restore/test-support/integrity';
import { createArea, listTree, type Area } from './area.ts';
import { loadBaseBackup, type BaseBackup } from './base-backup.ts';
import { CORPUS_CASES } from './corpus-cases.ts';
import type { Outcome } from './outcome.ts';
import { inspectOutcome, restoreOutcome } from './run-case.ts';

/** Generous bound per entry point, far above the real cost, so a hang fails the test instead of the run. */
const NO_HANG_MS = 20_000;

let area: Area;
let base: BaseBackup;
/** The SQLite store every failing case restores into: it must stay exactly as it was created. */
let failures: StorageAdapter;

beforeAll(async () => {
  area = await createArea('mbz-corpus-');
  base = await loadBaseBackup();
  failures = createSqliteStorage({ path: join(area.stores, 'failures.sqlite') });
  await failures.open();
});
afterAll(async () => {
  await failures?.close();
  await area?.remove();
});

describe('failure corpus: inspect and restore (memory, SQLite)', () => {
  it.each(CORPUS_CASES.filter((c) => !c.heavy).map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const path = join(area.cases, `${c.id}.mbz`);
    await c.build(path, base);

    expect(await timed(() => inspectOutcome(path)), 'inspect').toEqual(c.inspect);

    const memory = createMemoryStorage();
    await memory.open();
    try {
      await expectRestore(path, memory, c.restore, 'memory');
    } finally {
      await memory.close();
    }
    if ('error' in c.restore) {
      await expectRestore(path, failures, c.restore, 'sqlite');
    } else {
      // A fresh store: what a restore does can depend on what the store holds (content it already has is not read again).
      const store = createSqliteStorage({ path: join(area.stores, `${c.id}.sqlite`) });
      await store.open();
      try {
        await expectRestore(path, store, c.restore, 'sqlite');
      } finally {
        await store.close();
      }
    }

    expect(await listTree(area.tmp), 'the temp area is empty again').toEqual([]);
    expect(await listTree(area.marker), 'nothing was written beside the temp area').toEqual([]);
  });
});

// Internal helpers

async function expectRestore(path: string, storage: StorageAdapter, expected: Outcome, label: string): Promise<void> {
  const before = await dumpStore(storage);
  const outcome = await timed(() => restoreOutcome(path, storage, area.tmp));
  expect(outcome, `restore into ${label}`).toEqual(expected);
  if ('error' in expected) expect(await dumpStore(storage), `${label} store unchanged`).toEqual(before);
  else expect(await findDanglingReferences(storage), `${label} store has no dangling reference`).toEqual([]);
}

async function timed<T>(run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await run();
  expect(performance.now() - started, 'no hang').toBeLessThan(NO_HANG_MS);
  return value;
}
