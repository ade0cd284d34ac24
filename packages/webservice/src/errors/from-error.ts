/**
 * Turns whatever a handler caught into the Moodle exception its request answers. The restore service's typed
 * errors carry the `errorcode` Moodle answers for the same refusal (`moodleErrorcode`): each becomes Moodle's
 * exception class and English message for that code, with the service's own message as `debuginfo`. Engine
 * errors without one map as the service maps them (`input.invalid-argument` → `invalidparameter`, archive and
 * format errors → `errorinvalidformat`); other engine errors keep their stable code as the `errorcode`;
 * anything else is `generalexceptionmessage` (and worth a log line with its stack).
 */
import { ErrorCode, isMbzError } from '@mbz-restore/engine';
import { generalException, invalidParameter, invalidRecord } from './exceptions.ts';
import { MoodleException } from './moodle-exception.ts';

/** Moodle's exception class and message for the codes the restore service carries. */
const KNOWN: Readonly<Record<string, readonly [exception: string, message: string]>> = {
  invalidextparam: ['moodle_exception', 'Invalid external api parameter: options'],
  filenotfound: ['moodle_exception', 'File not found'],
  filenameexist: ['moodle_exception', 'File name already exists'],
  errorinvalidformat: ['moodle_exception', 'Unknown backup format'],
  invaliduser: ['moodle_exception', 'Invalid user'],
  servicenotavailable: ['moodle_exception', "Web service is not available (it doesn't exist or might be disabled)"],
};

/** Tables named by `invalidrecord`, by the engine code of the refusal. */
const TABLES: Readonly<Record<string, string>> = {
  [ErrorCode.ServiceCategoryNotFound]: 'course_categories',
  [ErrorCode.ServiceRestoreNotFound]: 'backup_controllers',
  [ErrorCode.ServiceUserNotFound]: 'user',
};

/** The Moodle exception for `error`; `unexpected` is true when it was not a typed error (log it with its stack). */
export function toMoodleException(error: unknown): { exception: MoodleException; unexpected: boolean } {
  if (error instanceof MoodleException) return { exception: error, unexpected: false };
  const carried = carriedErrorcode(error);
  if (carried !== undefined) return { exception: fromCode(carried, error as Error), unexpected: false };
  if (isMbzError(error)) {
    if (error.code === ErrorCode.InvalidArgument)
      return { exception: invalidParameter(error.message), unexpected: false };
    if (error.code.startsWith('archive.') || error.code === ErrorCode.BackupUnsupportedFormat)
      return { exception: fromCode('errorinvalidformat', error), unexpected: false };
    return { exception: new MoodleException('moodle_exception', error.code, error.message), unexpected: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exception: generalException(message), unexpected: true };
}

// Internal helpers

function fromCode(code: string, error: Error): MoodleException {
  if (code === 'invalidparameter') return invalidParameter(error.message);
  if (code === 'invalidrecord')
    return invalidRecord(TABLES[(error as { code?: string }).code ?? ''] ?? 'backup_controllers', error.message);
  if (code === 'generalexceptionmessage') return generalException(error.message);
  const known = KNOWN[code];
  return known
    ? new MoodleException(known[0], code, known[1], error.message)
    : new MoodleException('moodle_exception', code, error.message);
}

function carriedErrorcode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { moodleErrorcode?: unknown }).moodleErrorcode ?? (error as { errorcode?: unknown }).errorcode;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
