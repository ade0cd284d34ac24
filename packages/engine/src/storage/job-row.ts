/**
 * A restore job as a row of Moodle's own `backup_controllers` table, so Moodle-minded tools (and SQL) see
 * restores where Moodle keeps them (`backup_controller_dbops::save_controller()`): `backupid` = restoreid,
 * `operation` 'restore', `type` 'course', `itemid` = new course id (0 until known), `format` 'moodle2',
 * `interactive` 0, `purpose` 70 (`backup::MODE_ASYNC`), `userid` the job's user, `status`, `execution` 2
 * (`EXECUTION_DELAYED`), `executiontime` 0, `progress`, times in Unix seconds.
 *
 * Departure: Moodle's `controller` column holds the base64 PHP-serialized controller (emptied once finished);
 * we keep a JSON object with the rest of the record there (stage, categoryid, settings, error, warnings,
 * source, owner, heartbeat, and the exact millisecond times, started and finished included), and `checksum` is the MD5 of that JSON as
 * Moodle's is the MD5 of its serialized controller. One row per job; no companion table. Every store that keeps
 * its jobs in `backup_controllers` (SQLite, PostgreSQL) maps them through here, so they hold the same rows.
 */
import { createHash } from 'node:crypto';
import type { RestoreJobRecord } from './job-store.ts';
import type { Row } from './storage-adapter.ts';

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
  /** Absent in rows written before these fields existed: read as null. */
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
