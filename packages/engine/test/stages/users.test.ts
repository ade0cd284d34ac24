/** The users stage: matching (same site / other site), creation, conflicts as precheck errors, users off. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMbzError, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  GENERATOR_SITE_IDENTIFIER,
  copyBackup,
  editXml,
  freshStore,
  readEntryText,
  readXml,
  restoreInto,
  seedRows,
  snapshot,
  unpackedBackup,
  updateRow,
} from './support/people-backup.ts';

/** A user record of users.xml, read with regular expressions (independently of the engine). */
interface XmlUser {
  id: number;
  contextid: number;
  username: string;
  email: string;
  firstaccess: number;
}

function xmlUsers(xml: string): XmlUser[] {
  return [...xml.matchAll(/<user id="(\d+)" contextid="(\d+)">([\s\S]*?)<\/user>/g)].map((m) => {
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(m[3]!)?.[1] ?? '';
    return {
      id: Number(m[1]),
      contextid: Number(m[2]),
      username: field('username'),
      email: field('email'),
      firstaccess: Number(field('firstaccess')),
    };
  });
}

function siteHashOf(xml: string): string {
  return /<original_site_identifier_hash>([^<]*)</.exec(xml)![1]!;
}

/** User ids enrolled in a course. */
async function enrolledIn(storage: StorageAdapter, courseid: number): Promise<number[]> {
  const ids: number[] = [];
  for (const e of await storage.select('enrol', { courseid })) {
    for (const ue of await storage.select('user_enrolments', { enrolid: Number(e.id) })) ids.push(Number(ue.userid));
  }
  return ids.sort((a, b) => a - b);
}

