/**
 * Messages between the service and a restore worker, all plain data (structured clone). A worker is started
 * once with {@link RestoreWorkerData} (how to open the store) and then runs one restore after another, each
 * sent as a `run` message. Every message about a restore carries its `jobId` (the restore id), so a message
 * that arrives late from a reused worker is never taken for another restore's. An error crosses as name, code,
 * message and context; the service re-creates the same engine error class with the same code, so callers
 * branch on `code` whichever thread the restore ran on.
 */
import {
  ArchiveError,
  InvalidArgumentError,
  MbzError,
  StorageError,
  UnsupportedFormatError,
  XmlError,
  type ErrorCode,
  type ErrorContext,
  type StorageOpenSpec,
} from '@mbz-restore/engine';
import type { ProgressReport, RestoreInput, RestoreOutcome } from './restore-runner.ts';

/** `workerData` of a restore worker. */
export interface RestoreWorkerData {
  /** How the worker opens its own handle on the store. */
  readonly storage: StorageOpenSpec;
  /** Files to resolve `storage.module` from when the worker cannot import it by name (the main script, the working folder). */
  readonly resolveFrom: readonly string[];
}

/** Worker → service. */
export type WorkerMessage =
  | ({ readonly type: 'progress'; readonly jobId: string } & ProgressReport)
  /** The restore reached its commit: it can no longer be cancelled, so its thread must not be terminated. */
  | { readonly type: 'committing'; readonly jobId: string }
  /** The restore committed. */
  | ({ readonly type: 'done'; readonly jobId: string; readonly outcome: RestoreOutcome } & ThreadMemory)
  /** The restore failed or was cancelled, and its unit of work was rolled back. */
  | ({ readonly type: 'error'; readonly jobId: string; readonly error: SerializedError } & ThreadMemory);

/** What a thread holds once its restore has ended, sent with the restore's end. */
export interface ThreadMemory {
  /** The thread's V8 heap as reserved from the system (`total_heap_size`) plus its external memory (Buffers), in bytes. */
  readonly heapBytes: number;
}

/** Service → worker. */
export type ServiceMessage =
  /** Run one restore (the worker runs one at a time). */
  | { readonly type: 'run'; readonly jobId: string; readonly input: RestoreInput }
  /** Stop restore `jobId` at its next batch of rows and roll it back. */
  | { readonly type: 'cancel'; readonly jobId: string }
  /** Close the store handle and end the thread (sent only while no restore runs). */
  | { readonly type: 'stop' };

/** An error as it crosses threads. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly found?: string;
  readonly context?: ErrorContext;
  readonly stack?: string;
}

/** The plain form of any thrown value. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof MbzError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      context: error.context,
      stack: error.stack,
      ...(error instanceof UnsupportedFormatError ? { found: error.found } : {}),
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** The error a {@link SerializedError} describes, as the same class with the same code. */
export function deserializeError(s: SerializedError): Error {
  const options = { context: s.context ?? {} };
  const code = s.code as ErrorCode | undefined;
  let error: Error;
  if (s.name === 'AbortError') error = new DOMException(s.message, 'AbortError');
  else if (code === undefined) error = new Error(s.message);
  else if (s.name === 'UnsupportedFormatError')
    error = new UnsupportedFormatError(s.found ?? 'unknown', s.message, options);
  else if (s.name === 'InvalidArgumentError') error = new InvalidArgumentError(s.message, options);
  else if (s.name === 'ArchiveError') error = new ArchiveError(code, s.message, options);
  else if (s.name === 'XmlError') error = new XmlError(code, s.message, options);
  else if (s.name === 'StorageError') error = new StorageError(code, s.message, options);
  else error = new MbzError(code, s.message, options);
  if (s.stack !== undefined && !(error instanceof DOMException))
    error.stack = `${s.stack}\n    (in a restore worker thread)`;
  return error;
}

/** True for the error a cancelled restore rejects with. */
export function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}
