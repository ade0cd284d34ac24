/**
 * Writes `users.xml` (`backup_users_structure_step`): one `<user id contextid>` per user some
 * inforef references, with the 4.3 column list (no password: Moodle leaves hashes out of backups
 * by default), empty `custom_fields` and `tags`, `preferences`, and the user-context `roles`
 * containers (which restore ignores). The admin, every student and every teacher are written —
 * each is referenced from an inforef (`course/inforef.xml` for enrolled users, the quiz inforef for
 * the admin, who owns the questions).
 */
import type { UserInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders users.xml and counts users. */
export async function renderUsers(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model } = ctx;
  ctx.counts.users = 0;
  w.open('users');
  for (const u of model.users) {
    writeUser(w, u, model.time.backup);
    ctx.counts.users++;
    await w.maybeFlush();
  }
  w.close();
}

// Internal helpers

function writeUser(w: XmlWriter, u: UserInfo, backupTime: number): void {
  const lastlogin = u.lastaccess === 0 ? 0 : Math.min(backupTime, u.lastaccess);
  w.open('user', { id: u.id, contextid: u.contextId }).leaves({
    username: u.username,
    idnumber: u.idnumber,
    email: u.email,
    phone1: '',
    phone2: '',
    institution: u.institution,
    department: u.department,
    address: '',
    city: u.city,
    country: u.country,
    lastip: u.lastip,
    picture: 0,
    description: u.description,
    descriptionformat: 1,
    imagealt: null,
    auth: 'manual',
    firstnamephonetic: '',
    lastnamephonetic: '',
    middlename: u.middlename,
    alternatename: u.alternatename,
    firstname: u.firstname,
    lastname: u.lastname,
    confirmed: 1,
    policyagreed: 0,
    deleted: 0,
    lang: u.lang,
    theme: '',
    timezone: '99',
    firstaccess: u.firstaccess,
    lastaccess: u.lastaccess,
    lastlogin,
    currentlogin: lastlogin,
    mailformat: 1,
    maildigest: 0,
    maildisplay: 2,
    autosubscribe: 1,
    trackforums: 0,
    timecreated: u.timecreated,
    timemodified: u.timecreated,
    trustbitmask: 0,
  });
  w.empty('custom_fields').empty('tags').open('preferences');
  if (u.kind === 'teacher') w.open('preference').leaves({ name: 'email_bounce_count', value: '1' }).close();
  if (u.kind !== 'student') w.open('preference').leaves({ name: 'auth_forcepasswordchange', value: '0' }).close();
  w.close();
  w.open('roles').empty('role_overrides').empty('role_assignments').close();
  w.close();
}