let dir: string;
let base: string;
let users: XmlUser[];
let siteHash: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-users-'));
  base = await unpackedBackup(dir, 'base');
  users = xmlUsers(await readXml(base, 'users.xml'));
  siteHash = siteHashOf(await readXml(base, 'moodle_backup.xml'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('users stage (generated xs backup, another site)', () => {
  it('creates every referenced user with its user context; the backup admin becomes admin_<site hash>', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1 });
    expect(users).toHaveLength(22);
    expect(result.counts.mdl_user).toBe(users.length);
    for (const u of users) {
      const username = u.username === 'admin' ? `admin_${siteHash}` : u.username;
      const [row] = await storage.select('user', { username });
      expect(row, username).toBeDefined();
      expect(row).toMatchObject({
        mnethostid: 1,
        email: u.email,
        firstaccess: u.firstaccess,
        auth: 'manual',
        password: 'restored',
        policyagreed: 0,
        theme: '',
        deleted: 0,
      });
      const contexts = await storage.select('context', { contextlevel: 30, instanceid: Number(row!.id) });
      expect(contexts).toHaveLength(1);
      expect(contexts[0]).toMatchObject({ depth: 2, path: `/1/${contexts[0]!.id}` });
    }
    // The store's own admin is untouched.
    expect(await storage.select('user', { username: 'admin' })).toMatchObject([{ id: 2, email: '' }]);
    // Every user enrolment points at a restored user.
    const created = new Set((await storage.select('user')).filter((u) => Number(u.id) > 2).map((u) => Number(u.id)));
    const enrolled = await enrolledIn(storage, result.courseid);
    expect(enrolled.length).toBeGreaterThan(0);
    for (const id of enrolled) expect(created.has(id)).toBe(true);
  });

  it('users: 0 restores no user and no user data', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 0 });
    expect(result.stages.find((s) => s.name === 'users')?.status).toBe('skipped');
    expect(result.counts.mdl_user).toBeUndefined();
    expect(await storage.count('user')).toBe(2);
    expect(await storage.count('user_enrolments')).toBe(0);
    expect(await storage.count('role_assignments')).toBe(0);
    expect(await storage.count('groups_members')).toBe(0);
  });

  it('restoring the same backup twice creates the users once and matches them the second time', async () => {
    const storage = await freshStore();
    const first = await restoreInto(storage, base, { users: 1 });
    const usersAfterFirst = await storage.select('user');
    const second = await restoreInto(storage, base, { users: 1 });
    expect(second.counts.mdl_user).toBeUndefined();
    expect(await storage.select('user')).toEqual(usersAfterFirst);
    expect(await storage.count('context', { contextlevel: 30 })).toBe(2 + users.length);
    // Both courses enrol the same store users.
    expect(await enrolledIn(storage, second.courseid)).toEqual(await enrolledIn(storage, first.courseid));
  });

  it("matches another site's user by username and email (any case) or by username and first access", async () => {
    const [a, b] = [
      users.find((u) => u.username === 'student00001')!,
      users.find((u) => u.username === 'student00004')!,
    ];
    expect(b.firstaccess).not.toBe(0);
    const storage = await freshStore();
    const [idA, idB] = await seedRows(storage, 'user', [
      {
        username: a.username,
        mnethostid: 1,
        email: a.email.toUpperCase(),
        firstaccess: 0,
        firstname: 'A',
        lastname: 'A',
        auth: 'manual',
        confirmed: 1,
      },
      {
        username: b.username,
        mnethostid: 1,
        email: 'someone.else@example.org',
        firstaccess: b.firstaccess,
        firstname: 'B',
        lastname: 'B',
        auth: 'manual',
        confirmed: 1,
      },
    ]);
    const result = await restoreInto(storage, base, { users: 1 });
    expect(result.counts.mdl_user).toBe(users.length - 2);
    const enrolled = await enrolledIn(storage, result.courseid);
    expect(enrolled).toContain(idA);
    expect(enrolled).toContain(idB);
    expect(await storage.count('user', { username: a.username })).toBe(1);
  });

  it('a username held by someone else stops the restore with restore.user-conflict and writes nothing', async () => {
    const victim = users.find((u) => u.username === 'student00003')!;
    const storage = await freshStore();
    await seedRows(storage, 'user', [
      {
        username: victim.username,
        mnethostid: 1,
        email: 'not.the.same@example.org',
        firstaccess: 0,
        firstname: 'X',
        lastname: 'Y',
        auth: 'manual',
        confirmed: 1,
      },
    ]);
    const before = await snapshot(storage);
    const error = await restoreInto(storage, base, { users: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMbzError(error, 'restore.user-conflict')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('"student00003"');
    expect(message).toContain('email differs');
    expect(message).toContain(victim.email);
    expect(message).toMatch(/users = 0/);
    expect(await snapshot(storage)).toEqual(before);
  });

  it('deleted backup users are created deleted, without a context, and get no role assignment', async () => {
    const folder = await copyBackup(base, 'deleted');
    const victim = users.find((u) => u.username === 'student00001')!;
    await editXml(folder, 'users.xml', (xml) =>
      xml.replace(new RegExp(`(<username>${victim.username}</username>[\\s\\S]*?<deleted>)0(</deleted>)`), '$11$2'),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1, role_assignments: 1 });
    const [row] = await storage.select('user', { username: victim.username });
    expect(row).toMatchObject({ deleted: 1 });
    expect(await storage.count('context', { contextlevel: 30, instanceid: Number(row!.id) })).toBe(0);
    expect(await storage.count('role_assignments', { userid: Number(row!.id) })).toBe(0);
    const assignments = (await readXml(folder, 'course/roles.xml')).match(/<assignment /g)!.length;
    expect(result.counts.mdl_role_assignments).toBe(assignments - 1);
    // Moodle still restores the deleted user's enrolment.
    expect(await enrolledIn(storage, result.courseid)).toContain(Number(row!.id));
  });

  it('restores preferences, and profile field data only for fields the store defines', async () => {
    const folder = await copyBackup(base, 'profile');
    await editXml(folder, 'users.xml', (xml) =>
      xml.replace(
        /(<username>student00001<\/username>[\s\S]*?)<custom_fields>\s*<\/custom_fields>([\s\S]*?)<preferences>\s*<\/preferences>/,
        '$1<custom_fields><custom_field><field_name>shoe</field_name><field_type>text</field_type><field_data>42</field_data></custom_field>' +
          '<custom_field><field_name>unknown</field_name><field_type>text</field_type><field_data>x</field_data></custom_field></custom_fields>' +
          '$2<preferences><preference><name>email_bounce_count</name><value>2</value></preference></preferences>',
      ),
    );
    const storage = await freshStore();
    const [fieldid] = await seedRows(storage, 'user_info_field', [
      { shortname: 'shoe', datatype: 'text', name: 'Shoe size' },
    ]);
    await restoreInto(storage, folder, { users: 1 });
    const [row] = await storage.select('user', { username: 'student00001' });
    const userid = Number(row!.id);
    expect(await storage.select('user_preferences', { userid })).toMatchObject([
      { name: 'email_bounce_count', value: '2' },
    ]);
    expect(await storage.select('user_info_data')).toMatchObject([{ userid, fieldid, data: '42' }]);
  });

  it('an auth method the store has not enabled becomes manual', async () => {
    const folder = await copyBackup(base, 'auth');
    await editXml(folder, 'users.xml', (xml) =>
      xml.replace(/(<username>student00002<\/username>[\s\S]*?<auth>)manual(<\/auth>)/, '$1ldap$2'),
    );
    const storage = await freshStore();
    await restoreInto(storage, folder, { users: 1 });
    expect(await storage.select('user', { username: 'student00002' })).toMatchObject([
      { auth: 'manual', password: 'restored' },
    ]);
  });
});

