/**
 * Measures a bulk restore through the adapter: N rows of `logstore_standard_log` (Moodle's 21 columns with id)
 * inserted through one unit of work in batches, then committed (merged into the main file).
 *
 *   npx tsx packages/storage-sqlite/scripts/bench-insert.ts [rows=1000000] [batch=10000]
 *
 * Variants: the main table with its three logstore indexes, merged with the index rebuild (the default) or
 * into the live indexes (`indexRebuildThreshold: Infinity`); and the main table without secondary indexes.
 * Rows come from a pre-built pool whose id, userid and timecreated are rewritten per batch (as in
 * ../shared/docs/perf-limits.md §c, generation is not timed).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Row } from '@mbz-restore/engine';
import { createSqliteStorage } from '../src/index.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 10_000);

const pool: Row[] = Array.from({ length: batch }, (_, i) => ({
  id: 0,
  eventname: '\\mod_forum\\event\\discussion_viewed',
  component: 'mod_forum',
  action: 'viewed',
  target: 'discussion',
  objecttable: 'forum_discussions',
  objectid: i,
  crud: 'r',
  edulevel: 2,
  contextid: 1000 + (i % 50),
  contextlevel: 70,
  contextinstanceid: 500 + (i % 50),
  userid: 0,
  courseid: 7,
  relateduserid: null,
  anonymous: 0,
  other: '{"forumid":"12","discussionid":"345"}',
  timecreated: 0,
  origin: 'web',
  ip: '10.0.0.1',
  realuserid: null,
}));

async function run(label: string, options: { indexRebuildThreshold?: number; dropIndexes?: boolean }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
  const path = join(dir, 'store.sqlite');
  if (options.dropIndexes) {
    await (await open(path, options)).close();
    const raw = new Database(path);
    for (const { name } of raw
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type='index' AND tbl_name='mdl_logstore_standard_log' AND sql IS NOT NULL",
      )
      .all() as Array<{ name: string }>) {
      raw.exec(`DROP INDEX "${name}"`);
    }
    raw.close();
  }
  const adapter = await open(path, options);
  const t0 = performance.now();
  const tx = await adapter.begin();
  const first = await tx.allocateIds('logstore_standard_log', total);
  for (let done = 0; done < total; done += batch) {
    const n = Math.min(batch, total - done);
    const rows = n === batch ? pool : pool.slice(0, n);
    for (let i = 0; i < n; i++) {
      const id = first + done + i;
      const row = rows[i]!;
      row.id = id;
      row.userid = (id * 2654435761) % 20_000;
      row.timecreated = 1_700_000_000 + id;
    }
    await tx.insert('logstore_standard_log', rows);
  }
  const t1 = performance.now();
  await tx.commit();
  const t2 = performance.now();
  const count = await adapter.count('logstore_standard_log');
  await adapter.close();
  const mb = (statSync(path).size / 2 ** 20).toFixed(1);
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en');
  console.log(
    `${label.padEnd(44)} stage ${(t1 - t0) / 1000 < 10 ? ' ' : ''}${((t1 - t0) / 1000).toFixed(2)} s (${rate(total, t1 - t0)} rows/s)` +
      `  merge ${((t2 - t1) / 1000).toFixed(2)} s  total ${((t2 - t0) / 1000).toFixed(2)} s = ${rate(total, t2 - t0)} rows/s  ` +
      `db ${mb} MB  rows ${count}  rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
  );
  rmSync(dir, { recursive: true, force: true });
}

function open(path: string, options: { indexRebuildThreshold?: number }) {
  const adapter = createSqliteStorage({ path, ...options });
  return adapter.open().then(() => adapter);
}

/** Reference under the same load: better-sqlite3 alone, the same rows into a bare WAL/NORMAL table, one transaction per batch. */
function baseline(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mbz-bench-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const cols = Object.keys(pool[0]!);
  db.exec(
    `CREATE TABLE t (id INTEGER PRIMARY KEY, ${cols
      .slice(1)
      .map((c) => `"${c}"`)
      .join(', ')})`,
  );
  const stmt = db.prepare(`INSERT INTO t VALUES (${cols.map(() => '?').join(', ')})`);
  const t0 = performance.now();
  for (let done = 0; done < total; done += batch) {
    db.exec('BEGIN');
    for (let i = 0; i < batch && done + i < total; i++) {
      const row = pool[i]!;
      row.id = done + i + 1;
      stmt.run(cols.map((c) => row[c]));
    }
    db.exec('COMMIT');
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ms = performance.now() - t0;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${'raw better-sqlite3, no adapter (reference)'.padEnd(44)} ${(ms / 1000).toFixed(2)} s = ${Math.round((total / ms) * 1000).toLocaleString('en')} rows/s`,
  );
}

console.log(
  `${total.toLocaleString('en')} logstore_standard_log rows, ${batch.toLocaleString('en')} rows per insert() call`,
);
baseline();
await run('3 logstore indexes, rebuilt at merge (default)', {});
await run('3 logstore indexes, merged into live indexes', { indexRebuildThreshold: Infinity });
await run('no secondary indexes on main', { dropIndexes: true });
