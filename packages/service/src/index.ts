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
  QueueState,
  RequestIdentity,
  RestoreAsyncOptions,
  DraftFileInput,
  SaveDraftFilesOptions,
  DraftFileSkipped,
  WorkerExitReason,
} from './types.ts';
export { createRestoreService } from './restore-service.ts';
export { RestoreServiceError, moodleErrorcodeOf } from './service-error.ts';
