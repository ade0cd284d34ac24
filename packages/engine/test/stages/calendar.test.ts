/** The calendar stage: `event` rows from course and activity calendar.xml. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '@mbz-restore/engine';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { generatedFolder, restoreFresh } from './support/course-structure.ts';

interface EventXml {
  id: number;
  name: string;
  courseid: number;
  groupid?: number;
  userid?: number;
  repeatid?: number;
  modulename?: string;
  instance?: number;
  type?: number;
  eventtype: string;
  timestart?: number;
}

const eventXml = (e: EventXml) => `
  <event id="${e.id}">
    <name>${e.name}</name>
    <description>About ${e.name}</description>
    <format>1</format>
    <courseid>${e.courseid}</courseid>
    <groupid>${e.groupid ?? 0}</groupid>
    <userid>${e.userid ?? 0}</userid>
    <repeatid>${e.repeatid ?? 0}</repeatid>
    <modulename>${e.modulename ?? '0'}</modulename>
    <instance>${e.instance ?? 0}</instance>
    <type>${e.type ?? 0}</type>
    <eventtype>${e.eventtype}</eventtype>
    <timestart>${e.timestart ?? 1800000000}</timestart>
    <timeduration>0</timeduration>
    <timesort>$@NULL@$</timesort>
    <visible>1</visible>
    <uuid></uuid>
    <sequence>1</sequence>
    <timemodified>1700000000</timemodified>
    <priority>$@NULL@$</priority>
    <location>$@NULL@$</location>
  </event>`;
const calendar = (events: EventXml[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<events>${events.map(eventXml).join('')}\n</events>`;

describe('calendar stage — generated backup', () => {
  let dir: string;
  let folder: string;
  let oldUser: number;
  let oldGroup: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-calendar-'));
    folder = await generatedFolder(dir, 'xs');
    const manifest = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
    const course = Number(/<original_course_id>(\d+)</.exec(manifest)![1]);
    const assignDir = /<directory>(activities\/assign_\d+)<\/directory>/.exec(manifest)![1]!;
    const assignInstance = Number(
      /<activity id="(\d+)"/.exec(await readFile(join(folder, assignDir, 'assign.xml'), 'utf8'))![1],
    );
    const users = [...(await readFile(join(folder, 'users.xml'), 'utf8')).matchAll(/<user id="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    oldUser = users[users.length - 1]!;
    oldGroup = Number(/<group id="(\d+)"/.exec(await readFile(join(folder, 'groups.xml'), 'utf8'))![1]);
    await writeFile(
      join(folder, 'course/calendar.xml'),
      calendar([
        { id: 501, name: 'Course event', courseid: course, userid: 2, eventtype: 'course' },
        { id: 502, name: 'Group event', courseid: course, groupid: oldGroup, eventtype: 'group' },
        { id: 503, name: 'Lost group event', courseid: course, groupid: 987654, eventtype: 'group' },
        { id: 504, name: 'User event', courseid: 0, userid: oldUser, eventtype: 'user' },
        { id: 505, name: 'Action event', courseid: course, type: 1, eventtype: 'course' },
        { id: 506, name: 'Weekly', courseid: course, eventtype: 'course', repeatid: 506, timestart: 1800000000 },
        { id: 507, name: 'Weekly', courseid: course, eventtype: 'course', repeatid: 506, timestart: 1800604800 },
        { id: 508, name: 'Course event', courseid: course, userid: 2, eventtype: 'course' },
        { id: 509, name: 'No type', courseid: course, eventtype: '' },
      ]),
    );
    await writeFile(
      join(folder, assignDir, 'calendar.xml'),
      calendar([
        {
          id: 510,
          name: 'Assignment due',
          courseid: course,
          modulename: 'assign',
          instance: assignInstance,
          eventtype: 'due',
        },
      ]),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('restores course and activity events with remapped course, group, user, instance and repeat ids', async () => {
    const { storage, result } = await restoreFresh(folder, { users: 1 });
    const events = await storage.select('event');
    const byName = (name: string): Row[] => events.filter((e) => e.name === name);
    // Skipped: the action event, the event of a group not restored, the duplicate course event.
    expect(events.map((e) => String(e.name)).sort()).toEqual([
      'Assignment due',
      'Course event',
      'Group event',
      'No type',
      'User event',
      'Weekly',
      'Weekly',
    ]);
    for (const e of events.filter((x) => x.name !== 'User event')) expect(e.courseid).toBe(result.courseid);
    const [admin] = await storage.select('user', { username: 'admin' });
    expect(byName('Assignment due')[0]).toMatchObject({ modulename: 'assign', eventtype: 'due', userid: admin!.id });
    const [cm] = await storage.select('course_modules', {
      course: result.courseid,
      module: Number((await storage.select('modules', { name: 'assign' }))[0]!.id),
    });
    expect(byName('Assignment due')[0]!.instance).toBe(cm!.instance);
    for (const e of events.filter((x) => x.modulename !== 'assign')) expect(e.instance).toBe(0);
    const groups = new Set((await storage.select('groups', { courseid: result.courseid })).map((g) => Number(g.id)));
    expect(groups.has(Number(byName('Group event')[0]!.groupid))).toBe(true);
    const users = new Set((await storage.select('user')).map((u) => Number(u.id)));
    const user = byName('User event')[0]!;
    expect(users.has(Number(user.userid))).toBe(true);
    expect(user.userid).not.toBe(admin!.id);
    expect(user.courseid).toBe(0);
    const weekly = byName('Weekly').sort((a, b) => Number(a.timestart) - Number(b.timestart));
    expect(weekly.map((e) => e.repeatid)).toEqual([weekly[0]!.id, weekly[0]!.id]);
    expect(byName('No type')[0]!.eventtype).toBe('course');
    for (const e of events) {
      expect(e.uuid).toBe('');
      expect(e.timesort).toBeNull();
    }
  });

  it('leaves out user events without users, and everything with calendarevents 0', async () => {
    const noUsers = await restoreFresh(folder, { users: 0 });
    const names = (await noUsers.storage.select('event')).map((e) => String(e.name));
    expect(names).not.toContain('User event');
    expect(names).toContain('Course event');
    const off = await restoreFresh(folder, { calendarevents: 0 });
    expect(off.result.stages.find((s) => s.name === 'calendar')!.status).toBe('skipped');
    expect(await off.storage.count('event')).toBe(0);
  });
});

describe.skipIf(!hasShared())('calendar stage — gen_s_users (Moodle 4.3)', () => {
  it('restores no event, as Moodle did (its calendar files are empty)', async () => {
    const expected = JSON.parse(await readFile(generatedFixture('gen_s_users.expected.json'), 'utf8')) as {
      counts: { event: number };
    };
    const { storage } = await restoreFresh(generatedFixture('gen_s_users.mbz'));
    expect(await storage.count('event')).toBe(expected.counts.event);
  }, 120_000);
});
