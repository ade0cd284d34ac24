/**
 * The events Moodle's restore fires and logs (`packages/engine/src/stages/restore-events.ts`,
 * `logs/live-log.ts`, `logs/regrade-events.ts`), compared with Moodle 4.3's own restores of the same backups:
 * `*.values.json` (log_users: event, user, related user, object table, origin) and `*.expected.json` (rows per event).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { PhpNumber, phpJsonEncode } from '../../src/php/json.ts';
import { MOODLE_CLI_RESTORE, ORACLE_BACKUPS, readOracleValues } from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';

interface Restored {
  storage: StorageAdapter;
  courseid: number;
  started: number;
  finished: number;
}

async function restoreInto(
  path: string,
  options: Record<string, number>,
  restoreEvents?: boolean,
  extra: { storage?: StorageAdapter; actingUserId?: number } = {},
): Promise<Restored> {
  const storage = extra.storage ?? createMemoryStorage();
  if (!extra.storage) await storage.open();
  const started = Math.floor(Date.now() / 1000);
  const result = await restore(path, {
    storage,
    options,
    ...(restoreEvents === undefined ? {} : { restoreEvents }),
    ...(extra.actingUserId === undefined ? {} : { actingUserId: extra.actingUserId }),
  });
  return { storage, courseid: result.courseid, started, finished: Math.ceil(Date.now() / 1000) };
}

async function courseLog(run: Restored): Promise<Row[]> {
  return (await run.storage.select('logstore_standard_log', { courseid: run.courseid })).sort(
    (a, b) => Number(a.id) - Number(b.id),
  );
}

function perEvent(rows: readonly Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[String(row.eventname)] = (out[String(row.eventname)] ?? 0) + 1;
  return out;
}

/** Moodle's log_users rows of its restore's own events (origin `restore`): key → count. */
function moodleRestoreRows(values: string): Record<string, number> {
  const query = readOracleValues(values).queries.log_users!;
  expect(query.complete).toBe(true);
  const at = (name: string) => query.columns.indexOf(name);
  const out: Record<string, number> = {};
  for (const row of query.sample) {
    if (row[at('origin')] !== 'restore') continue;
    const key = ['eventname', 'contextlevel', 'username', 'relateduser', 'realuser', 'objecttable', 'anonymous', 'ip']
      .map((c) => row[at(c)])
      .join('|');
    out[key] = (out[key] ?? 0) + Number(row[at('n')]);
  }
  return out;
}

/** {@link moodleRestoreRows} per event name. */
function moodleFiredPerEvent(values: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(moodleRestoreRows(values)))
    out[key.split('|')[0]!] = (out[key.split('|')[0]!] ?? 0) + n;
  return out;
}