describe('users stage (same site)', () => {
  it('maps users whose id, username and host agree (1A), creating none', async () => {
    const storage = await freshStore({ siteidentifier: GENERATOR_SITE_IDENTIFIER });
    await seedRows(
      storage,
      'user',
      users
        .filter((u) => u.username !== 'admin')
        .map((u) => ({
          id: u.id,
          username: u.username,
          mnethostid: 1,
          email: u.email,
          firstname: 'F',
          lastname: 'L',
          auth: 'manual',
          confirmed: 1,
        })),
    );
    const result = await restoreInto(storage, base, { users: 1 });
    expect(result.counts.mdl_user).toBeUndefined();
    // The backup admin (id 2) is the store's admin (id 2).
    const expected = users.filter((u) => u.username !== 'admin').map((u) => u.id);
    const enrolled = await enrolledIn(storage, result.courseid);
    expect(enrolled.length).toBe(21);
    for (const id of enrolled) expect(expected).toContain(id);
  });

  it('a username under another id is a conflict (1E)', async () => {
    const storage = await freshStore({ siteidentifier: GENERATOR_SITE_IDENTIFIER });
    await seedRows(storage, 'user', [
      { id: 999, username: 'student00001', mnethostid: 1, email: 'x@example.org', firstname: 'F', lastname: 'L' },
    ]);
    const before = await snapshot(storage);
    const error = await restoreInto(storage, base, { users: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMbzError(error, 'restore.user-conflict')).toBe(true);
    expect((error as Error).message).toContain('has id 999');
    expect(await snapshot(storage)).toEqual(before);
  });
});

describe.skipIf(!hasShared())("users stage (gen_s_users.mbz, Moodle's results)", () => {
  const path = () => generatedFixture('gen_s_users.mbz');

  it("creates Moodle's 101 users, plus admin_<hash> because the store's admin has no email to match", async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, path(), { users: 1 });
    expect(result.counts.mdl_user).toBe(101 + 1);
    expect(await storage.count('user', { username: 'admin_83ca10303f5066ab8c3dab700e7211e6' })).toBe(1);
    expect(await storage.count('context', { contextlevel: 30 })).toBe(2 + 102);
  });

  it("matches every user when the store already has them (Moodle's same_site_restore: none created)", async () => {
    const storage = await freshStore();
    const all = xmlUsers(await readEntryText(path(), 'users.xml'));
    await updateRow(storage, 'user', 2, { email: all.find((u) => u.username === 'admin')!.email });
    const rows: Row[] = all
      .filter((u) => u.username !== 'admin')
      .map((u) => ({ username: u.username, mnethostid: 1, email: u.email, firstname: 'F', lastname: 'L' }));
    await seedRows(storage, 'user', rows);
    const result = await restoreInto(storage, path(), { users: 1, role_assignments: 1 });
    expect(result.counts.mdl_user).toBeUndefined();
    expect(result.counts).toMatchObject({
      mdl_enrol: 3,
      mdl_user_enrolments: 101,
      mdl_role_assignments: 101,
      mdl_groups: 4,
      mdl_groups_members: 100,
      mdl_groupings: 2,
      mdl_groupings_groups: 3,
    });
  });
});

describe('fixture assumptions', () => {
  it("the generator's site hash is md5 of GENERATOR_SITE_IDENTIFIER", () => {
    expect(createHash('md5').update(GENERATOR_SITE_IDENTIFIER).digest('hex')).toBe(siteHash);
  });
});
