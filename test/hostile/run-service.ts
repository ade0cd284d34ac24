/**
 * Runs one corpus file through the asynchronous restore service the way the webservice does: upload it to
 * the draft area (`saveDraftFile`), ask for the restore (`restoreAsync`), wait for the job to end. A backup
 * the service's precheck refuses (not an archive, not a Moodle 2 backup, a damaged moodle_backup.xml) is
 * refused at once with the typed error, and no job is recorded, as Moodle's precheck does before it queues;
 * anything else ends at 900 with the error's code or at 1000 with the warnings.
 */
import { isMbzError, RestoreStatus } from '@mbz-restore/engine';
import type { DraftFileRecord, RestoreService } from '@mbz-restore/service';
import { observed } from './outcome.ts';
import type { Observed } from './run-case.ts';
import { CORPUS_RESTORE_OPTIONS } from './run-case.ts';

/** What the service did with a backup. */
export interface ServiceRun {
  readonly outcome: Observed;
  /** `precheck` when `restoreAsync` refused the backup, else the job's final status (900 or 1000). */
  readonly at: 'precheck' | 900 | 1000;
}

/** Uploads `path`, restores it through the service and waits for the job to end. */
export async function serviceOutcome(service: RestoreService, path: string): Promise<ServiceRun> {
  return restoreDraft(service, await service.saveDraftFile(path, { filename: 'backup.mbz' }));
}

/** Restores an uploaded draft file through the service and waits for the job to end. */
export async function restoreDraft(service: RestoreService, draft: DraftFileRecord): Promise<ServiceRun> {
  let restoreid: string;
  try {
    ({ restoreid } = await service.restoreAsync({
      categoryid: 1,
      localfile: { contextid: draft.contextid, itemid: draft.itemid },
      options: Object.entries(CORPUS_RESTORE_OPTIONS).map(([name, value]) => ({ name, value })),
    }));
  } catch (error) {
    return { outcome: isMbzError(error) ? { error: error.code } : observed({ error }), at: 'precheck' };
  }
  await service.onIdle();
  const job = await service.getRestore(restoreid);
  if (job.status === RestoreStatus.FinishedOk) return { outcome: observed({ warnings: job.warnings }), at: 1000 };
  if (job.status === RestoreStatus.FinishedError)
    return {
      outcome: job.error ? { error: job.error.code as never } : { unexpected: 'a job at 900 without an error' },
      at: 900,
    };
  return { outcome: { unexpected: `the job is at ${job.status} after the service went idle` }, at: 900 };
}
