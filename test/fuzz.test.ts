/**
 * Property-based fuzzing of real backups (fast-check, fixed seed, a few hundred cases): each mutated
 * backup goes through `inspectBackup()` and `restore()`, which must settle in bounded time, succeed or
 * throw only the engine's typed errors, write nothing outside their temp area, and leave the store as it
 * was when they fail. The property is in `hostile/fuzz-run.ts`; `pnpm tsx scripts/fuzz.ts --runs N --seed S`
 * runs it longer. The run prints how many cases ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArea, type Area } from './hostile/area.ts';
import { describeFuzzReport, FUZZ_FIXTURES, runFuzz } from './hostile/fuzz-run.ts';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const RUNS = 300;
const SEED = 20_250_607;

let area: Area;
beforeAll(async () => {
  area = await createArea('mbz-fuzz-');
});
afterAll(async () => {
  await area?.remove();
});

describe.skipIf(!hasShared())('fuzz: mutated real backups', () => {
  it(`${RUNS} cases, seed ${SEED}: typed errors only, bounded time, nothing written outside the temp area, store unchanged on failure`, {
    timeout: 600_000,
  }, async () => {
    const report = await runFuzz({ runs: RUNS, seed: SEED, fixtures: FUZZ_FIXTURES.map(mbzFixture), area });
    console.log(describeFuzzReport(report));
    expect(report.failure).toBeUndefined();
    expect(report.ran).toBe(RUNS);
    // The mutations reach both ends: some backups still restore, most fail with a typed error.
    expect(report.restore.ok ?? 0).toBeGreaterThan(0);
    expect(Object.keys(report.restore).length).toBeGreaterThan(3);
  });
});
