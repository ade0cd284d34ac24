/**
 * Stores the spooled files of one upload in the draft area through the restore service, all or none (one unit
 * of work: a failure on any file keeps none of the request's files). Without `itemid` they share one new
 * draft item, as `upload.php` allocates one item per request. A name already taken (in the draft item or
 * earlier in the same request) is not a failure: it gets Moodle's per-file entry instead of a record,
 * `{filename, errortype: "filenameexist", error: "File name already exists: …"}`, and the others are stored.
 */
import type { DraftFileRecord, RestoreService } from '@mbz-restore/service';
import type { TokenIdentity } from '../tokens/token-types.ts';

/** Moodle's per-file error entry of `upload.php`. */
export interface UploadFileError {
  readonly filename: string;
  readonly errortype: 'filenameexist';
  readonly error: string;
}

/** Stores `files` and answers one entry per file, in order. */
export async function storeDraftFiles(
  service: RestoreService,
  token: TokenIdentity,
  files: ReadonlyArray<{ readonly filename: string; readonly path: string }>,
  target: { readonly filepath: string; readonly itemid: number | undefined },
): Promise<Array<DraftFileRecord | UploadFileError>> {
  const stored = await service.saveDraftFiles(
    files.map((file) => ({ content: file.path, filename: file.filename })),
    {
      filepath: target.filepath,
      ...(target.itemid === undefined ? {} : { itemid: target.itemid }),
      userid: token.user.id,
      author: `${token.user.firstname} ${token.user.lastname}`.trim(),
      ifExists: 'skip',
    },
  );
  return stored.map((entry) => ('skipped' in entry ? nameTaken(entry.filename) : entry));
}

// Internal helpers

function nameTaken(filename: string): UploadFileError {
  return { filename, errortype: 'filenameexist', error: `File name already exists: ${filename}` };
}
