/**
 * Restore jobs as rows of Moodle's own `backup_controllers` table, exactly as the SQLite adapter keeps them
 * (`@mbz-restore/storage-sqlite`'s `job-row.ts`, whose mapping is repeated here so the two stores hold the same
 * rows): `backupid` = restoreid, `operation` 'restore', `type` 'course', `itemid` = new course id (0 until known),
 * `format` 'moodle2', `interactive` 0, `purpose` 70 (`backup::MODE_ASYNC`), `userid`, `status`, `execution` 2,
 * `executiontime` 0, `progress`, times in Unix seconds; `controller` holds a JSON object with the rest of the
 * record (stage, categoryid, settings, error, warnings, source, owner, heartbeat, the exact millisecond times)
 * and `checksum` is its MD5.
 *
 * Writes go straight to the table through the store's pool, outside any unit of work (an upsert on the unique
 * `backupid`), so a job's progress is visible to every process at once. Kept apart from the row and blob code:
 * these are the `putJob` / `getJob` / `listJobs` methods of the storage interface.
 */
import { createHash } from 'node:crypto';
import type { RestoreJobRecord, Row } from '@mbz-restore/engine';
import type pg from 'pg';
import type { PgTable, Schema } from './ddl.ts';
import { toStorageError } from './errors.ts';

/** The job methods of the store, over its pool. */
export class PgJobStore {
  readonly #pool: () => Promise<pg.Pool>;
  readonly #table: PgTable;

  constructor(schema: Schema, pool: () => Promise<pg.Pool>) {
    this.#table = schema.table('backup_controllers');
    this.#pool = pool;
  }

  /** Inserts or replaces a job record, at once (autocommit). A new job gets the next id of the table's sequence. */
  async putJob(job: RestoreJobRecord): Promise<void> {
    const pool = await this.#pool();
    const row = jobToRow(job);
    const names = Object.keys(row);
    const sql =
      `INSERT INTO ${this.#table.qualified} (${names.map((n) => `"${n}"`).join(', ')}) ` +
      `VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) ` +
      `ON CONFLICT ("backupid") DO UPDATE SET ${names
        .filter((n) => n !== 'backupid')
        .map((n) => `"${n}" = excluded."${n}"`)
        .join(', ')}`;
    try {
      // Look the row up first so an update keeps its id and uses no sequence value (as SQLite does).
      const existing = await pool.query(`SELECT 1 FROM ${this.#table.qualified} WHERE "backupid" = $1`, [
        job.restoreid,
      ]);
      const values = names.map((n) => row[n]);
      if (existing.rowCount === 0) await pool.query(sql, values);
      else
        await pool.query(
          `UPDATE ${this.#table.qualified} SET ${names.map((n, i) => `"${n}" = $${i + 1}`).join(', ')} WHERE "backupid" = $${names.length + 1}`,
          [...values, job.restoreid],
        );
    } catch (error) {
      throw toStorageError(error, `Saving job ${job.restoreid}`);
    }
  }

  async getJob(restoreid: string): Promise<RestoreJobRecord | undefined> {
    const pool = await this.#pool();
    const { rows } = await pool
      .query(`SELECT * FROM ${this.#table.qualified} WHERE "backupid" = $1 AND "operation" = 'restore'`, [restoreid])
      .catch((error: unknown) => {
        throw toStorageError(error, `Reading job ${restoreid}`);
      });
    return rows[0] === undefined ? undefined : rowToJob(rows[0] as Row);
  }

  /** All jobs, oldest first. */
  async listJobs(): Promise<RestoreJobRecord[]> {
    const pool = await this.#pool();
    const { rows } = await pool
      .query(`SELECT * FROM ${this.#table.qualified} WHERE "operation" = 'restore' ORDER BY "id"`)
      .catch((error: unknown) => {
        throw toStorageError(error, 'Listing jobs');
      });
    return (rows as Row[]).map(rowToJob).sort((a, b) => a.timecreated - b.timecreated);
  }
}

/** The `controller` JSON. */
interface ControllerJson {
  readonly mbz: 1;
  readonly stage: string | null;
  readonly categoryid: number;
  readonly settings: RestoreJobRecord['settings'];
  readonly error: RestoreJobRecord['error'];
  readonly warnings: RestoreJobRecord['warnings'];
  readonly source: string;
  readonly owner: string | null;
  readonly heartbeat: number | null;
  readonly timecreated: number;
  readonly timemodified: number;
  readonly timestarted?: number | null;
  readonly timefinished?: number | null;
}

/** The backup_controllers columns of a job (without `id`). */
export function jobToRow(job: RestoreJobRecord): Row {
  const json: ControllerJson = {
    mbz: 1,
    stage: job.stage,
    categoryid: job.categoryid,
    settings: job.settings,
    error: job.error,
    warnings: job.warnings,
    source: job.source,
    owner: job.owner,
    heartbeat: job.heartbeat,
    timecreated: job.timecreated,
    timemodified: job.timemodified,
    timestarted: job.timestarted,
    timefinished: job.timefinished,
  };
  const controller = JSON.stringify(json);
  return {
    backupid: job.restoreid,
    operation: 'restore',
    type: 'course',
    itemid: job.courseid ?? 0,
    format: 'moodle2',
    interactive: 0,
    purpose: 70,
    userid: job.userid,
    status: job.status,
    execution: 2,
    executiontime: 0,
    checksum: createHash('md5').update(controller).digest('hex'),
    timecreated: Math.floor(job.timecreated / 1000),
    timemodified: Math.floor(job.timemodified / 1000),
    progress: job.progress,
    controller,
  };
}

/** The job a backup_controllers row holds. */
export function rowToJob(row: Row): RestoreJobRecord {
  const json = JSON.parse(String(row.controller)) as ControllerJson;
  return {
    restoreid: String(row.backupid),
    status: Number(row.status) as RestoreJobRecord['status'],
    progress: Number(row.progress),
    stage: json.stage,
    categoryid: json.categoryid,
    courseid: Number(row.itemid) === 0 ? null : Number(row.itemid),
    settings: json.settings,
    error: json.error,
    warnings: json.warnings,
    source: json.source,
    userid: Number(row.userid),
    timecreated: json.timecreated,
    timemodified: json.timemodified,
    timestarted: json.timestarted ?? null,
    timefinished: json.timefinished ?? null,
    owner: json.owner,
    heartbeat: json.heartbeat,
  };
}
