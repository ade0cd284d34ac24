/**
 * Restore jobs as rows of Moodle's own `backup_controllers` table, exactly as the SQLite adapter keeps them
 * (the engine's `jobToRow`/`rowToJob`, shared by both stores so they hold the same rows): `backupid` = restoreid, `operation` 'restore', `type` 'course', `itemid` = new course id (0 until known),
 * `format` 'moodle2', `interactive` 0, `purpose` 70 (`backup::MODE_ASYNC`), `userid`, `status`, `execution` 2,
 * `executiontime` 0, `progress`, times in Unix seconds; `controller` holds a JSON object with the rest of the
 * record (stage, categoryid, settings, error, warnings, source, owner, heartbeat, the exact millisecond times)
 * and `checksum` is its MD5.
 *
 * Writes go straight to the table through the store's pool, outside any unit of work (an upsert on the unique
 * `backupid`), so a job's progress is visible to every process at once. Kept apart from the row and blob code:
 * these are the `putJob` / `getJob` / `listJobs` methods of the storage interface.
 */
import { jobToRow, rowToJob } from '@mbz-restore/engine';
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
