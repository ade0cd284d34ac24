/**
 * Creates one backup user in the store, as `restore_dbops::create_included_users()` does: the `user` row
 * (auth recoded to an enabled method, a marker password when the backup carries none, `policyagreed`
 * reset, no theme), then — unless the user is deleted (MDL-30192) — the user context (mapped from the
 * backup's), custom profile fields the store defines (by shortname and datatype), and preferences.
 *
 * Departures from Moodle, on purpose:
 * - `lang` is kept (the store has no language packs to check it against; Moodle falls back to the site
 *   language when the pack is missing). An empty `lang` becomes `en`.
 * - User tags are not restored: the store has no tag collections (`tag_coll`) to put them in. The caller
 *   reports how many were left out.
 * - User files (`user/icon`, `user/profile`) are restored by the files stage through the context mapping
 *   made here.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { ContextLevel, createContext, list, num, text } from '../support.ts';
import type { BackupUser } from './users-xml.ts';

/** Authentication settings of the store that creation depends on (`$CFG->auth`, `$CFG->registerauth`). */
export interface AuthConfig {
  /** Enabled auth plugins. `manual` and `nologin` are always enabled. */
  readonly enabled: ReadonlySet<string>;
  /** `$CFG->registerauth`: `email` or '' (default ''). */
  readonly registerauth: string;
  /** `$CFG->mnet_localhost_id`. */
  readonly localHostId: number;
}

/** Auth plugins that keep no password in Moodle's database (`prevent_local_passwords()`). */
const EXTERNAL_PASSWORD_AUTH = new Set(['cas', 'db', 'ldap', 'lti', 'mnet', 'oauth2', 'shibboleth', 'webservice']);
/** Internal auth plugins whose password can be reset (`is_internal() && can_reset_password()`). */
const RESETTABLE_AUTH = new Set(['manual', 'email']);
/** Moodle's `AUTH_PASSWORD_NOT_CACHED`. */
const PASSWORD_NOT_CACHED = 'not cached';

/** What creating a user did, for the stage's summary. */
export interface CreatedUser {
  readonly id: number;
  /** Tags in the backup that were not restored. */
  readonly skippedTags: number;
}

/** Inserts the user (and, for a live user, its context, profile field data and preferences); maps `user` and `context`. */
export async function createUser(
  ctx: RestoreContext,
  user: BackupUser,
  options: {
    readonly username: string;
    readonly mnethostid: number;
    readonly auth: AuthConfig;
    readonly fieldIds: Map<string, number | null>;
  },
): Promise<CreatedUser> {
  const { data } = user;
  const auth = recodeAuth(text(data.auth) || 'manual', options.mnethostid, options.auth);
  const id = await ctx.rows.insert('user', {
    ...data,
    username: options.username,
    mnethostid: options.mnethostid,
    auth,
    password: text(data.password) || defaultPassword(auth),
    lang: text(data.lang) || 'en',
    // $CFG->allowuserthemes is off by default, so Moodle resets every theme.
    theme: '',
    policyagreed: 0,
    timecreated: num(data.timecreated) || ctx.state.now,
  });
  ctx.ids.set('user', user.id, id);
  if (user.deleted) {
    ctx.state.deletedUserIds.add(id);
    return { id, skippedTags: 0 };
  }
  await createContext(
    ctx,
    ContextLevel.User,
    id,
    '/1',
    user.contextid !== undefined && Number.isFinite(user.contextid) ? user.contextid : undefined,
  );
  await insertProfileData(ctx, id, data, options.fieldIds);
  await insertPreferences(ctx, id, data);
  return { id, skippedTags: list(data.tags, 'tag').length };
}

// Internal helpers

/** Auth recoding of `create_included_users()`: mnet on the local host, then anything not enabled, falls to email/manual. */
function recodeAuth(auth: string, mnethostid: number, config: AuthConfig): string {
  const fallback = config.registerauth === 'email' ? 'email' : 'manual';
  let result = auth === 'mnet' && mnethostid === config.localHostId ? fallback : auth;
  if (!config.enabled.has(result)) result = fallback;
  if (!config.enabled.has(result)) result = 'manual';
  return result;
}

/** The password a user restored without one gets (MDL-20846). */
function defaultPassword(auth: string): string {
  if (EXTERNAL_PASSWORD_AUTH.has(auth)) return PASSWORD_NOT_CACHED;
  if (RESETTABLE_AUTH.has(auth)) return 'restored';
  return '';
}

async function insertProfileData(
  ctx: RestoreContext,
  userid: number,
  data: XmlObject,
  fieldIds: Map<string, number | null>,
): Promise<void> {
  for (const field of list(data.custom_fields, 'custom_field')) {
    const value = text(field.field_data);
    // PHP's `if ($udata->field_data)`: '' and '0' are not restored.
    if (value === '' || value === '0') continue;
    const shortname = text(field.field_name);
    const datatype = text(field.field_type);
    const key = `${datatype}\u0000${shortname}`;
    if (!fieldIds.has(key)) {
      const [row] = await ctx.rows.select('user_info_field', { shortname, datatype }, { limit: 1 });
      fieldIds.set(key, row ? Number(row.id) : null);
    }
    const fieldid = fieldIds.get(key);
    if (fieldid === null || fieldid === undefined) continue;
    await ctx.rows.insert('user_info_data', { userid, fieldid, data: value, dataformat: 0 });
  }
}

async function insertPreferences(ctx: RestoreContext, userid: number, data: XmlObject): Promise<void> {
  const seen = new Set<string>();
  for (const preference of list(data.preferences, 'preference')) {
    const name = text(preference.name);
    // (userid, name) is unique in Moodle; a backup never repeats a name, but a damaged one must not break the commit.
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    await ctx.rows.insert('user_preferences', { userid, name, value: text(preference.value) });
  }
  // Backups from before 2.0's preference: htmleditor = 0 became the `htmleditor` preference.
  if (text(data.htmleditor) === '0' && !seen.has('htmleditor')) {
    await ctx.rows.insert('user_preferences', { userid, name: 'htmleditor', value: 'textarea' });
  }
}
