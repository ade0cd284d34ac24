/**
 * Compares the engine's restore of a backup with a real Moodle 4.3's restore of it, query by query
 * (`../shared/fixtures/generated/oracle-queries.json` and `*.values.json`). Prints each query that differs
 * with a few missing and extra rows. `pnpm fidelity [gen_s_users|real-advgrade] [--rows N] [--query NAME]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { restore } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import {
  MOODLE_CLI_RESTORE,
  ORACLE_BACKUPS,
  compareWithOracle,
  readOracleValues,
  runOracleQueries,
} from '@mbz-restore/test-support/oracle';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string', default: '3' }, query: { type: 'string' }, keep: { type: 'boolean' } },
});
const names = positionals.length ? positionals : Object.keys(ORACLE_BACKUPS);
let failing = 0;
for (const name of names) {
  const oracle = ORACLE_BACKUPS[name];
  if (!oracle) throw new Error(`unknown oracle backup ${name}: ${Object.keys(ORACLE_BACKUPS).join(', ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'mbz-fidelity-'));
  try {
    const path = join(dir, 'store.sqlite');
    const storage = createSqliteStorage({ path });
    await storage.open();
    const result = await restore(oracle.backup(), { storage, options: MOODLE_CLI_RESTORE }).finally(() =>
      storage.close(),
    );
    const moodle = readOracleValues(oracle.values);
    const differences = compareWithOracle(runOracleQueries(path, result.courseid), moodle, Number(values.rows)).filter(
      (d) => !values.query || d.query === values.query,
    );
    const total = Object.keys(moodle.queries).length;
    console.log(`\n== ${name}: ${total - differences.length} of ${total} queries equal Moodle's`);
    for (const d of differences) {
      console.log(
        `\n-- ${d.query}: Moodle ${d.moodleRows} rows, ours ${d.ourRows}; columns ${d.columns.join(', ') || '?'}`,
      );
      const columns = moodle.queries[d.query]!.columns;
      for (const row of d.missing)
        console.log(
          `  moodle ${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]])))}`.slice(0, 1500),
        );
      for (const row of d.extra)
        console.log(
          `  ours   ${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]])))}`.slice(0, 1500),
        );
    }
    failing += differences.length;
    if (values.keep) console.log(`store kept at ${path}`);
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}
process.exitCode = failing ? 1 : 0;
