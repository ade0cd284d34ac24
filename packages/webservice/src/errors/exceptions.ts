/**
 * One factory per exception the webservice throws, with Moodle's class, error code and English message
 * (`lang/en/webservice.php`, `lang/en/error.php`, `lang/en/debug.php`, `repository/upload/lang/en/repository_upload.php`).
 * Codes that Moodle has no string for (the limits) say so in their factory.
 */
import { MoodleException } from './moodle-exception.ts';

/** `moodle_exception` `invalidtoken`: no token, or one that is not in `external_tokens`. */
export function invalidToken(debuginfo: string | null = null): MoodleException {
  return new MoodleException('moodle_exception', 'invalidtoken', 'Invalid token - token not found', debuginfo);
}

/** `moodle_exception` `invalidtimedtoken`: the token's `validuntil` has passed. */
export function expiredToken(): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'invalidtimedtoken',
    'Invalid token - token expired',
    'Create a new token with `mbz token create`.',
  );
}

/** `moodle_exception` `wsaccessuserdeleted` / `wsaccessusersuspended`: the token's user cannot use the service. */
export function userRefused(state: 'deleted' | 'suspended', username: string): MoodleException {
  return new MoodleException(
    'moodle_exception',
    state === 'deleted' ? 'wsaccessuserdeleted' : 'wsaccessusersuspended',
    `Refused web service access for ${state} username: ${username}`,
  );
}

/** `invalid_parameter_exception` `invalidparameter`; `debuginfo` names the parameter and the problem. */
export function invalidParameter(debuginfo: string): MoodleException {
  return new MoodleException(
    'invalid_parameter_exception',
    'invalidparameter',
    'Invalid parameter value detected',
    debuginfo,
  );
}

/** `dml_missing_record_exception` `invalidrecord`: no row of `table` (or none this token may see). */
export function invalidRecord(table: string, debuginfo: string | null = null): MoodleException {
  return new MoodleException(
    'dml_missing_record_exception',
    'invalidrecord',
    `Can't find data record in database table ${table}.`,
    debuginfo,
  );
}

/** `webservice_access_exception` `accessexception`: the token may not do this. */
export function accessException(debuginfo: string): MoodleException {
  return new MoodleException('webservice_access_exception', 'accessexception', 'Access control exception', debuginfo);
}

/** `moodle_exception` `missingparam`: a required request parameter (`required_param()`) is absent. */
export function missingParam(name: string): MoodleException {
  return new MoodleException('moodle_exception', 'missingparam', `A required parameter (${name}) was missing`);
}

/** `moodle_exception` `privatefilesupload`: `webservice/upload.php` with `filearea=private`. */
export function privateFilesUpload(): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'privatefilesupload',
    'Uploading directly to user private files area is no longer supported. Upload to a draft area and then move the files with core_user::add_user_private_files.',
    'Send filearea=draft (the default here) or leave filearea out.',
  );
}

/** `file_exception` `storedfileproblem`: a file area, path or name the file storage refuses. */
export function storedFileProblem(what: string, debuginfo: string | null = null): MoodleException {
  return new MoodleException(
    'file_exception',
    'storedfileproblem',
    `Unknown exception related to local files (${what})`,
    debuginfo,
  );
}

/** `moodle_exception` `upload_error_ini_size`: the upload is larger than the server takes. */
export function uploadTooLarge(maxBytes: number): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'upload_error_ini_size',
    'The uploaded file exceeds the upload_max_filesize directive in php.ini.',
    `This server takes at most ${maxBytes} bytes of files per upload request (mbz serve --max-upload-mb). Nothing was stored.`,
  );
}

/** `moodle_exception` `upload_error_partial`: the body ended early or could not be parsed. */
export function uploadPartial(debuginfo: string): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'upload_error_partial',
    'The uploaded file was only partially uploaded.',
    debuginfo,
  );
}

/**
 * `moodle_exception` `toomanyrequests` (this project's code; Moodle has no per-token limits): the token has as
 * many uploads in flight, or restores queued, as the server allows. Retry later.
 */
export function tooManyRequests(what: string, limit: number, option: string): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'toomanyrequests',
    `Too many ${what} for this token at once (at most ${limit}).`,
    `Wait for one to finish and try again; the limit is set with mbz serve ${option}. Nothing was stored.`,
  );
}

/** `moodle_exception` `requesttimeout` (this project's code): the request took longer than the server allows. */
export function requestTimeout(ms: number): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'requesttimeout',
    `The request took longer than ${ms} ms and was stopped.`,
    'Nothing was stored. Send smaller files or raise the limit with mbz serve --request-timeout.',
  );
}

/** `moodle_exception` `servershuttingdown` (this project's code): the server is stopping and takes no new work. */
export function shuttingDown(): MoodleException {
  return new MoodleException(
    'moodle_exception',
    'servershuttingdown',
    'The server is shutting down and takes no new work.',
    'Try again once it is back.',
  );
}

/** `moodle_exception` `generalexceptionmessage`: anything unexpected (the detail goes to the server log). */
export function generalException(message: string): MoodleException {
  return new MoodleException('moodle_exception', 'generalexceptionmessage', `Exception - ${message}`);
}
