/**
 * Answers of `webservice/upload.php`. It is an AJAX script, so Moodle sends its exceptions through
 * `core_renderer_ajax::fatal_error()`: `{"error", "errorcode", "stacktrace", "debuginfo", "reproductionlink"}`
 * with HTTP 200. The same object also carries `exception` and `message`, as the REST server's errors do, so a
 * client can test one shape for both endpoints.
 */
import type { ServerResponse } from 'node:http';
import type { MoodleException } from '../errors/moodle-exception.ts';
import { phpJsonEncode } from '../encode/php-json.ts';
import { sendBody } from '../server/http-io.ts';
import type { RequestScope } from '../server/http-io.ts';

/** Sends the JSON array of stored files (and per-file errors). */
export function sendUploadResult(res: ServerResponse, results: readonly unknown[]): void {
  sendBody(res, 200, 'application/json; charset=utf-8', phpJsonEncode(results));
}

/** Sends an upload error; `close` when the rest of the request body is not going to be read. */
export function sendUploadError(
  res: ServerResponse,
  exception: MoodleException,
  scope: RequestScope,
  close = false,
): void {
  scope.log.errorcode = exception.errorcode;
  const body = {
    error: exception.message,
    errorcode: exception.errorcode,
    stacktrace: null,
    debuginfo: exception.debuginfo,
    reproductionlink: null,
    exception: exception.exception,
    message: exception.message,
  };
  sendBody(res, 200, 'application/json; charset=utf-8', phpJsonEncode(body), { close });
}
