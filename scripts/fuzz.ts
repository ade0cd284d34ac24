/**
 * A longer run of the fuzz property than CI's (`test/fuzz.test.ts`): mutated real backups through
 * `inspectBackup()` and `restore()`, checking typed errors only, bounded time, no write outside the temp
 * area and an unchanged store on failure. Prints how many cases ran and what came out; exits 1 with the
 * counterexample (and the seed and path to replay it) when the property fails.
 *
 * Usage: pnpm tsx scripts/fuzz.ts [--runs 2000] [--seed 1] [--adapter memory|sqlite] [--shrink]
 */
import { parseArgs } from 'node:util';
import { createArea } from '../test/hostile/area.ts';
import { describeFuzzReport, FUZZ_FIXTURES, runFuzz } from '../test/hostile/fuzz-run.ts';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    adapter: { type: 'string', default: 'memory' },
    shrink: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (
  !Number.isSafeInteger(runs) ||
  runs < 1 ||
  !Number.isSafeInteger(seed) ||
  (values.adapter !== 'memory' && values.adapter !== 'sqlite')
) {
  process.stderr.write('usage: scripts/fuzz.ts [--runs N] [--seed S] [--adapter memory|sqlite] [--shrink]\n');
  process.exit(2);
}
if (!hasShared()) {
  process.stderr.write('The fuzz run mutates the real backups in ../shared/fixtures/mbz, which are missing.\n');
  process.exit(1);
}
const area = await createArea('mbz-fuzz-');
try {
  process.stdout.write(`fuzz: ${runs} cases, seed ${seed}, ${values.adapter} store\n`);
  const report = await runFuzz({
    runs,
    seed,
    fixtures: FUZZ_FIXTURES.map(mbzFixture),
    area,
    adapter: values.adapter,
    shrink: values.shrink,
  });
  process.stdout.write(`${describeFuzzReport(report)}\n`);
  if (report.failure) {
    process.stdout.write(`FAILED: ${report.failure}\n`);
    process.exitCode = 1;
  }
} finally {
  await area.remove();
}
