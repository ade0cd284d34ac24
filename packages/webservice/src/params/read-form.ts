/**
 * The parameters of a REST call, as PHP fills `$_GET` and `$_POST`: the query string, and a body in
 * `application/x-www-form-urlencoded` or `multipart/form-data` (files in it are read and dropped). Any other
 * body is read and ignored, as PHP ignores it. A body larger than the limit is refused with `invalidparameter`,
 * one still arriving when the request times out with `requesttimeout`.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { invalidParameter, requestTimeout } from '../errors/exceptions.ts';
import { MAX_INPUT_VARS } from './php-params.ts';

/** Reads the form fields of the body, in order. */
export async function readFormFields(
  req: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Array<[string, string]>> {
  const type = req.headers['content-type'] ?? '';
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    await consume(req, maxBytes, signal);
    return [];
  }
  const fields: Array<[string, string]> = [];
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fieldSize: maxBytes, fields: MAX_INPUT_VARS + 1, fileSize: maxBytes },
        defParamCharset: 'utf8',
      });
    } catch (error) {
      reject(invalidParameter(`The request body could not be read: ${(error as Error).message}.`));
      return;
    }
    let received = 0;
    const fail = (error: unknown): void => {
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    const onAbort = (): void => fail(requestTimeout(timeoutMs));
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) fail(tooLarge(maxBytes));
    });
    parser.on('field', (name, value) => fields.push([name, value]));
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', (error: Error) =>
      fail(invalidParameter(`The request body is not a valid form: ${error.message}.`)),
    );
    parser.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    req.pipe(parser);
  });
  return fields;
}

// Internal helpers

function tooLarge(maxBytes: number): Error {
  return invalidParameter(
    `The request parameters are larger than ${maxBytes} bytes (mbz serve limits REST calls to that); send fewer.`,
  );
}

function consume(req: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) reject(tooLarge(maxBytes));
    });
    req.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    req.on('error', () => resolve());
  });
}
