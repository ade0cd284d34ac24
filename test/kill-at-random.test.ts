/**
 * A restore killed at random points (SIGKILL, so nothing of the process gets to clean up) leaves a SQLite
 * store that opens cleanly, passes SQLite's `PRAGMA integrity_check`, and holds none of that course: every
 * table, every blob and every job exactly as before. A kill that lands after the commit is durable leaves
 * the whole course instead (all or nothing), which is checked against an uninterrupted restore's counts.
 *
 * Each attempt restores into a fresh copy of a store that already holds a course, in a child process
 * (`hostile/restore-child.ts`); the parent waits for the child's `ready`, then kills it after a delay drawn
 * with a fixed seed, stratified over the length of an uninterrupted restore so the kills spread from the
 * first stage to the commit. The run prints how many kills landed during the restore.
 */
import { spawn } from 'node:child_process';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createRng, generateBackup } from '@mbz-restore/generator';
import { dumpStore, type StoreDump } from '@mbz-restore/storage-contract';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { createArea, listTree, type Area } from './hostile/area.ts';
import { repoRoot } from '@mbz-restore/test-support/shared';

const SEED = 4711;
const KILLS = 6;
/** Bound on one child's life; far above what it needs, it only proves "no hang". */
const NO_HANG_MS = 60_000;

let area: Area;
let backup: string;
/** The store every attempt starts from (a copy of it), and its content. */
let pristine: string;
let before: StoreDump;

beforeAll(async () => {
  area = await createArea('mbz-kill-');
  backup = join(area.cases, 'xs.mbz');
  const earlier = join(area.cases, 'earlier.mbz');
  await generateBackup({ size: 'xs', out: backup, seed: 7 });
  await generateBackup({ size: 'xs', out: earlier, seed: 11, container: 'zip' });
  pristine = join(area.stores, 'pristine', 'store.sqlite');
  const storage = createSqliteStorage({ path: pristine });
  await storage.open();
  await restore(earlier, { storage, tempDir: area.tmp });
  before = await dumpStore(storage);
  await storage.close();
});
afterAll(async () => {
  await area?.remove();
});

describe('kill -9 at random points of a restore into SQLite', () => {
  it(`${KILLS} kills (seed ${SEED}): the store opens, passes integrity_check, and holds nothing of the course (or all of it)`, {
    timeout: 600_000,
  }, async () => {
    const baseline = await attempt('baseline', undefined);
    expect(baseline.done, 'an uninterrupted restore completes').toBeDefined();
    const full = await openAndDump(baseline.db);
    const rng = createRng(SEED, 'kill-at-random');
    const tally = { nothing: 0, whole: 0, finishedFirst: 0 };
    for (let k = 0; k < KILLS; k += 1) {
      // Stratified over 90 % of an uninterrupted restore: the last kills land in the final stages and the commit.
      const delay = Math.round((0.9 * baseline.done!.ms * (k + rng.next())) / KILLS);
      const run = await attempt(`kill-${k}`, delay);
      const after = await openAndDump(run.db);
      expect(integrityCheck(run.db), `attempt ${k}: integrity_check`).toEqual(['ok']);
      expect(await leftovers(run.db), `attempt ${k}: no staged leftovers after open`).toEqual([]);
      if (run.done) tally.finishedFirst += 1;
      if (isDeepEqual(after, before)) {
        expect(run.done, `attempt ${k}: a restore that reported success must have committed`).toBeUndefined();
        tally.nothing += 1;
      } else {
        // The kill came after the commit became durable: the whole course is there, exactly as uninterrupted.
        expect(rowCounts(after), `attempt ${k} (killed after ${delay} ms): all of the course or none of it`).toEqual(
          rowCounts(full),
        );
        expect(after.blobs).toEqual(full.blobs);
        tally.whole += 1;
      }
    }
    expect(await listTree(area.marker)).toEqual([]);
    console.log(
      `kill-at-random: ${KILLS} kills ran (seed ${SEED}, uninterrupted restore ${baseline.done!.ms} ms): ` +
        `${tally.nothing} left nothing, ${tally.whole} left the whole course, ${tally.finishedFirst} finished before the kill`,
    );
    expect(tally.nothing, 'most kills land during the restore').toBeGreaterThanOrEqual(KILLS / 2);
  });
});

// Internal helpers

interface Attempt {
  readonly db: string;
  readonly done?: { courseid: number; ms: number };
}

/** Copies the pristine store, restores into the copy in a child, and kills it `delay` ms after `ready` (never when undefined). */
async function attempt(name: string, delay: number | undefined): Promise<Attempt> {
  const dir = join(area.stores, name);
  await cp(join(area.stores, 'pristine'), dir, { recursive: true });
  const db = join(dir, 'store.sqlite');
  // One process (node with tsx's loader), not the tsx launcher: a SIGKILL must hit the process that restores.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test', 'hostile', 'restore-child.ts'), backup, db, area.tmp],
    { cwd: repoRoot },
  );
  let stdout = '';
  let stderr = '';
  let killer: NodeJS.Timeout | undefined;
  const hang = setTimeout(() => child.kill('SIGKILL'), NO_HANG_MS);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (delay !== undefined && killer === undefined && stdout.includes('ready\n'))
      killer = setTimeout(() => child.kill('SIGKILL'), delay);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(hang);
  clearTimeout(killer);
  const done = /^done (.*)$/m.exec(stdout)?.[1];
  if (done === undefined && signal !== 'SIGKILL')
    throw new Error(`the child ended with ${signal ?? `exit code ${code}`}: ${stderr.slice(-2000)}`);
  if (delay === undefined && signal === 'SIGKILL')
    throw new Error(`the uninterrupted restore did not finish within ${NO_HANG_MS} ms`);
  return { db, done: done === undefined ? undefined : (JSON.parse(done) as { courseid: number; ms: number }) };
}

/** Opens the store with the adapter (which recovers what a crash left) and dumps it. */
async function openAndDump(db: string): Promise<StoreDump> {
  const storage = createSqliteStorage({ path: db });
  await storage.open();
  try {
    return await dumpStore(storage);
  } finally {
    await storage.close();
  }
}

function integrityCheck(db: string): string[] {
  const connection = new Database(db, { readonly: true });
  try {
    return (connection.pragma('integrity_check') as Array<{ integrity_check: string }>).map(
      (row) => row.integrity_check,
    );
  } finally {
    connection.close();
  }
}

/** Staging databases and staged blobs still on disk. */
async function leftovers(db: string): Promise<string[]> {
  const staged = await readdir(`${db}.staging`).catch(() => []);
  const blobs = await readdir(join(`${db}.blobs`, '.staging')).catch(() => []);
  return [...staged.map((f) => `staging/${f}`), ...blobs.map((f) => `blobs/.staging/${f}`)];
}

function rowCounts(dump: StoreDump): Record<string, number> {
  return Object.fromEntries(Object.entries(dump.tables).map(([table, rows]) => [table, rows.length]));
}

function isDeepEqual(a: StoreDump, b: StoreDump): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
