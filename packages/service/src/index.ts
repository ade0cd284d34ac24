/** Public API of @mbz-restore/service. Named exports only; anything not listed here is internal. */
export type {
  RestoreService,
  RestoreServiceOptions,
  RestoreServiceEvents,
  RestoreAsyncParams,
  RestoreAsyncResult,
  RestoreStatusResult,
  RestoreDetail,
  RestoreFileParams,
  LocalFileRef,
  DraftFileRecord,
  SaveDraftFileOptions,
  RequestIdentity,
  RestoreAsyncOptions,
  DraftFileInput,
  SaveDraftFilesOptions,
  DraftFileSkipped,
  WorkerExitReason,
} from './types.ts';
export { createRestoreService } from './front-end/restore-service.ts';
export { RestoreServiceError, moodleErrorcodeOf } from './service-error.ts';
export { createLocalQueue } from './queue/local-queue.ts';
export type { LocalQueueOptions } from './queue/local-queue.ts';
export { DEFAULT_RETRY_LIMIT } from './queue/job-queue.ts';
export type { JobQueue, JobWorker, QueuedJob, TakenJob, LostJobVerdict, QueueState } from './queue/job-queue.ts';
