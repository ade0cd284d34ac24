/**
 * The corpus cases that stand for gigabytes (2 GiB bombs, a ZIP entry lying about its size, a 300 MiB
 * text node) through `inspectBackup()`, `restore()` into both adapters and the async restore service
 * (which `run-service.ts` drives), each in a child process of its own so its memory can be measured: each
 * gives the stated error, the child's peak RSS stays under 256 MB, nothing is left in the temp area and
 * nothing is written beside it. Time bounds only prove "no hang".
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@mbz-restore/test-support/shared';
import { createArea, listTree, type Area } from './area.ts';
import { loadBaseBackup, type BaseBackup } from './base-backup.ts';
import { ENTRY_POINTS, type ChildReport, type EntryPoint } from './run-case.ts';
import { CORPUS_CASES } from './corpus-cases.ts';

/** 256 MB, in MiB (`maxRSS` is reported in KiB). */
const MAX_RSS_MIB = (256 * 1000 * 1000) / 1024 ** 2;
/** Generous bound for one child (each takes a few seconds), so a hang fails the test instead of the run. */
const NO_HANG_MS = 60_000;

let area: Area;
let base: BaseBackup;

beforeAll(async () => {
  area = await createArea('mbz-corpus-heavy-');
  base = await loadBaseBackup();
});
afterAll(async () => {
  await area?.remove();
});

describe('failure corpus, heavy cases (a child process per entry point, peak RSS under 256 MB)', () => {
  it.each(CORPUS_CASES.filter((c) => c.heavy).map((c) => [c.id, c] as const))(
    '%s',
    { timeout: 4 * NO_HANG_MS + 30_000 },
    async (_id, c) => {
      const path = join(area.cases, `${c.id}.mbz`);
      await c.build(path, base);
      const peaks: string[] = [];
      for (const which of ENTRY_POINTS) {
        const report = await runChild(which, path, join(area.stores, `${c.id}.sqlite`));
        const expected = which === 'inspect' ? c.inspect : which === 'service' ? (c.service ?? c.restore) : c.restore;
        expect(report.outcome, which).toEqual(expected);
        expect(report.maxRssMiB, `peak RSS of ${which}, MiB`).toBeLessThan(MAX_RSS_MIB);
        peaks.push(`${which} ${report.maxRssMiB}`);
      }
      console.log(`${c.id}: peak RSS in MiB: ${peaks.join(', ')}`);
      // The service keeps its (empty) folder for job copies of uploaded backups.
      expect(
        (await listTree(area.tmp)).filter((p) => p !== 'mbz-restore-jobs'),
        'the temp area is empty again',
      ).toEqual([]);
      expect(await listTree(area.marker), 'nothing was written beside the temp area').toEqual([]);
    },
  );
});

// Internal helpers

function runChild(which: EntryPoint, backup: string, db: string): Promise<ChildReport> {
  // One process (node with tsx's loader): its own maxRSS is what is measured, and a kill on a hang reaches it.
  const script = join(repoRoot, 'test', 'hostile', 'case-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, which, backup, db, area.tmp], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), NO_HANG_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0)
        reject(
          new Error(
            `the ${which} child ended with ${signal ?? `exit code ${code}`} (a hang is killed after ${NO_HANG_MS} ms): ${stderr.slice(-2000)}`,
          ),
        );
      else resolve(JSON.parse(last) as ChildReport);
    });
  });
}
