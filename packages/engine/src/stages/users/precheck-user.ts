/**
 * Decides what happens to one backup user: matched to a user of the store, created, or in conflict.
 * A transcription of `restore_dbops::precheck_user()` (`backup/util/dbops/restore_dbops.class.php`,
 * Moodle 4.x), rules 1A–1E for a backup of the same site and 2A–2E for another site; the rule letters
 * below are Moodle's. Every look-up reads the store (committed rows and this restore's own), so users an
 * earlier restore created are found again.
 *
 * The store's queries are equality filters only, so Moodle's case-insensitive comparisons
 * (`UPPER(email) = UPPER(?)`) and `LIKE 'email.%'` are applied to the rows an equality filter returns.
 *
 * Rule 2A2 (an `admin` of another site mapped to `admin_<site hash>`) is applied here only as far as
 * Moodle's `precheck_user()` does (find an existing `admin_<hash>`); creating it is the caller's part,
 * as in `precheck_included_users()`.
 */
import { createHash } from 'node:crypto';
import type { UserFinder } from './user-finder.ts';
import type { Row } from '../../storage/storage-adapter.ts';
import type { BackupUser } from './users-xml.ts';

/** The outcome of the check. */
export type UserCheck =
  /** An existing user of the store (`rule` = Moodle's rule that matched). */
  | { readonly kind: 'match'; readonly user: Row; readonly rule: string }
  /** No user matches and none is in the way: create one. */
  | { readonly kind: 'create' }
  /** A user with the same username and host exists but is someone else. */
  | { readonly kind: 'conflict'; readonly existing: Row; readonly rule: string };

/** What the check needs besides the user. */
export interface PrecheckOptions {
  /** True when the backup comes from this store's site (§5.2). */
  readonly sameSite: boolean;
  /** The backup's `original_site_identifier_hash` (for `admin_<hash>`). */
  readonly siteHash: string;
  /** The store's own MNet host id (`$CFG->mnet_localhost_id`). */
  readonly localHostId: number;
}

/** `restore_dbops::precheck_user()` for a user whose `mnethostid` is already resolved. */
export async function precheckUser(
  rows: UserFinder,
  user: BackupUser,
  mnethostid: number,
  options: PrecheckOptions,
): Promise<UserCheck> {
  return options.sameSite
    ? precheckSameSite(rows, user, mnethostid)
    : precheckOtherSite(rows, user, mnethostid, options);
}

/** Moodle's `backup_anonymizer_helper::is_anonymous_user()`: a user made by the "anonymize" backup option. */
export function isAnonymousUser(user: Pick<BackupUser, 'username' | 'firstname' | 'lastname' | 'email'>): boolean {
  return (
    /^anon\d*$/.test(user.username) &&
    /^anonfirstname\d*$/.test(user.firstname) &&
    /^anonlastname\d*$/.test(user.lastname) &&
    (/^anon\d*@doesntexist\.com$/.test(user.email) || /^anon\d*@doesntexist\.invalid$/.test(user.email))
  );
}

// Internal helpers

async function precheckSameSite(rows: UserFinder, user: BackupUser, mnethostid: number): Promise<UserCheck> {
  // 1A: same id, username and host.
  const [same] = await rows.select('user', { id: user.id, username: user.username, mnethostid });
  if (same) return { kind: 'match', user: same, rule: '1A' };

  // 1B: an anonymised user is matched by username alone (MDL-31484).
  if (isAnonymousUser(user)) {
    const [anon] = await rows.select('user', { username: user.username }, { limit: 1 });
    if (anon) return { kind: 'match', user: anon, rule: '1B' };
  }

  // 1C: deleted in the store, alive in the backup: same id and host, and the store's username is
  // `<backup email>.<time>` or its email is md5(backup username) (what delete_user() leaves).
  const deletedHere = await rows.select('user', { id: user.id, mnethostid, deleted: 1 });
  const c = deletedHere.find(
    (r) => sqlLike(str(r.username), `${user.email}.%`) || (str(r.email) !== '' && str(r.email) === md5(user.username)),
  );
  if (c) return { kind: 'match', user: c, rule: '1C' };

  // 1D: deleted in the backup, alive in the store: same id and host, email = the backup username
  // without its trailing `.<time>`.
  if (user.deleted) {
    const trimmed = trimDeletedTime(user.username);
    const candidates = await rows.select('user', { id: user.id, mnethostid });
    const d = candidates.find((r) => upper(r.email) === trimmed.toUpperCase());
    if (d) return { kind: 'match', user: d, rule: '1D' };
  }

  // 1E: the username and host belong to another id.
  const taken = await rows.select('user', { username: user.username, mnethostid });
  const other = taken.find((r) => Number(r.id) !== user.id);
  if (other) return { kind: 'conflict', existing: other, rule: '1E' };
  return { kind: 'create' };
}

