/**
 * The merge of a unit's staging database into the main file, run by `commit()` inside one
 * `BEGIN IMMEDIATE` transaction on the unit's connection (main + attached stage):
 *
 * 1. updates of committed rows: for each (table, changed column set) one
 *    `UPDATE main.mdl_x SET (cols) = (SELECT cols FROM stage.upd_mdl_x …)`, only the changed columns, so a
 *    column another unit changed meanwhile keeps its value;
 * 2. new rows: `INSERT INTO main.mdl_x SELECT … FROM stage.mdl_x` per touched table. When a unit brings at
 *    least `indexRebuildThreshold` rows to a table and at least as many as it already holds, the table's
 *    indexes are dropped first and created again after (perf-limits §c: building an index after a bulk load
 *    is ~6× faster than inserting into it); unique indexes are then checked when they are created;
 * 3. the id sequences are raised past the new rows; the unit's blobs are added to `mbz_blobs` and listed in
 *    `mbz_pending_blobs`; the commit is recorded in `mbz_commits` with state `merged`.
 *
 * Any constraint failure throws and the caller's transaction rolls back: nothing of the unit is kept.
 */
import { createIndexSqls, dropIndexSqls, quote, sqlTable } from './schema/ddl.ts';
import type { SqlTable } from './schema/ddl.ts';
import type { StatementCache } from './sqlite-database.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** What the merge needs to know about the unit. */
export interface MergeInput {
  readonly unitid: string;
  /** Rows staged per table name (without prefix). */
  readonly staged: ReadonlyMap<string, number>;
  readonly indexRebuildThreshold: number;
  /** Tables whose main columns are in spec order. */
  readonly specOrderTables: ReadonlySet<string>;
  readonly now: number;
}

/** Merges the attached `stage` into `main`; call inside `BEGIN IMMEDIATE` on the unit's connection. Returns rows written. */
export function mergeStage(db: SqliteDatabase, statements: StatementCache, input: MergeInput): number {
  let written = 0;
  const logged = db
    .prepare('SELECT tablename, cols, count(*) AS n FROM stage.mbz_update_log GROUP BY tablename, cols')
    .all() as Array<{
    tablename: string;
    cols: string;
    n: number;
  }>;
  for (const { tablename, cols, n } of logged) {
    const table = sqlTable(tablename);
    const names = cols.split(',').map(quote);
    db.prepare(
      `UPDATE main.${quote(table.sqlName)} SET (${names.join(', ')}) = ` +
        `(SELECT ${names.map((c) => `u.${c}`).join(', ')} FROM stage.${quote(`upd_${table.sqlName}`)} AS u WHERE u."id" = ${quote(table.sqlName)}."id") ` +
        'WHERE "id" IN (SELECT "id" FROM stage.mbz_update_log WHERE tablename = ? AND cols = ?)',
    ).run(tablename, cols);
    written += n;
  }
  for (const [name, count] of input.staged) {
    if (count === 0) continue;
    written += insertStaged(db, statements, sqlTable(name), count, input);
  }
  db.prepare(
    'INSERT OR IGNORE INTO main.mbz_blobs (contenthash, filesize, timecreated) SELECT contenthash, filesize, ? FROM stage.mbz_blobs',
  ).run(Math.floor(input.now / 1000));
  db.prepare('INSERT INTO main.mbz_pending_blobs (unitid, contenthash) SELECT ?, contenthash FROM stage.mbz_blobs').run(
    input.unitid,
  );
  db.prepare("INSERT INTO main.mbz_commits (unitid, committedat, state, rowcount) VALUES (?, ?, 'merged', ?)").run(
    input.unitid,
    input.now,
    written,
  );
  return written;
}

// Internal helpers

function insertStaged(
  db: SqliteDatabase,
  statements: StatementCache,
  table: SqlTable,
  count: number,
  input: MergeInput,
): number {
  const target = `main.${quote(table.sqlName)}`;
  const rebuild =
    table.spec.indexes.length > 0 &&
    count >= input.indexRebuildThreshold &&
    count >= (statements.get(`SELECT count(*) AS n FROM ${target}`).get() as { n: number }).n;
  if (rebuild) for (const sql of dropIndexSqls(table.spec, 'main')) db.exec(sql);
  // `SELECT *` into a table of the same shape lets SQLite copy whole records (its transfer optimisation).
  const sql = input.specOrderTables.has(table.spec.name)
    ? `INSERT INTO ${target} SELECT * FROM stage.${quote(table.sqlName)}`
    : `INSERT INTO ${target} (${table.columnList}) SELECT ${table.columnList} FROM stage.${quote(table.sqlName)}`;
  const { changes } = db.prepare(sql).run();
  if (rebuild) for (const sql of createIndexSqls(table.spec, 'main')) db.exec(sql);
  statements
    .get(
      'INSERT INTO main.mbz_id_sequence (tablename, nextid) ' +
        `SELECT ?, coalesce(max("id"), 0) + 1 FROM ${target} WHERE true ` +
        'ON CONFLICT (tablename) DO UPDATE SET nextid = max(nextid, excluded.nextid)',
    )
    .run(table.spec.name);
  return changes;
}
