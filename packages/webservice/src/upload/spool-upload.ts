/**
 * Reads a `multipart/form-data` upload (or a urlencoded one, fields only) with busboy and spools each file to
 * a temporary folder, counting bytes as they arrive, so nothing reaches the store before the whole request has
 * arrived and passed every check. When a limit is crossed, a hook refuses the upload, the client goes away or
 * the request times out, the folder is removed and the first reason is thrown — after the rest of the body
 * has been read and dropped, so the client always gets its answer. Memory use is a few chunks per request.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { invalidParameter, requestTimeout, uploadPartial, uploadTooLarge } from '../errors/exceptions.ts';
import { MoodleException } from '../errors/moodle-exception.ts';

/** One spooled file. */
export interface SpooledFile {
  /** Form field name (Moodle ignores it). */
  readonly field: string;
  /** File name as sent. */
  readonly filename: string;
  /** Where its bytes are. */
  readonly path: string;
  readonly bytes: number;
}

/** What the body held. The caller removes {@link dir} when done. */
export interface SpooledUpload {
  readonly dir: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly files: readonly SpooledFile[];
}

/** Options of {@link spoolUpload}. */
export interface SpoolOptions {
  readonly tempDir: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Runs before the first byte of the first file is read, with the fields so far; throw to refuse the upload. */
  readonly beforeFiles: (fields: ReadonlyArray<readonly [string, string]>) => Promise<void>;
}

/** Spools the body of `req`; throws a {@link MoodleException} (nothing kept) when it cannot. */
export async function spoolUpload(req: IncomingMessage, options: SpoolOptions): Promise<SpooledUpload> {
  const dir = await mkdtemp(join(options.tempDir, 'mbz-upload-'));
  const fields: Array<[string, string]> = [];
  const files: SpooledFile[] = [];
  const writes: Array<Promise<void>> = [];
  let failure: MoodleException | undefined;
  let total = 0;
  let gate: Promise<void> | undefined;
  const active = new Set<Readable>();
  const fail = (error: MoodleException): void => {
    failure ??= error;
  };

  let fileCount = 0;
  const receiveFile = async (field: string, stream: Readable, filename: string): Promise<void> => {
    const index = fileCount++;
    gate ??= options.beforeFiles(fields);
    try {
      await gate;
    } catch (error) {
      fail(error instanceof MoodleException ? error : uploadPartial(String(error)));
    }
    if (failure) {
      stream.resume();
      return;
    }
    const path = join(dir, String(index));
    let bytes = 0;
    await new Promise<void>((resolve) => {
      const out = createWriteStream(path);
      let dropping = false;
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        active.delete(stream);
        resolve();
      };
      const drop = (error: MoodleException): void => {
        fail(error);
        dropping = true;
        out.destroy();
        stream.resume();
      };
      active.add(stream);
      out.on('error', () =>
        drop(
          new MoodleException(
            'moodle_exception',
            'upload_error_cant_write',
            'Failed to write file to disk.',
            'The server could not spool the upload; check its temporary folder.',
          ),
        ),
      );
      stream.on('data', (chunk: Buffer) => {
        if (dropping) return;
        if (failure) return drop(failure);
        bytes += chunk.length;
        total += chunk.length;
        if (total > options.maxBytes) return drop(uploadTooLarge(options.maxBytes));
        if (!out.write(chunk)) {
          stream.pause();
          out.once('drain', () => stream.resume());
        }
      });
      stream.on('error', (error: Error) => {
        drop(uploadPartial(`The upload ended early: ${error.message}.`));
        settle();
      });
      stream.on('close', () => {
        // A part that ended normally settles once its spool file is written and closed ('end' below): settling
        // here would let the caller open a file whose write has not even opened it yet.
        if (stream.readableEnded) return;
        drop(failure ?? uploadPartial('The upload ended early.'));
        settle();
      });
      stream.on('end', () => {
        if (dropping) settle();
        else out.end(settle);
      });
    });
    if (!failure) files.push({ field, filename, path, bytes });
  };

  await new Promise<void>((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: options.maxFiles, fileSize: options.maxBytes + 1, fields: 1000, fieldSize: 64 * 1024 },
      });
    } catch {
      // Not a form (no or another content type): no files, no fields; read and drop the body.
      req
        .on('end', resolve)
        .on('error', () => resolve())
        .on('close', () => resolve());
      req.resume();
      return;
    }
    const stop = (error: MoodleException): void => {
      fail(error);
      req.unpipe(parser);
      req.resume();
      for (const stream of active) stream.destroy();
      resolve();
    };
    req.on('close', () => {
      if (!req.readableEnded) stop(uploadPartial('The client closed the connection before the upload was complete.'));
    });
    const onAbort = (): void => stop(requestTimeout(options.timeoutMs));
    options.signal.addEventListener('abort', onAbort, { once: true });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(invalidParameter(`Form field "${name}" is longer than 64 KiB.`));
      else fields.push([name, value]);
    });
    parser.on('file', (field, stream, info) => writes.push(receiveFile(field, stream, info.filename ?? '')));
    parser.on('filesLimit', () =>
      fail(
        invalidParameter(
          `An upload may carry at most ${options.maxFiles} files (mbz serve --max-files); send the others in another request with the same itemid.`,
        ),
      ),
    );
    parser.on('error', (error: Error) => stop(uploadPartial(`The upload is not a valid form: ${error.message}.`)));
    parser.on('close', () => {
      options.signal.removeEventListener('abort', onAbort);
      resolve();
    });
    req.pipe(parser);
  });
  await Promise.all(writes);
  if (options.signal.aborted) fail(requestTimeout(options.timeoutMs));
  if (failure) {
    await rm(dir, { recursive: true, force: true });
    throw failure;
  }
  return { dir, fields, files };
}
