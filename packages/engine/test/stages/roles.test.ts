/** The roles stage: each backup role mapped to a course-assignable role of the store, or skipped with a warning; course role names. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '@mbz-restore/engine';
import { bestAssignableRole } from '../../src/stages/roles.ts';
import {
  copyBackup,
  countBy,
  courseContextId,
  editXml,
  freshStore,
  restoreInto,
  unpackedBackup,
} from './support/people-backup.ts';

let dir: string;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-roles-'));
  base = await unpackedBackup(dir, 'base');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The store's seeded roles (ids 1–8, archetype = shortname) that can be assigned in a course. */
const assignable: Row[] = [
  { id: 1, shortname: 'manager', archetype: 'manager' },
  { id: 3, shortname: 'editingteacher', archetype: 'editingteacher' },
  { id: 4, shortname: 'teacher', archetype: 'teacher' },
  { id: 5, shortname: 'student', archetype: 'student' },
];

describe('bestAssignableRole (get_best_assignable_role)', () => {
  it('prefers the same shortname', () => {
    expect(bestAssignableRole({ shortname: 'teacher', archetype: 'student' }, assignable)).toBe(4);
  });
  it('then the same archetype (lowest id)', () => {
    expect(bestAssignableRole({ shortname: 'pupil', archetype: 'student' }, assignable)).toBe(5);
    expect(
      bestAssignableRole({ shortname: 'boss', archetype: 'manager' }, [
        ...assignable,
        { id: 9, shortname: 'boss2', archetype: 'manager' },
      ]),
    ).toBe(1);
  });
  it('then editingteacher → teacher', () => {
    expect(
      bestAssignableRole(
        { shortname: 'editingteacher', archetype: 'other' },
        assignable.filter((r) => r.id !== 3),
      ),
    ).toBe(4);
  });
  it('else nothing', () => {
    expect(bestAssignableRole({ shortname: 'guest', archetype: 'guest' }, assignable)).toBeUndefined();
    expect(bestAssignableRole({ shortname: 'student', archetype: 'student' }, [])).toBeUndefined();
  });
});

describe('roles stage', () => {
  it("maps the backup's student and editingteacher to the store's roles of the same shortname", async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, role_assignments: 1 });
    const ras = await storage.select('role_assignments', {
      contextid: await courseContextId(storage, result.courseid),
    });
    // Store roles: editingteacher = 3, student = 5 (the seed's ids).
    expect(countBy(ras, 'roleid')).toEqual({ 3: 1, 5: 20 });
    expect(result.warnings.filter((w) => w.code === 'role-not-mapped')).toEqual([]);
  });

  it('maps by archetype, and skips a role nothing matches (with a warning and without its assignments)', async () => {
    const folder = await copyBackup(base, 'renamed');
    // student → "pupil" (archetype student); editingteacher → a custom role with no archetype.
    await editXml(folder, 'roles.xml', (xml) =>
      xml
        .replace('<shortname>student</shortname>', '<shortname>pupil</shortname>')
        .replace('<shortname>editingteacher</shortname>', '<shortname>helper</shortname>')
        .replace('<archetype>editingteacher</archetype>', '<archetype></archetype>'),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1, role_assignments: 1 });
    const ras = await storage.select('role_assignments', {
      contextid: await courseContextId(storage, result.courseid),
    });
    expect(countBy(ras, 'roleid')).toEqual({ 5: 20 });
    const warnings = result.warnings.filter((w) => w.code === 'role-not-mapped');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('helper');
    // Enrol instances whose role was skipped keep roleid 0; the others point at the mapped role.
    for (const e of await storage.select('enrol', { courseid: result.courseid })) expect([0, 5]).toContain(e.roleid);
  });

  it("writes the course's role names (nameincourse) for mapped roles only", async () => {
    const folder = await copyBackup(base, 'names');
    await editXml(folder, 'roles.xml', (xml) =>
      xml.replace(/(<shortname>student<\/shortname>\s*<nameincourse>)\$@NULL@\$/, '$1Learner'),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, {});
    const contextid = await courseContextId(storage, result.courseid);
    expect(await storage.select('role_names')).toMatchObject([{ roleid: 5, contextid, name: 'Learner' }]);
  });

  it("leaves the store's roles untouched", async () => {
    const storage = await freshStore();
    const before = await storage.select('role');
    await restoreInto(storage, base, { users: 1, role_assignments: 1 });
    expect(await storage.select('role')).toEqual(before);
  });
});
