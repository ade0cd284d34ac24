/**
 * Restore options on the real Moodle 4.3 backups of `../shared/fixtures/generated`: `gen_s_users.mbz`
 * (made with users, logs and grade history) and `gen_s_nousers.mbz` (the same course made with users off,
 * whose moodle_backup.xml still says role_assignments, comments, logs … = 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/backup/manifest.ts';
import { excludesActivities, resolveRestoreOptions } from '../../src/options/resolve-options.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { readBackupManifest } from './support/manifests.ts';

/** What Moodle's restore with users, enrolments, role assignments, grades, logs, comments and completion asks for. */
const FULL_RESTORE = {
  users: 1,
  enrolments: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
  badges: 1,
  xapistate: 1,
};

describe.skipIf(!hasShared())('real backups', () => {
  let withUsers: BackupManifest;
  let withoutUsers: BackupManifest;
  beforeAll(async () => {
    withUsers = await readBackupManifest(generatedFixture('gen_s_users.mbz'));
    withoutUsers = await readBackupManifest(generatedFixture('gen_s_nousers.mbz'));
  });

  it('gives the MDL-64915 defaults on the backup with users', () => {
    const options = resolveRestoreOptions({}, withUsers);
    expect(options.root).toEqual({
      users: 0,
      enrolments: 0,
      role_assignments: 0,
      permissions: 1,
      activities: 1,
      blocks: 1,
      filters: 1,
      comments: 0,
      badges: 0,
      calendarevents: 1,
      userscompletion: 0,
      logs: 0,
      grade_histories: 0,
      groups: 1,
      competencies: 1,
      customfields: 1,
      contentbankcontent: 1,
      legacyfiles: 1,
      xapistate: 0,
    });
    expect(options.sections).toHaveLength(withUsers.sections.length);
    expect(options.activities).toHaveLength(65);
    expect(options.activities.every((a) => a.included === 1 && a.userinfo === 0)).toBe(true);
    expect(options.resolution[`${options.activities[0]?.setting}_userinfo`]).toMatchObject({
      status: 'locked',
      by: 'users',
      defaultValue: 1,
    });
    expect(excludesActivities(options)).toBe(false);
  });

  it('restores everything the backup with users has when asked', () => {
    const options = resolveRestoreOptions(FULL_RESTORE, withUsers);
    expect(Object.values(options.root).every((v) => v === 1)).toBe(true);
    expect(options.sections.every((s) => s.included === 1 && s.userinfo === 1)).toBe(true);
    expect(options.activities.every((a) => a.included === 1 && a.userinfo === 1)).toBe(true);
  });

  it('gives the same defaults on the backup without users, with enrolments capped', () => {
    const options = resolveRestoreOptions({}, withoutUsers);
    expect(options.root).toEqual(resolveRestoreOptions({}, withUsers).root);
    expect(options.resolution.enrolments).toMatchObject({ value: 0, status: 'capped', by: 'users' });
    expect(options.activities.every((a) => a.userinfo === 0)).toBe(true);
  });

  it('keeps user data off on the backup without users, whatever is asked, and says why', () => {
    const first = withoutUsers.activities[0];
    const userinfo = `${first?.moduleName}_${first?.moduleId}_userinfo`;
    const options = resolveRestoreOptions({ ...FULL_RESTORE, enrolments: 2, [userinfo]: 1 }, withoutUsers);
    expect(options.resolution.users).toMatchObject({ value: 0, status: 'capped', requested: 1, by: 'users' });
    for (const name of [
      'role_assignments',
      'comments',
      'userscompletion',
      'logs',
      'grade_histories',
      'badges',
      'xapistate',
    ]) {
      expect(options.resolution[name]).toMatchObject({ value: 0, status: 'locked', requested: 1, by: 'users' });
    }
    expect(options.root.enrolments).toBe(2);
    expect(options.resolution[userinfo]).toMatchObject({ value: 0, status: 'capped', requested: 1, by: userinfo });
    expect(options.resolution[`section_${first?.sectionId}_userinfo`]).toMatchObject({
      value: 0,
      status: 'defaulted',
      defaultValue: 0,
    });
  });

  it('accepts the section and activity names of the real backup', () => {
    const section = withUsers.sections[1];
    const activity = withUsers.activities.find((a) => a.sectionId === section?.sectionId);
    const options = resolveRestoreOptions([{ name: `section_${section?.sectionId}_included`, value: '0' }], withUsers);
    expect(options.sections[1]?.included).toBe(0);
    expect(options.activities.find((a) => a.moduleId === activity?.moduleId)?.included).toBe(0);
    expect(excludesActivities(options)).toBe(true);
  });
});
