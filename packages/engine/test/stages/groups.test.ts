/** The groups and group-members stages: groups.xml pass 1 (groups, groupings) and pass 2 (members, after enrolments). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@mbz-restore/engine';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  copyBackup,
  countElements,
  editXml,
  freshStore,
  readXml,
  restoreInto,
  unpackedBackup,
} from './support/people-backup.ts';

let dir: string;
let base: string;
let groupsXml: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-groups-'));
  base = await unpackedBackup(dir, 'base');
  groupsXml = await readXml(base, 'groups.xml');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function groupRows(storage: StorageAdapter, courseid: number) {
  const groups = await storage.select('groups', { courseid });
  const groupings = await storage.select('groupings', { courseid });
  const groupIds = new Set(groups.map((g) => Number(g.id)));
  const groupingIds = new Set(groupings.map((g) => Number(g.id)));
  const links = (await storage.select('groupings_groups')).filter((l) => groupingIds.has(Number(l.groupingid)));
  const members = (await storage.select('groups_members')).filter((m) => groupIds.has(Number(m.groupid)));
  return { groups, groupings, links, members, groupIds, groupingIds };
}

describe('groups stages', () => {
  it('restores groups, groupings, their links and the members, all pointing at restored rows', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, groups: 1 });
    const { groups, groupings, links, members, groupIds } = await groupRows(storage, result.courseid);
    expect(groups).toHaveLength(countElements(groupsXml, 'group'));
    expect(groupings).toHaveLength(countElements(groupsXml, 'grouping'));
    expect(links).toHaveLength(countElements(groupsXml, 'grouping_group'));
    expect(members).toHaveLength(countElements(groupsXml, 'group_member'));
    expect(groups.map((g) => [g.name, g.idnumber])).toEqual(
      [...groupsXml.matchAll(/<group id="\d+">\s*<name>([^<]*)<\/name>\s*<idnumber>([^<]*)</g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    for (const link of links) expect(groupIds.has(Number(link.groupid))).toBe(true);
    const users = new Set((await storage.select('user')).map((u) => Number(u.id)));
    for (const m of members) {
      expect(users.has(Number(m.userid))).toBe(true);
      expect(m).toMatchObject({ component: '', itemid: 0 });
    }
    // Every member is enrolled in the course.
    const enrolled = new Set<number>();
    for (const e of await storage.select('enrol', { courseid: result.courseid })) {
      for (const ue of await storage.select('user_enrolments', { enrolid: Number(e.id) }))
        enrolled.add(Number(ue.userid));
    }
    for (const m of members) expect(enrolled.has(Number(m.userid))).toBe(true);
  });

  it('groups 0 restores no group, grouping or member', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, groups: 0 });
    expect(result.stages.filter((s) => s.name === 'groups' || s.name === 'group-members').map((s) => s.status)).toEqual(
      ['skipped', 'skipped'],
    );
    expect(await storage.count('groups')).toBe(0);
    expect(await storage.count('groupings')).toBe(0);
    expect(await storage.count('groupings_groups')).toBe(0);
    expect(await storage.count('groups_members')).toBe(0);
  });

  it('users 0 restores groups and groupings without members', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 0, groups: 1 });
    const { groups, groupings, members } = await groupRows(storage, result.courseid);
    expect(groups).toHaveLength(countElements(groupsXml, 'group'));
    expect(groupings).toHaveLength(countElements(groupsXml, 'grouping'));
    expect(members).toEqual([]);
  });

  it('members must be enrolled: without course/enrolments.xml nobody is, so no member is restored', async () => {
    const folder = await copyBackup(base, 'noenrol');
    await rm(join(folder, 'course', 'enrolments.xml'));
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1 });
    const { groups, members } = await groupRows(storage, result.courseid);
    expect(groups.length).toBeGreaterThan(0);
    expect(members).toEqual([]);
  });

  it("sets the course's default grouping to the restored grouping (0 without groups)", async () => {
    const courseXml = await readXml(base, 'course/course.xml');
    const oldId = /<defaultgroupingid>(\d+)<\/defaultgroupingid>/.exec(courseXml)![1]!;
    const name = new RegExp(`<grouping id="${oldId}">\\s*<name>([^<]*)</name>`).exec(groupsXml)![1]!;
    const storage = await freshStore();
    const result = await restoreInto(storage, base, {});
    const [grouping] = await storage.select('groupings', { courseid: result.courseid, name });
    expect(await storage.select('course', { id: result.courseid })).toMatchObject([
      { defaultgroupingid: grouping!.id },
    ]);
    const without = await restoreInto(storage, base, { groups: 0 });
    expect(await storage.select('course', { id: without.courseid })).toMatchObject([{ defaultgroupingid: 0 }]);
  });

  it('a repeated idnumber is dropped from the later group', async () => {
    const folder = await copyBackup(base, 'sameidnumber');
    await editXml(folder, 'groups.xml', (xml) => xml.replace('<idnumber>G2</idnumber>', '<idnumber>G1</idnumber>'));
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, {});
    const { groups } = await groupRows(storage, result.courseid);
    expect(groups.map((g) => [g.name, g.idnumber])).toEqual([
      ['Group 1', 'G1'],
      ['Group 2', ''],
    ]);
  });

  it('two backup groups with the same name and no description become one group', async () => {
    const folder = await copyBackup(base, 'samename');
    await editXml(folder, 'groups.xml', (xml) =>
      xml
        .replace(/<name>Group 2<\/name>/, '<name>Group 1</name>')
        .replace(/<description>[^<]*<\/description>/g, '<description></description>'),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1 });
    const { groups, members } = await groupRows(storage, result.courseid);
    expect(groups).toHaveLength(countElements(groupsXml, 'group') - 1);
    expect(members).toHaveLength(countElements(groupsXml, 'group_member'));
  });
});

describe.skipIf(!hasShared())("groups stages (gen_s_users.mbz, Moodle's results)", () => {
  it('groups 4, groups_members 100, groupings 2, groupings_groups 3', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, generatedFixture('gen_s_users.mbz'), { users: 1 });
    const { groups, groupings, links, members } = await groupRows(storage, result.courseid);
    expect([groups.length, members.length, groupings.length, links.length]).toEqual([4, 100, 2, 3]);
  });

  it('gen_s_nousers: groups 4, groups_members 0, groupings 2, groupings_groups 3', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, generatedFixture('gen_s_nousers.mbz'), {});
    const { groups, groupings, links, members } = await groupRows(storage, result.courseid);
    expect([groups.length, members.length, groupings.length, links.length]).toEqual([4, 0, 2, 3]);
  });
});
