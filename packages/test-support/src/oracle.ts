/**
 * Moodle's own restore, value by value: `../shared/fixtures/generated/oracle-queries.json` holds portable
 * SQL queries over a restored course (natural keys in place of ids, no per-restore time columns), and each
 * `*.values.json` holds a real Moodle 4.3's restore of one backup dumped with those queries. This module runs
 * the same queries on a SQLite store, puts the rows in the canonical form the queries file describes, and
 * compares them with Moodle's, query by query.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { generatedFixture, mbzFixture } from './shared.ts';

/** One query's result in Moodle's dump. */
export interface OracleResult {
  columns: string[];
  rows: number;
  sha256: string;
  complete: boolean;
  sample: Array<Array<string | null>>;
}

/** A `*.values.json` file. */
export interface OracleValues {
  backup: string;
  queries: Record<string, OracleResult>;
  restore_time_columns?: Record<string, string[]>;
}

/** The queries, by name. */
export function readOracleQueries(): Record<string, string> {
  return (
    JSON.parse(readFileSync(generatedFixture('oracle-queries.json'), 'utf8')) as { queries: Record<string, string> }
  ).queries;
}

export function readOracleValues(file: string): OracleValues {
  return JSON.parse(readFileSync(generatedFixture(file), 'utf8')) as OracleValues;
}

/**
 * A value as the queries file canonicalizes it: NULL → null, numbers rounded to 5 decimals with trailing
 * zeros stripped ("80.00000" → "80"), text as-is.
 */
export function canonicalValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const fixed = Number(value).toFixed(5);
    const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
    return trimmed === '-0' ? '0' : trimmed;
  }
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** Rows sorted by their compact JSON text. */
export function canonicalRows(rows: unknown[][]): Array<Array<string | null>> {
  const canonical = rows.map((row) => row.map(canonicalValue));
  const keyed = canonical.map((row) => [JSON.stringify(row), row] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, row]) => row);
}

export function rowsSha256(rows: Array<Array<string | null>>): string {
  return createHash('sha256')
    .update(rows.map((row) => JSON.stringify(row)).join('\n'))
    .digest('hex');
}

/** Our result of each query (with the SQL error where one failed). */
export type OurResults = Record<string, { columns: string[]; rows: Array<Array<string | null>>; error?: string }>;

/** Runs every query against a closed SQLite store file for the course `courseid`. */
export function runOracleQueries(dbPath: string, courseid: number, queries = readOracleQueries()): OurResults {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: OurResults = {};
    for (const [name, sql] of Object.entries(queries)) {
      try {
        const statement = db.prepare(sql.replaceAll(':cid', String(courseid))).raw(true);
        const columns = statement.columns().map((c) => c.name);
        out[name] = { columns, rows: canonicalRows(statement.all() as unknown[][]) };
      } catch (error) {
        out[name] = { columns: [], rows: [], error: (error as Error).message };
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** How one query's rows differ from Moodle's. */
export interface QueryDifference {
  query: string;
  moodleRows: number;
  ourRows: number;
  /** Rows Moodle has and we lack (first few), and the reverse. */
  missing: Array<Array<string | null>>;
  extra: Array<Array<string | null>>;
  /** Columns whose values differ in rows paired by position after sorting (a hint, not a verdict). */
  columns: string[];
}

/** Compares our canonical rows with Moodle's dump; empty when every query is equal. */
export function compareWithOracle(ours: OurResults, moodle: OracleValues, limit = 5): QueryDifference[] {
  const differences: QueryDifference[] = [];
  for (const [query, dumped] of Object.entries(moodle.queries)) {
    const found = ours[query];
    if (!found || found.error) {
      differences.push({
        query,
        moodleRows: dumped.rows,
        ourRows: -1,
        missing: [],
        extra: [],
        columns: [found?.error ?? '(query not run)'],
      });
      continue;
    }
    // Columns that differed between two Moodle restores of the same file (the restore's own time) are left out.
    const [expected, got] = withoutColumns(dumped, found, moodle.restore_time_columns?.[query] ?? []);
    if (got.rows.length === expected.rows && rowsSha256(got.rows) === expected.sha256) continue;
    const ourTexts = new Map<string, number>();
    for (const row of got.rows) ourTexts.set(JSON.stringify(row), (ourTexts.get(JSON.stringify(row)) ?? 0) + 1);
    const theirTexts = new Map<string, number>();
    for (const row of expected.sample)
      theirTexts.set(JSON.stringify(row), (theirTexts.get(JSON.stringify(row)) ?? 0) + 1);
    const minus = (a: Map<string, number>, b: Map<string, number>) => {
      const out: Array<Array<string | null>> = [];
      for (const [text, n] of a) for (let i = b.get(text) ?? 0; i < n; i++) out.push(JSON.parse(text));
      return out;
    };
    const missing = minus(theirTexts, ourTexts);
    // With an incomplete sample, rows of ours beyond Moodle's first rows cannot be judged.
    const extra = expected.complete ? minus(ourTexts, theirTexts) : [];
    const columns = new Set<string>();
    for (let i = 0; i < Math.min(missing.length, extra.length); i++) {
      expected.columns.forEach((column, c) => {
        if (missing[i]![c] !== extra[i]![c]) columns.add(column);
      });
    }
    differences.push({
      query,
      moodleRows: expected.rows,
      ourRows: got.rows.length,
      missing: missing.slice(0, limit),
      extra: extra.slice(0, limit),
      columns: [...columns],
    });
  }
  return differences;
}

/**
 * Moodle's result and ours without the named columns: rows re-canonicalized and Moodle's sha256 recomputed from its
 * sample (complete for every query that has such columns).
 */
function withoutColumns(
  moodle: OracleResult,
  ours: OurResults[string],
  drop: readonly string[],
): [OracleResult, OurResults[string]] {
  if (drop.length === 0) return [moodle, ours];
  const keep = moodle.columns.map((column, i) => (drop.includes(column) ? -1 : i)).filter((i) => i >= 0);
  const project = (rows: Array<Array<string | null>>) => canonicalRows(rows.map((row) => keep.map((i) => row[i])));
  const sample = project(moodle.sample);
  const expected = {
    ...moodle,
    columns: keep.map((i) => moodle.columns[i]!),
    sample,
    sha256: moodle.complete ? rowsSha256(sample) : moodle.sha256,
  };
  return [expected, { ...ours, columns: keep.map((i) => ours.columns[i]!), rows: project(ours.rows) }];
}

/** Moodle's CLI restore settings: everything the backup has (the oracle restores used them). */
export const MOODLE_CLI_RESTORE = {
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
  groups: 1,
  enrolments: 1,
} as const;

/** The backups Moodle's restore was dumped for, and where. */
export const ORACLE_BACKUPS: Record<string, { backup: () => string; values: string }> = {
  gen_s_users: { backup: () => generatedFixture('gen_s_users.mbz'), values: 'gen_s_users.values.json' },
  'real-advgrade': {
    backup: () => mbzFixture('report_advancedgrading__tests-fixtures-backup-advgrade.mbz'),
    values: 'real-advgrade.values.json',
  },
};
