/**
 * The precheck error of the users stage. Moodle refuses to run a restore whose users conflict with the
 * target site's (`restore_dbops::precheck_included_users()`, string `restoreuserconflict`: "Restoring user
 * 'x' from backup file will cause conflict"); the engine does the same before it writes anything, and
 * says who conflicts, what differs, and what a person can do about it.
 */
import { ErrorCode, MbzError } from '../../errors.ts';
import type { Row } from '../../storage/storage-adapter.ts';
import type { BackupUser } from './users-xml.ts';

/** One backup user that cannot be restored. */
export interface UserConflict {
  /** The backup user. */
  readonly user: BackupUser;
  /** The store's user in the way, when there is one. */
  readonly existing: Row | undefined;
  /** What differs, for a person. */
  readonly reason: string;
}

/** Most conflicts named one by one in the message; the rest are counted. */
const LISTED = 10;

/** What differs between a backup user and the store's user with the same username (rule 1E or 2D). */
export function describeConflict(user: BackupUser, existing: Row, rule: string): string {
  if (rule === '1E') {
    return `the store's user "${user.username}" has id ${String(existing.id)}, the backup's has id ${user.id} (same site, so ids must agree)`;
  }
  const email = existing.email === null || existing.email === undefined ? '' : String(existing.email);
  const access = Number(existing.firstaccess ?? 0);
  const differences = [
    `email differs (store: ${quote(email)}, backup: ${quote(user.email)})`,
    access === 0 && user.firstaccess === 0
      ? 'neither has a first access time to compare'
      : `first access differs (store: ${access}, backup: ${user.firstaccess})`,
  ];
  return `the store's user "${user.username}" (id ${String(existing.id)}) looks like someone else: ${differences.join('; ')}`;
}

/** The typed error for a list of conflicts (`restore.user-conflict`). */
export function userConflictError(conflicts: readonly UserConflict[]): MbzError {
  const lines = conflicts.slice(0, LISTED).map((c) => `- ${c.reason}`);
  if (conflicts.length > LISTED) lines.push(`- … and ${conflicts.length - LISTED} more`);
  const who =
    conflicts.length === 1 ? '1 user of the backup conflicts' : `${conflicts.length} users of the backup conflict`;
  const message = [
    `The restore was stopped before writing anything: ${who} with users already in the store.`,
    ...lines,
    "A user is reused only when username and MNet host match and, for a backup of another site, the email or the first access time match too (Moodle's restore_dbops::precheck_user()).",
    'To restore anyway: restore without users (option users = 0), or change the conflicting users in the store (username or email) so they no longer clash, or restore into another store.',
  ].join('\n');
  return new MbzError(ErrorCode.RestoreUserConflict, message, { context: { entry: 'users.xml', stage: 'users' } });
}

// Internal helpers

function quote(value: string): string {
  return value === '' ? 'empty' : `"${value}"`;
}
