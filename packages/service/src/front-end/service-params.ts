/**
 * Checks of the parameters of the service's functions, as Moodle's `external_api::validate_parameters()`
 * does before a webservice function runs: wrong shapes are `invalidparameter`.
 */
import { randomBytes } from 'node:crypto';
import type { OptionItem } from '@mbz-restore/engine';
import { checkLocalFile } from './draft-lookup.ts';
import { invalidParameter } from '../service-error.ts';
import type { LocalFileRef, RestoreAsyncParams } from '../types.ts';

/** A new restore id: 32 hex characters, like Moodle's. */
export function newRestoreId(): string {
  return randomBytes(16).toString('hex');
}

/** `restoreid`, checked to be 32 hex characters. */
export function checkRestoreId(restoreid: unknown): string {
  if (typeof restoreid !== 'string' || !/^[0-9a-f]{32}$/u.test(restoreid)) {
    throw invalidParameter(
      `restoreid must be 32 lowercase hex characters (as restoreAsync answered), got ${JSON.stringify(restoreid)}.`,
    );
  }
  return restoreid;
}

/** A category id, checked to be a positive whole number. */
export function checkCategoryId(categoryid: unknown): number {
  if (typeof categoryid !== 'number' || !Number.isSafeInteger(categoryid) || categoryid < 1) {
    throw invalidParameter(`categoryid must be a positive whole number, got ${JSON.stringify(categoryid)}.`);
  }
  return categoryid;
}

/** The parameters of `core_course_restore_async`, checked for shape (values are checked against the backup later). */
export function checkAsyncParams(params: unknown): {
  categoryid: number;
  localfile: LocalFileRef;
  options: readonly OptionItem[];
} {
  if (typeof params !== 'object' || params === null)
    throw invalidParameter('The parameters must be an object { categoryid, localfile, options }.');
  const p = params as Partial<RestoreAsyncParams>;
  const options = p.options ?? [];
  if (!Array.isArray(options))
    throw invalidParameter(`options must be a list of { name, value }, got ${JSON.stringify(p.options)}.`);
  return { categoryid: checkCategoryId(p.categoryid), localfile: checkLocalFile(p.localfile), options };
}

/** A user id, checked to be a positive whole number. */
export function checkUserId(userid: unknown): number {
  if (typeof userid !== 'number' || !Number.isSafeInteger(userid) || userid < 1) {
    throw invalidParameter(`userid must be a positive whole number, got ${JSON.stringify(userid)}.`);
  }
  return userid;
}
