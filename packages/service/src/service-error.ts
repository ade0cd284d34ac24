/**
 * Errors of the asynchronous restore service. A request the service refuses (before any job is
 * recorded) throws a {@link RestoreServiceError}: an {@link MbzError} whose `code` is the engine's stable
 * code, plus `moodleErrorcode`, the `errorcode` Moodle's webservice layer would answer for the same
 * refusal, so a Moodle-compatible front end can reply `{exception, errorcode, message}` unchanged.
 *
 * Moodle's codes, and where Moodle raises them:
 * - `invalidparameter`: a parameter of the wrong shape (`invalid_parameter_exception`).
 * - `invalidextparam`: a restore option with an unknown name or a bad value (`course/externallib.php`
 *   `duplicate_course()`).
 * - `invalidrecord`: a record that must exist does not: category, restore id (`dml_missing_record_exception`).
 * - `filenotfound`: the draft file is not there (`error` strings).
 * - `filenameexist`: a draft file of that name already exists (`webservice/upload.php`).
 * - `errorinvalidformat`: the file is not a Moodle 2 backup, or not a readable archive (`backup` strings,
 *   `core_backup_renderer::backup_details_unknown()`).
 * - `invaliduser`: the request's user does not exist.
 * - `servicenotavailable`: the service is closed.
 */
import { ErrorCode, InvalidArgumentError, isMbzError, MbzError } from '@mbz-restore/engine';

/** A refusal of the restore service, with Moodle's error code beside the engine's. */
export class RestoreServiceError extends MbzError {
  /** The `errorcode` Moodle answers for the same refusal (see the file header). */
  readonly moodleErrorcode: string;

  constructor(code: ErrorCode, message: string, moodleErrorcode: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'RestoreServiceError';
    this.moodleErrorcode = moodleErrorcode;
  }
}

/**
 * The Moodle `errorcode` for any error: a {@link RestoreServiceError}'s own, `invalidparameter` for an
 * {@link InvalidArgumentError}, `errorinvalidformat` for archive and format errors, else
 * `generalexceptionmessage` (what Moodle answers for an unexpected exception).
 */
export function moodleErrorcodeOf(error: unknown): string {
  if (error instanceof RestoreServiceError) return error.moodleErrorcode;
  if (error instanceof InvalidArgumentError) return 'invalidparameter';
  if (isMbzError(error) && (error.code.startsWith('archive.') || error.code === ErrorCode.BackupUnsupportedFormat))
    return 'errorinvalidformat';
  return 'generalexceptionmessage';
}

/** `invalidparameter` with `input.invalid-argument`. */
export function invalidParameter(message: string): RestoreServiceError {
  return new RestoreServiceError(ErrorCode.InvalidArgument, message, 'invalidparameter');
}
