/**
 * `/webservice/upload.php`: stores the files of a multipart request in the token user's draft area and answers
 * Moodle's JSON array of file records. Parameters come from the query string or the form, as `optional_param()`
 * reads them: `token` (required), `filearea` (`draft`; Moodle's default `private` is refused there as here,
 * so it is the default here), `filepath` (default `/`), `itemid` (0 or absent: a new draft item, shared by every
 * file of the request).
 *
 * Order of checks follows `upload.php`: token (`missingparam`, `invalidtoken`), file area, then the files.
 * Before any file byte is read the token must be valid and have an upload slot free; the files are spooled
 * to disk and counted against the size limit; only then are they stored, all in one unit of work. A refused
 * request stores nothing, and neither does one that fails while storing (a full disk on its last file keeps
 * none of its first ones). A file whose name is already taken in the draft item gets Moodle's per-file entry
 * `{filename, errortype: "filenameexist", error}`, as in Moodle, and the others are stored.
 */
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  invalidParameter,
  missingParam,
  privateFilesUpload,
  requestTimeout,
  shuttingDown,
  uploadTooLarge,
} from '../errors/exceptions.ts';
import { toMoodleException } from '../errors/from-error.ts';
import { MoodleException } from '../errors/moodle-exception.ts';
import type { AppContext } from '../server/app-context.ts';
import { discardBody, drainBody } from '../server/http-io.ts';
import type { RequestScope } from '../server/http-io.ts';
import { authenticateToken } from '../tokens/token-store.ts';
import type { TokenIdentity } from '../tokens/token-types.ts';
import { checkedFilename, cleanFilepath } from './clean-names.ts';
import { storeDraftFiles } from './store-draft-files.ts';
import { sendUploadError, sendUploadResult } from './upload-response.ts';
import { spoolUpload } from './spool-upload.ts';

/** Room for form fields and multipart framing on top of the files, when checking Content-Length up front. */
const FRAMING_ALLOWANCE = 1024 * 1024;

/** Serves one upload. */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  app: AppContext,
  scope: RequestScope,
): Promise<void> {
  let release: (() => void) | undefined;
  let dir: string | undefined;
  let answer: { results: readonly unknown[] } | { error: unknown };
  try {
    if (app.closing()) throw shuttingDown();
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > app.limits.maxUploadBytes + FRAMING_ALLOWANCE) {
      // Refuse before reading: answer now and close the connection rather than read a body this large.
      sendUploadError(res, uploadTooLarge(app.limits.maxUploadBytes), scope, true);
      discardBody(req);
      return;
    }
    let token: TokenIdentity | undefined;
    const authorise = async (fields: ReadonlyArray<readonly [string, string]>): Promise<void> => {
      if (token) return;
      const params = paramsOf(url, fields);
      const secret = params.get('token');
      if (!secret) throw missingParam('token');
      token = await authenticateToken(app.storage, secret);
      scope.log.tokenid = token.id;
      checkFilearea(params.get('filearea') ?? 'draft');
      release = app.tokenLimits.acquireUpload(token.id);
    };
    const spooled = await spoolUpload(req, {
      tempDir: app.tempDir,
      maxBytes: app.limits.maxUploadBytes,
      maxFiles: app.limits.maxFilesPerUpload,
      signal: scope.signal,
      timeoutMs: app.limits.requestTimeoutMs,
      beforeFiles: authorise,
    });
    dir = spooled.dir;
    await authorise(spooled.fields);
    const params = paramsOf(url, spooled.fields);
    const filepath = cleanFilepath(params.get('filepath') ?? '/');
    const itemid = parseItemid(params.get('itemid'));
    const files = spooled.files.map((f) => ({ ...f, filename: checkedFilename(f.filename) }));
    scope.log.files = files.length;
    scope.log.bytes = files.reduce((sum, f) => sum + f.bytes, 0);
    if (scope.signal.aborted) throw requestTimeout(app.limits.requestTimeoutMs);
    // From here on the files are being stored: the request's timeout no longer stops it.
    scope.commit();
    answer = { results: await storeDraftFiles(app.service, token!, files, { filepath, itemid }) };
  } catch (error) {
    answer = { error };
  } finally {
    release?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
  // Answer once the spool is gone, so a client that got its answer finds nothing left behind.
  if ('results' in answer) {
    sendUploadResult(res, answer.results);
  } else {
    const { exception, unexpected } = toMoodleException(answer.error);
    if (unexpected) app.logger?.error({ err: answer.error }, 'unexpected error in an upload');
    await drainBody(req, scope.signal);
    sendUploadError(res, exception, scope, !req.readableEnded);
  }
}

// Internal helpers

/** Query parameters, then form fields (a later value wins, as PHP's `$_GET` + `$_POST` lookups do). */
function paramsOf(url: URL, fields: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  return new Map<string, string>([...url.searchParams, ...fields]);
}

function checkFilearea(filearea: string): void {
  if (filearea === 'private') throw privateFilesUpload();
  if (filearea !== 'draft')
    throw new MoodleException(
      'file_exception',
      'error',
      'Error',
      `Only filearea=draft is supported, got "${filearea}".`,
    );
}

function parseItemid(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw invalidParameter(
      `itemid must be a positive whole number (a draft item id answered by an earlier upload), or 0 for a new one; got "${raw}".`,
    );
  }
  return Number(raw);
}