/** Our rows of origin `restore`, keyed as {@link moodleRestoreRows} (usernames for ids). */
async function ourRestoreRows(run: Restored): Promise<Record<string, number>> {
  const usernames = new Map((await run.storage.select('user')).map((u) => [Number(u.id), String(u.username)]));
  const name = (id: unknown) => (id === null ? null : (usernames.get(Number(id)) ?? null));
  const out: Record<string, number> = {};
  for (const row of await courseLog(run)) {
    if (row.origin !== 'restore') continue;
    const key = [
      row.eventname,
      String(row.contextlevel),
      name(row.userid),
      name(row.relateduserid),
      name(row.realuserid),
      row.objecttable,
      String(row.anonymous),
      row.ip,
    ].join('|');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('phpJsonEncode: `other` as PHP json_encode() writes it', () => {
  it('escapes slashes and non-ASCII characters, and writes whole floats with .0', () => {
    expect(phpJsonEncode({ itemname: 'A/B é 😀', itemmodule: null, n: 3, ok: false })).toBe(
      '{"itemname":"A\\/B \\u00e9 \\ud83d\\ude00","itemmodule":null,"n":3,"ok":false}',
    );
    // No JSON_PRESERVE_ZERO_FRACTION: an integral float loses its fraction, as in PHP's json_encode(125.0).
    expect(phpJsonEncode({ finalgrade: new PhpNumber(125, true), other: new PhpNumber(83.33333, true) })).toBe(
      '{"finalgrade":125,"other":83.33333}',
    );
    expect(phpJsonEncode(null)).toBe('null');
  });
});

describe.skipIf(!hasShared())('restore events against Moodle 4.3', () => {
  it.each(Object.keys(ORACLE_BACKUPS))(
    '%s: the rows Moodle logged while restoring, by event, user, related user and object table',
    async (name) => {
      const oracle = ORACLE_BACKUPS[name]!;
      const run = await restoreInto(oracle.backup(), MOODLE_CLI_RESTORE);
      expect(await ourRestoreRows(run)).toEqual(moodleRestoreRows(oracle.values));
    },
    120_000,
  );

  it("gen_s_users: every column as Moodle's event classes fill it, course_restored last", async () => {
    const run = await restoreInto(generatedFixture('gen_s_users.mbz'), MOODLE_CLI_RESTORE);
    const { storage, courseid } = run;
    const rows = (await courseLog(run)).filter((r) => r.origin === 'restore');
    const [courseContext] = await storage.select('context', { contextlevel: 50, instanceid: courseid });
    const [admin] = await storage.select('user', { username: 'admin' });
    const byId = async (table: string) => new Map((await storage.select(table)).map((r) => [Number(r.id), r]));
    const sections = await byId('course_sections');
    const enrols = await byId('enrol');
    const enrolments = await byId('user_enrolments');
    const assignments = await byId('role_assignments');
    const items = await byId('grade_items');
    const members = new Set((await storage.select('groups_members')).map((m) => `${m.groupid}/${m.userid}`));
    const groupingGroups = new Set(
      (await storage.select('groupings_groups')).map((g) => `${g.groupingid}/${g.groupid}`),
    );
    for (const row of rows) {
      const other = JSON.parse(String(row.other));
      expect([row.contextid, row.contextlevel, row.contextinstanceid, row.courseid]).toEqual([
        courseContext!.id,
        50,
        courseid,
        courseid,
      ]);
      expect([row.anonymous, row.ip, row.realuserid, row.component]).toEqual([0, null, null, 'core']);
      expect(Number(row.timecreated)).toBeGreaterThanOrEqual(run.started);
      expect(Number(row.timecreated)).toBeLessThanOrEqual(run.finished);
      const id = Number(row.objectid);
      switch (row.eventname) {
        case '\\core\\event\\course_section_created':
          expect(sections.get(id)!.course).toBe(courseid);
          expect(other).toEqual({ sectionnum: String(sections.get(id)!.section) });
          break;
        case '\\core\\event\\enrol_instance_created':
          expect(other).toEqual({ enrol: enrols.get(id)!.enrol });
          break;
        case '\\core\\event\\user_enrolment_created':
          expect(enrolments.get(id)!.userid).toBe(row.relateduserid);
          expect(other).toEqual({ enrol: enrols.get(Number(enrolments.get(id)!.enrolid))!.enrol });
          break;
        case '\\core\\event\\role_assigned':
          expect([assignments.get(other.id)!.roleid, assignments.get(other.id)!.userid]).toEqual([
            id,
            row.relateduserid,
          ]);
          expect(other).toEqual({ id: other.id, component: '', itemid: 0 });
          break;
        case '\\core\\event\\group_member_added':
          expect(members.has(`${id}/${row.relateduserid}`)).toBe(true);
          break;
        case '\\core\\event\\grouping_group_assigned':
          expect(groupingGroups.has(`${id}/${other.groupid}`)).toBe(true);
          break;
        case '\\core\\event\\grade_item_created':
        case '\\core\\event\\grade_item_updated':
          expect(items.get(id)!.courseid).toBe(courseid);
          expect(other.itemtype).toBe(items.get(id)!.itemtype);
          break;
        case '\\core\\event\\course_restored':
          expect([id, row.userid]).toEqual([courseid, admin!.id]);
          expect(other).toEqual({ type: 'course', target: 2, mode: 10, operation: 'restore', samesite: false });
          break;
        default:
          throw new Error(`unexpected event ${String(row.eventname)}`);
      }
      if (row.eventname !== '\\core\\event\\course_restored') expect(row.userid).toBe(0);
    }
    expect(rows.at(-1)!.eventname).toBe('\\core\\event\\course_restored');
    // A section's created event comes once, and only for sections the sections stage restored.
    expect(rows.filter((r) => r.eventname === '\\core\\event\\course_section_created')).toHaveLength(sections.size);
  }, 120_000);

  it("gen_s_users: restoreEvents false writes none of them and keeps the backup's rows", async () => {
    const expected = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts;
    const moodleFired = Object.values(moodleRestoreRows('gen_s_users.values.json')).reduce((a, b) => a + b, 0);
    const run = await restoreInto(generatedFixture('gen_s_users.mbz'), MOODLE_CLI_RESTORE, false);
    const rows = await courseLog(run);
    expect(rows.filter((r) => r.origin === 'restore')).toEqual([]);
    expect(rows).toHaveLength(expected.logstore_standard_log - moodleFired);
  }, 120_000);

  it.each([
    ['gen_s_nousers.mbz (no users, so no logs setting)', 'gen_s_nousers', {}],
    ['gen_s_users.mbz with logs: 0', 'gen_s_users', { logs: 0 }],
  ])(
    '%s: the events are logged whatever the logs setting, as Moodle did',
    async (_title, file, override) => {
      const run = await restoreInto(generatedFixture(`${file}.mbz`), {
        ...MOODLE_CLI_RESTORE,
        ...(file === 'gen_s_nousers' ? { users: 0 } : {}),
        ...override,
      });
      const rows = await courseLog(run);
      expect(rows.every((r) => r.origin === 'restore')).toBe(true);
      const moodle =
        file === 'gen_s_nousers'
          ? JSON.parse(readFileSync(generatedFixture('gen_s_nousers.expected.json'), 'utf8')).counts
              .logstore_standard_log_by_event
          : moodleFiredPerEvent('gen_s_users.values.json');
      expect(perEvent(rows)).toEqual(moodle);
    },
    120_000,
  );

  it("gen_allmods_users: every event of Moodle's log, per event (tags, category and manual grade items, regraded totals)", async () => {
    const expected = JSON.parse(readFileSync(generatedFixture('gen_allmods_users.expected.json'), 'utf8')).counts;
    const run = await restoreInto(generatedFixture('gen_allmods_users.mbz'), MOODLE_CLI_RESTORE);
    const rows = await courseLog(run);
    expect(perEvent(rows)).toEqual(expected.logstore_standard_log_by_event);
    // The tags' events are in the tagged items' contexts, and name the tag.
    const tags = new Map((await run.storage.select('tag')).map((t) => [String(t.id), t]));
    const contexts = new Map((await run.storage.select('context')).map((c) => [c.id, c]));
    const added = rows.filter((r) => r.origin === 'restore' && r.eventname === '\\core\\event\\tag_added');
    expect(added.length).toBeGreaterThan(0);
    for (const row of added) {
      const [instance] = await run.storage.select('tag_instance', { id: Number(row.objectid) });
      const other = JSON.parse(String(row.other));
      expect([row.contextid, row.contextlevel]).toEqual([
        instance!.contextid,
        contexts.get(instance!.contextid)!.contextlevel,
      ]);
      expect([other.tagid, other.tagrawname, other.itemid, other.itemtype]).toEqual([
        String(instance!.tagid),
        tags.get(String(instance!.tagid))!.rawname,
        instance!.itemid,
        instance!.itemtype,
      ]);
    }
  }, 120_000);
});

describe('restore events of a generated backup, edited', () => {
  let folder: string;
  let temp: string;
  const events = (rows: readonly Row[], name: string) =>
    rows.filter((r) => r.origin === 'restore' && r.eventname === `\\core\\event\\${name}`);

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'mbz-restore-events-'));
    const generated = await generateBackup({ size: 'xs', out: join(temp, 'xs.zip'), container: 'zip', seed: 7 });
    folder = await extractBackup(generated.path);
  });

  afterAll(async () => {
    for (const dir of [folder, temp]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a second section.xml with a section's number updates it: course_section_updated, as process_section() fires", async () => {
    const manifest = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
    const directories = [...manifest.matchAll(/<directory>(sections\/section_\d+)<\/directory>/g)].map((m) => m[1]!);
    expect(directories.length).toBeGreaterThanOrEqual(3);
    const last = join(folder, directories.at(-1)!, 'section.xml');
    const original = await readFile(last, 'utf8');
    await writeFile(last, original.replace(/<number>\d+<\/number>/, '<number>1</number>'));
    try {
      const run = await restoreInto(folder, MOODLE_CLI_RESTORE);
      const rows = await courseLog(run);
      const [section1] = await run.storage.select('course_sections', { course: run.courseid, section: 1 });
      expect(events(rows, 'course_section_created')).toHaveLength(directories.length - 1);
      expect(events(rows, 'course_section_updated').map((r) => [r.objectid, JSON.parse(String(r.other))])).toEqual([
        [section1!.id, { sectionnum: '1' }],
      ]);
    } finally {
      await writeFile(last, original);
    }
  }, 120_000);

  it("a restore on the backup's own site: course_restored says samesite and names the original course", async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const [identifier] = await storage.select('config', { name: 'siteidentifier' });
    const path = join(folder, 'moodle_backup.xml');
    const original = await readFile(path, 'utf8');
    const originalCourseId = /<original_course_id>(\d+)<\/original_course_id>/.exec(original)![1]!;
    const hash = createHash('md5').update(String(identifier!.value)).digest('hex');
    await writeFile(
      path,
      original.replace(/<original_site_identifier_hash>[^<]*</, `<original_site_identifier_hash>${hash}<`),
    );
    try {
      const rows = await courseLog(await restoreInto(folder, MOODLE_CLI_RESTORE, undefined, { storage }));
      const [restored] = events(rows, 'course_restored');
      expect(JSON.parse(String(restored!.other))).toEqual({
        type: 'course',
        target: 2,
        mode: 10,
        operation: 'restore',
        samesite: true,
        originalcourseid: originalCourseId,
      });
    } finally {
      await writeFile(path, original);
    }
  }, 120_000);

  it("events are logged as the acting user ($USER), course_restored as the restore's user", async () => {
    // The gradebook's user_graded are USER_OTHER (-1) whoever restores; the others are $USER's.
    const users = (rows: readonly Row[]) =>
      new Set(
        rows
          .filter((r) => r.origin === 'restore' && !/course_restored|user_graded/.test(String(r.eventname)))
          .map((r) => r.userid),
      );
    const cli = await courseLog(await restoreInto(folder, MOODLE_CLI_RESTORE));
    const [admin] = await (async () => {
      const s = createMemoryStorage();
      await s.open();
      return s.select('user', { username: 'admin' });
    })();
    expect(users(cli)).toEqual(new Set([0]));
    expect(events(cli, 'course_restored').map((r) => r.userid)).toEqual([admin!.id]);
    expect(new Set(events(cli, 'user_graded').map((r) => r.userid))).toEqual(
      new Set(events(cli, 'user_graded').length > 0 ? [-1] : []),
    );
    // Through the webservice, Moodle's $USER and the restore's user are the token's user.
    const ws = await courseLog(await restoreInto(folder, MOODLE_CLI_RESTORE, undefined, { actingUserId: 1 }));
    expect(users(ws)).toEqual(new Set([1]));
    expect(events(ws, 'course_restored').map((r) => r.userid)).toEqual([1]);
  }, 120_000);
});
