/** The enrolments stage: the `enrolments` 0/1/2 × `users` 0/1 matrix of restore_course_task::build() and restore_enrolments_structure_step. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row, StorageAdapter } from '@mbz-restore/engine';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  copyBackup,
  countBy,
  countElements,
  editXml,
  freshStore,
  readXml,
  restoreInto,
  unpackedBackup,
} from './support/people-backup.ts';

let dir: string;
let base: string;
let enrolmentsXml: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-enrol-'));
  base = await unpackedBackup(dir, 'base');
  enrolmentsXml = await readXml(base, 'course/enrolments.xml');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Instances of the course and their user enrolments. */
async function courseEnrolments(storage: StorageAdapter, courseid: number): Promise<{ instances: Row[]; ues: Row[] }> {
  const instances = await storage.select('enrol', { courseid });
  const ues: Row[] = [];
  for (const i of instances) ues.push(...(await storage.select('user_enrolments', { enrolid: Number(i.id) })));
  return { instances, ues };
}

/** Methods in the backup, in document order. */
function backupMethods(xml: string): string[] {
  return [...xml.matchAll(/<enrol id="\d+">\s*<enrol>([^<]+)<\/enrol>/g)].map((m) => m[1]!);
}

describe('enrolments stage', () => {
  it("users 1, enrolments 1 (with users): the backup's instances and every user enrolment", async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, enrolments: 1 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(instances.map((i) => i.enrol)).toEqual(backupMethods(enrolmentsXml));
    expect(instances.map((i) => i.sortorder)).toEqual([0, 1, 2]);
    expect(ues).toHaveLength(countElements(enrolmentsXml, 'enrolment'));
    expect(result.counts.mdl_user_enrolments).toBe(ues.length);
    // Role ids point at the store's student role; users at restored users; modifier = the acting user ($USER),
    // none (0) by default as in Moodle's CLI restore.
    expect(instances.find((i) => i.enrol === 'manual')).toMatchObject({ roleid: 5, status: 0 });
    expect(instances.find((i) => i.enrol === 'guest')).toMatchObject({ roleid: 0, status: 1 });
    const users = new Set((await storage.select('user')).map((u) => Number(u.id)));
    for (const ue of ues) {
      expect(users.has(Number(ue.userid))).toBe(true);
      expect(ue.modifierid).toBe(0);
    }
    // Students enrolled through self enrolment in the backup stay in the self instance.
    const selfMembers = countElements(enrolmentsXml.slice(enrolmentsXml.indexOf('<enrol>self</enrol>')), 'enrolment');
    expect(countBy(ues, 'enrolid')[String(instances.find((i) => i.enrol === 'self')!.id)] ?? 0).toBe(selfMembers);
  });

  it('users 1, enrolments 2 (always) restores the same as with users', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, enrolments: 2 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(instances.map((i) => i.enrol)).toEqual(backupMethods(enrolmentsXml));
    expect(ues).toHaveLength(countElements(enrolmentsXml, 'enrolment'));
  });

  it('users 1, enrolments 0 (never): one manual instance holds every user enrolment', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 1, enrolments: 0 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(instances.map((i) => i.enrol)).toEqual(['manual']);
    expect(ues).toHaveLength(countElements(enrolmentsXml, 'enrolment'));
    expect(new Set(ues.map((u) => u.enrolid))).toEqual(new Set([instances[0]!.id]));
  });

  it("users 0, enrolments 2 (always): the backup's instances without user enrolments", async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, base, { users: 0, enrolments: 2 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(instances.map((i) => i.enrol)).toEqual(backupMethods(enrolmentsXml));
    expect(ues).toEqual([]);
  });

  it.each([0, 1])(
    'users 0, enrolments %i: the default instances of a new course (manual, guest, self)',
    async (enrolments) => {
      const storage = await freshStore();
      const result = await restoreInto(storage, base, { users: 0, enrolments });
      const { instances, ues } = await courseEnrolments(storage, result.courseid);
      expect(instances).toMatchObject([
        { enrol: 'manual', status: 0, roleid: 5, sortorder: 0, expirythreshold: 86400 },
        { enrol: 'guest', status: 1, sortorder: 1 },
        { enrol: 'self', status: 1, roleid: 5, sortorder: 2, customint4: 1, customint6: 1 },
      ]);
      expect(ues).toEqual([]);
    },
  );

  it('maps enrol instances: self-instance role assignments survive as manual ones', async () => {
    const folder = await copyBackup(base, 'enrolowned');
    const selfId = /<enrol id="(\d+)">\s*<enrol>self<\/enrol>/.exec(enrolmentsXml)![1]!;
    await editXml(folder, 'course/roles.xml', (xml) =>
      xml.replace(
        /<component><\/component>\s*<itemid>0<\/itemid>/,
        `<component>enrol_self</component><itemid>${selfId}</itemid>`,
      ),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1, role_assignments: 1 });
    const ras = await storage.select('role_assignments');
    expect(ras).toHaveLength(countElements(await readXml(folder, 'course/roles.xml'), 'assignment'));
    expect(new Set(ras.map((r) => r.component))).toEqual(new Set(['']));
    expect(result.warnings.filter((w) => w.code === 'role-assignment-component')).toEqual([]);
  });

  it('a method the store has not enabled is skipped with a warning, with its user enrolments', async () => {
    const folder = await copyBackup(base, 'paypal');
    await editXml(folder, 'course/enrolments.xml', (xml) =>
      xml.replace('<enrol>self</enrol>', '<enrol>paypal</enrol>'),
    );
    const selfPart = enrolmentsXml.slice(enrolmentsXml.indexOf('<enrol>self</enrol>'));
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(instances.map((i) => i.enrol)).toEqual(['manual', 'guest']);
    expect(ues).toHaveLength(countElements(enrolmentsXml, 'enrolment') - countElements(selfPart, 'enrolment'));
    expect(result.warnings.map((w) => w.code)).toContain('enrol-plugin-disabled');
  });

  it('a self instance restricted to a cohort of another site gets an impossible cohort (-1)', async () => {
    const folder = await copyBackup(base, 'cohort');
    await editXml(folder, 'course/enrolments.xml', (xml) =>
      xml.replace(/(<enrol>self<\/enrol>[\s\S]*?<customint5>)[^<]*(<\/customint5>)/, '$17$2'),
    );
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1 });
    expect(await storage.select('enrol', { courseid: result.courseid, enrol: 'self' })).toMatchObject([
      { customint5: -1 },
    ]);
  });

  it('a backup without course/enrolments.xml gets no enrolment method when users are restored', async () => {
    const folder = await copyBackup(base, 'noenrol');
    await rm(join(folder, 'course', 'enrolments.xml'));
    const storage = await freshStore();
    const result = await restoreInto(storage, folder, { users: 1 });
    expect(await storage.count('enrol', { courseid: result.courseid })).toBe(0);
  });
});

describe.skipIf(!hasShared())("enrolments stage (gen_s_users.mbz, Moodle's results)", () => {
  it('enrol 3 (guest, manual, self), user_enrolments 101', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, generatedFixture('gen_s_users.mbz'), { users: 1 });
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(countBy(instances, 'enrol')).toEqual({ guest: 1, manual: 1, self: 1 });
    expect(ues).toHaveLength(101);
  });

  it('gen_s_nousers: enrol 3 (the default methods), no user enrolments', async () => {
    const storage = await freshStore();
    const result = await restoreInto(storage, generatedFixture('gen_s_nousers.mbz'), {});
    const { instances, ues } = await courseEnrolments(storage, result.courseid);
    expect(countBy(instances, 'enrol')).toEqual({ guest: 1, manual: 1, self: 1 });
    expect(ues).toHaveLength(0);
  });
});
