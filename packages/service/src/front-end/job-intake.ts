/**
 * What the service checks of a restore request before it records a job (Moodle: the external function's
 * parameter checks, then `restore_controller` and `execute_precheck()`): the parameters, the user, the
 * category, the draft file (copied out of the store to the service's job folder, so the restore reads a file
 * of its own), the backup's format and the options. A request that fails any check throws a
 * {@link RestoreServiceError} and leaves nothing behind; one that passes becomes an {@link AcceptedJob}.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCode, RestoreStatus, type RestoreJobRecord, type StorageAdapter } from '@mbz-restore/engine';
import { ADMIN_USERID } from './draft-area.ts';
import { copyDraftFile, describeDraftFile, findDraftFile } from './draft-lookup.ts';
import { precheckBackup, type PrecheckLimits } from './precheck.ts';
import { RestoreServiceError } from '../service-error.ts';
import { checkAsyncParams, checkCategoryId, checkUserId, newRestoreId } from './service-params.ts';
import type { QueuedJob } from '../queue/job-queue.ts';
import type { RequestIdentity, RestoreAsyncParams, RestoreFileParams } from '../types.ts';

/** A request that passed every check, about to be recorded. */
export interface AcceptedJob {
  readonly restoreid: string;
  /** The backup the restore reads. */
  readonly path: string;
  /** A file to delete when the job ends (the draft file's copy), if any. */
  readonly tempFile: string | undefined;
  /** The draft file's content hash, for workers on other hosts (see QueuedJob.contenthash). */
  readonly contenthash?: string;
  readonly categoryid: number;
  readonly options: RestoreFileParams['options'];
  /** The resolved root settings. */
  readonly settings: Record<string, number>;
  readonly userid: number;
  /**
   * The requesting user when the request named one (the webservice's token user): the restore acts as that user, as
   * Moodle's asynchronous restore task runs as the user who queued it (`$USER`, e.g. `user_enrolments.modifierid`).
   */
  readonly actingUserId?: number;
  /** Where the backup came from, for people. */
  readonly source: string;
}

/** `core_course_restore_async`'s checks; the draft file is copied to `jobDir/<restoreid>.backup`. */
export async function acceptDraftRequest(
  storage: StorageAdapter,
  limits: PrecheckLimits,
  jobDir: string,
  params: RestoreAsyncParams,
  identity: RequestIdentity,
): Promise<AcceptedJob> {
  const { categoryid, localfile, options } = checkAsyncParams(params);
  const userid = identity.userid === undefined ? ADMIN_USERID : checkUserId(identity.userid);
  await requireCategory(storage, categoryid);
  const file = await findDraftFile(storage, localfile, identity);
  const restoreid = newRestoreId();
  await mkdir(jobDir, { recursive: true });
  const path = join(jobDir, `${restoreid}.backup`);
  try {
    await copyDraftFile(storage, file, path);
    const settings = await precheckBackup(path, options, limits);
    return {
      restoreid,
      path,
      tempFile: path,
      contenthash: file.contenthash,
      categoryid,
      options,
      settings,
      userid,
      ...acting(identity),
      source: describeDraftFile(file),
    };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** The same checks for a backup file on disk, restored in place. */
export async function acceptFileRequest(
  storage: StorageAdapter,
  limits: PrecheckLimits,
  path: string,
  params: RestoreFileParams,
  identity: RequestIdentity,
): Promise<AcceptedJob> {
  const categoryid = checkCategoryId(params.categoryid ?? 1);
  const userid = identity.userid === undefined ? ADMIN_USERID : checkUserId(identity.userid);
  const options = params.options ?? {};
  await requireCategory(storage, categoryid);
  const absolute = resolve(path);
  const settings = await precheckBackup(absolute, options, limits);
  return {
    restoreid: newRestoreId(),
    path: absolute,
    tempFile: undefined,
    categoryid,
    options,
    settings,
    userid,
    ...acting(identity),
    source: absolute,
  };
}

/**
 * The 700 record of an accepted job, held by `owner` (the process whose memory it waits in), or by no process
 * (`null`: it waits in a durable queue, and has no heartbeat).
 */
export function awaitingRecord(job: AcceptedJob, owner: string | null, now: number): RestoreJobRecord {
  return {
    restoreid: job.restoreid,
    status: RestoreStatus.Awaiting,
    progress: 0,
    stage: null,
    categoryid: job.categoryid,
    courseid: null,
    settings: job.settings,
    error: null,
    warnings: [],
    source: job.source,
    userid: job.userid,
    timecreated: now,
    timemodified: now,
    timestarted: null,
    timefinished: null,
    owner,
    heartbeat: owner === null ? null : now,
  };
}

/** What a queue carries for an accepted job. */
export function queuedJob(job: AcceptedJob): QueuedJob {
  return {
    restoreid: job.restoreid,
    path: job.path,
    ...(job.tempFile === undefined ? {} : { tempFile: job.tempFile }),
    ...(job.contenthash === undefined ? {} : { contenthash: job.contenthash }),
    categoryid: job.categoryid,
    options: job.options ?? {},
    ...(job.actingUserId === undefined ? {} : { actingUserId: job.actingUserId }),
  };
}

// Internal helpers

/** `actingUserId` of a request that named its user (already checked by `checkUserId()`). */
function acting(identity: RequestIdentity): { actingUserId?: number } {
  return identity.userid === undefined ? {} : { actingUserId: identity.userid };
}

async function requireCategory(storage: StorageAdapter, categoryid: number): Promise<void> {
  if ((await storage.count('course_categories', { id: categoryid })) === 0) {
    throw new RestoreServiceError(
      ErrorCode.ServiceCategoryNotFound,
      `There is no course category with id ${categoryid} in the store.`,
      'invalidrecord',
    );
  }
}