async function precheckOtherSite(
  rows: UserFinder,
  user: BackupUser,
  mnethostid: number,
  options: PrecheckOptions,
): Promise<UserCheck> {
  const sameFirstaccess = (r: Row) => Number(r.firstaccess) !== 0 && Number(r.firstaccess) === user.firstaccess;

  // 2A1: same username and host, and same email (any case) or same non-zero first access.
  const byName = await rows.select('user', { username: user.username, mnethostid });
  const a1 = byName.find((r) => upper(r.email) === user.email.toUpperCase() || sameFirstaccess(r));
  if (a1) return { kind: 'match', user: a1, rule: '2A1' };

  // 2A2 (MDL-21912): another site's `admin` maps to an existing `admin_<site hash>`.
  if (user.username === 'admin' && options.siteHash !== '' && mnethostid === options.localHostId) {
    const [admin] = await rows.select('user', { username: `admin_${options.siteHash}` }, { limit: 1 });
    if (admin) return { kind: 'match', user: admin, rule: '2A2' };
  }

  // 2B1: deleted in the store with email = md5(username), and username `<backup email>.<time>` or same first access.
  const hashed = await rows.select('user', { mnethostid, deleted: 1, email: md5(user.username) });
  const b1 = hashed.find((r) => sqlLike(str(r.username), `${user.email}.%`) || sameFirstaccess(r));
  if (b1) return { kind: 'match', user: b1, rule: '2B1' };

  // 2B2: deleted in the store, username `<backup email>.<time>` and same non-zero first access.
  if (user.firstaccess !== 0) {
    const deleted = await rows.select('user', { mnethostid, deleted: 1, firstaccess: user.firstaccess });
    const b2 = deleted.find((r) => sqlLike(str(r.username), `${user.email}.%`));
    if (b2) return { kind: 'match', user: b2, rule: '2B2' };
  }

  // 2C: deleted in the backup: email = backup username without `.<time>`, and same non-zero first access.
  if (user.deleted && user.firstaccess !== 0) {
    const trimmed = trimDeletedTime(user.username).toUpperCase();
    const alive = await rows.select('user', { mnethostid, firstaccess: user.firstaccess });
    const cMatch = alive.find((r) => upper(r.email) === trimmed);
    if (cMatch) return { kind: 'match', user: cMatch, rule: '2C' };
  }

  // 2D: the username and host exist, but neither email nor first access match: someone else.
  const [other] = byName;
  if (other) return { kind: 'conflict', existing: other, rule: '2D' };
  return { kind: 'create' };
}

/** `preg_replace('/(.*?)\.[0-9]+.?$/', '\\1', $username)`: what a deleted user's username was made of. */
function trimDeletedTime(username: string): string {
  return username.replace(/(.*?)\.[0-9]+.?$/s, '$1');
}

/** SQL `UPPER(a) LIKE UPPER(pattern)` (`%` any run, `_` any one character). */
function sqlLike(value: string, pattern: string): boolean {
  const source = [...pattern]
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'isu').test(value);
}

function md5(value: string): string {
  return createHash('md5').update(value).digest('hex');
}

function str(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function upper(value: unknown): string {
  return str(value).toUpperCase();
}
