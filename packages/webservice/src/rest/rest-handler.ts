/**
 * `/webservice/rest/server.php`, GET or POST: authenticates `wstoken`, finds `wsfunction`, validates its
 * parameters and answers its result, in JSON or in Moodle's XML envelope. Every failure is Moodle's error
 * answer with HTTP 200 (`{"exception", "errorcode", "message", "debuginfo"}`, or `<EXCEPTION>`), in the order
 * Moodle checks: token (`invalidtoken`), function (`invalidrecord` on `external_functions`), parameters
 * (`invalidparameter`), then the function's own checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidRecord, requestTimeout } from '../errors/exceptions.ts';
import { toMoodleException } from '../errors/from-error.ts';
import type { MoodleException } from '../errors/moodle-exception.ts';
import { phpJsonEncode } from '../encode/php-json.ts';
import { xmlError, xmlResponse } from '../encode/moodle-xml.ts';
import { readFormFields } from '../params/read-form.ts';
import { validateParameters } from '../params/validate-parameters.ts';
import { authenticateToken } from '../tokens/token-store.ts';
import type { AppContext } from '../server/app-context.ts';
import { drainBody, sendBody } from '../server/http-io.ts';
import type { RequestScope } from '../server/http-io.ts';
import { parseRestRequest } from './rest-request.ts';

/** Serves one REST call. */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  app: AppContext,
  scope: RequestScope,
): Promise<void> {
  let format: 'json' | 'xml' = url.searchParams.get('moodlewsrestformat') === 'json' ? 'json' : 'xml';
  try {
    const body =
      req.method === 'POST'
        ? await readFormFields(req, app.limits.maxFormBytes, scope.signal, app.limits.requestTimeoutMs)
        : [];
    if (scope.signal.aborted) throw requestTimeout(app.limits.requestTimeoutMs);
    // The call is read: from here on it runs to its end (a restore queued is answered, never timed out).
    scope.commit();
    const call = parseRestRequest(url.searchParams, body);
    format = call.format;
    if (call.wsfunction !== undefined) scope.log.wsfunction = call.wsfunction;
    const token = await authenticateToken(app.storage, call.token);
    scope.log.tokenid = token.id;
    const fn = call.wsfunction === undefined ? undefined : app.functions.get(call.wsfunction);
    if (!fn)
      throw invalidRecord(
        'external_functions',
        `This server has no function "${call.wsfunction ?? ''}"; it serves ${[...app.functions.keys()].join(', ')}.`,
      );
    const params = validateParameters(fn.parameters, call.params);
    const result = await fn.execute(params, { token, app, scope });
    if (format === 'json')
      sendBody(res, 200, 'application/json', fn.returns === null ? 'null' : phpJsonEncode(result, fn.returns));
    else
      sendBody(res, 200, 'application/xml; charset=utf-8', xmlResponse(result, fn.returns), {
        headers: { 'Content-Disposition': 'inline; filename="response.xml"' },
      });
  } catch (error) {
    const { exception, unexpected } = toMoodleException(error);
    if (unexpected) app.logger?.error({ err: error }, 'unexpected error in a REST call');
    await drainBody(req, scope.signal);
    sendRestError(res, format, exception, scope);
  }
}

/** Sends a Moodle error answer of the REST server. */
export function sendRestError(
  res: ServerResponse,
  format: 'json' | 'xml',
  exception: MoodleException,
  scope: RequestScope,
): void {
  scope.log.errorcode = exception.errorcode;
  if (format === 'json') sendBody(res, 200, 'application/json', phpJsonEncode(exception.toJSON()));
  else
    sendBody(res, 200, 'application/xml; charset=utf-8', xmlError(exception), {
      headers: { 'Content-Disposition': 'inline; filename="response.xml"' },
    });
}
