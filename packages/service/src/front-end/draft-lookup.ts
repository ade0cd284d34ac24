/**
 * Finding the backup `core_course_restore_async` names by `localfile`, and copying it out of the store for
 * restoring. The lookup key is (`filecontextid`, or `contextid` when absent; component `user`; filearea
 * `draft`; `itemid`): Moodle's restore entry point uses `filecontextid` for the context that owns the file
 * (`async_helper::get_backup_file_info()`), and a draft file lives in its uploader's user context.
 *
 * The draft item must hold exactly one file: MDL-64915 names an item, not a file, and picking one of several
 * would be a guess. When the request names a user, only that user's draft area is searched (another user's
 * file reads as not found, as it does in Moodle, where the draft area is the caller's own).
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, type StorageAdapter } from '@mbz-restore/engine';
import { userContextId } from './draft-area.ts';
import { invalidParameter, RestoreServiceError } from '../service-error.ts';
import type { LocalFileRef, RequestIdentity } from '../types.ts';

/** A draft file found by {@link findDraftFile}. */
export interface DraftFile {
  readonly contextid: number;
  readonly itemid: number;
  readonly filepath: string;
  readonly filename: string;
  readonly contenthash: string;
  readonly filesize: number;
}

/** The one file of the draft item `ref` names; `service.draft-file-not-found` (Moodle `filenotfound`) when there is none. */
export async function findDraftFile(
  storage: StorageAdapter,
  ref: LocalFileRef,
  identity: RequestIdentity = {},
): Promise<DraftFile> {
  const contextid = ref.filecontextid ?? ref.contextid;
  const { itemid } = ref;
  if (identity.userid !== undefined && (await userContextId(storage, identity.userid)) !== contextid)
    throw notFound(ref);
  const rows = (await storage.select('files', { contextid, component: 'user', filearea: 'draft', itemid })).filter(
    (r) => r.filename !== '.',
  );
  if (rows.length === 0) throw notFound(ref);
  if (rows.length > 1) {
    const names = rows
      .slice(0, 5)
      .map((r) => `${String(r.filepath)}${String(r.filename)}`)
      .join(', ');
    throw invalidParameter(
      `Draft item ${itemid} holds ${rows.length} files (${names}); upload the backup to a draft item of its own.`,
    );
  }
  const row = rows[0]!;
  const file: DraftFile = {
    contextid,
    itemid,
    filepath: String(row.filepath),
    filename: String(row.filename),
    contenthash: String(row.contenthash),
    filesize: Number(row.filesize),
  };
  if (!(await storage.hasBlob(file.contenthash))) {
    throw new RestoreServiceError(
      ErrorCode.ServiceDraftFileNotFound,
      `The content of draft file ${describeDraftFile(file)} is missing from the store.`,
      'filenotfound',
    );
  }
  return file;
}

/** Writes the draft file's bytes to `target` (a new file). */
export async function copyDraftFile(storage: StorageAdapter, file: DraftFile, target: string): Promise<void> {
  const content = await storage.readBlob(file.contenthash);
  if (!content) {
    throw new RestoreServiceError(
      ErrorCode.ServiceDraftFileNotFound,
      `The content of draft file ${describeDraftFile(file)} is missing from the store.`,
      'filenotfound',
    );
  }
  await pipeline(content, createWriteStream(target, { flags: 'wx' }));
}

/** `draft:<contextid>/<itemid><filepath><filename>`, the job's `source`. */
export function describeDraftFile(file: Pick<DraftFile, 'contextid' | 'itemid' | 'filepath' | 'filename'>): string {
  return `draft:${file.contextid}/${file.itemid}${file.filepath}${file.filename}`;
}

/** Checks the shape of `localfile` (Moodle `invalidparameter` when wrong). */
export function checkLocalFile(ref: unknown): LocalFileRef {
  const r = ref as Partial<Record<keyof LocalFileRef, unknown>> | null;
  const positive = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (
    typeof r !== 'object' ||
    r === null ||
    !positive(r.contextid) ||
    !positive(r.itemid) ||
    (r.filecontextid !== undefined && !positive(r.filecontextid))
  ) {
    throw invalidParameter(
      `localfile must be { contextid, itemid, filecontextid? } with positive whole numbers (the draft file record upload.php answered), got ${JSON.stringify(ref)}.`,
    );
  }
  return {
    contextid: r.contextid as number,
    itemid: r.itemid as number,
    ...(r.filecontextid === undefined ? {} : { filecontextid: r.filecontextid as number }),
  };
}

// Internal helpers

function notFound(ref: LocalFileRef): RestoreServiceError {
  const contextid = ref.filecontextid ?? ref.contextid;
  return new RestoreServiceError(
    ErrorCode.ServiceDraftFileNotFound,
    `There is no draft file in context ${contextid}, item ${ref.itemid} of the asking user; upload the backup first (saveDraftFile, webservice/upload.php) and pass the contextid and itemid it answered.`,
    'filenotfound',
  );
}
