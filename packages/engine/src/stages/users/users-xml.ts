/**
 * Reads the users a restore considers from root `users.xml`: only those with a `userref` in an included
 * inforef.xml (`restore_users_parser_processor`, which loads nothing else), each as one record with its
 * custom fields, tags and preferences grouped in (`/users/user` is a grouped path in Moodle). The
 * user-context `roles` subtree is read along but never used, as in Moodle.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num, text } from '../support.ts';

/** The archive entry. */
export const USERS_XML = 'users.xml';

/** The fields of a backup user that matching needs, plus the whole record for creating it. */
export interface BackupUser {
  /** Source user id. */
  readonly id: number;
  /** Source user context id (`contextid` attribute), or `undefined` when absent. */
  readonly contextid: number | undefined;
  readonly username: string;
  readonly email: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly firstaccess: number;
  readonly deleted: boolean;
  /** `mnethosturl`, '' when absent. */
  readonly mnethosturl: string;
  /** The record as read (all user columns and the grouped children). */
  readonly data: XmlObject;
}

/** Streams the included users of users.xml in document order. */
export async function* includedUsers(ctx: RestoreContext): AsyncGenerator<BackupUser> {
  const refs = ctx.state.inforefs.get('user');
  if (!refs || refs.size === 0) return;
  for await (const record of ctx.source.records(USERS_XML, {
    paths: ['/users/user'],
    arrays: ['custom_fields/custom_field', 'tags/tag', 'preferences/preference'],
  })) {
    const data = record.data;
    const id = num(data.id, NaN);
    if (!Number.isFinite(id) || !refs.has(id)) continue;
    yield {
      id,
      contextid: data.contextid === undefined || data.contextid === null ? undefined : num(data.contextid, NaN),
      username: text(data.username),
      email: text(data.email),
      firstname: text(data.firstname),
      lastname: text(data.lastname),
      firstaccess: num(data.firstaccess),
      deleted: num(data.deleted) !== 0,
      mnethosturl: text(data.mnethosturl),
      data,
    };
  }
}
