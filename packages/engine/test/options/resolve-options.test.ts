/**
 * `resolveRestoreOptions()` on hand-built manifests: defaults, backup caps, dependency locking, input
 * forms, section/activity settings, enrolments, "excluding activities" and the frozen result.
 */
import { describe, expect, it } from 'vitest';
import { excludesActivities, resolveRestoreOptions } from '../../src/options/resolve-options.ts';
import { ROOT_OPTIONS, ROOT_OPTION_NAMES } from '../../src/options/restore-options.ts';
import { FULL_ROOT, makeManifest } from './support/manifests.ts';

/** Every root option requested at its highest value. */
const ALL_ON = Object.fromEntries(ROOT_OPTIONS.map((s) => [s.name, Math.max(...s.values)]));
const NO_USERS = { ...FULL_ROOT, users: '0' };

describe('defaults', () => {
  it('uses the MDL-64915 defaults and the backup value for the others', () => {
    const options = resolveRestoreOptions({}, makeManifest());
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
    expect(options.resolution.users).toEqual({
      value: 0,
      status: 'defaulted',
      requested: null,
      defaultValue: 0,
      by: null,
    });
    expect(options.resolution.badges).toMatchObject({ value: 0, status: 'locked', defaultValue: 1, by: 'users' });
    expect(options.resolution.enrolments).toMatchObject({ value: 0, status: 'locked', defaultValue: 1, by: 'users' });
    expect(options.resolution.activities).toMatchObject({ value: 1, status: 'defaulted' });
  });

  it('covers every root option and every section/activity setting, with no missing field', () => {
    const options = resolveRestoreOptions({}, makeManifest());
    expect(Object.keys(options.root)).toEqual([...ROOT_OPTION_NAMES]);
    expect(Object.keys(options.resolution).sort()).toEqual(
      [
        ...ROOT_OPTION_NAMES,
        'forum_34_included',
        'forum_34_userinfo',
        'page_35_included',
        'page_35_userinfo',
        'section_10_included',
        'section_10_userinfo',
        'section_11_included',
        'section_11_userinfo',
      ].sort(),
    );
    expect(options.sections).toEqual([
      { sectionId: 10, setting: 'section_10', included: 1, userinfo: 0 },
      { sectionId: 11, setting: 'section_11', included: 1, userinfo: 0 },
    ]);
    expect(options.activities[0]).toEqual({
      moduleId: 34,
      moduleName: 'forum',
      sectionId: 10,
      setting: 'forum_34',
      included: 1,
      userinfo: 0,
    });
    expect(options.backupType).toBe('course');
  });

  it('defaults groups, permissions, legacyfiles to 1 and competencies, xapistate to 0 when the backup lacks the key', () => {
    const root: Record<string, string> = { users: '1', activities: '1' };
    const options = resolveRestoreOptions({ users: 1 }, makeManifest({ root }));
    expect(options.root).toMatchObject({
      groups: 1,
      permissions: 1,
      legacyfiles: 1,
      competencies: 0,
      xapistate: 0,
      blocks: 0,
    });
    expect(options.resolution.blocks).toMatchObject({ status: 'capped', by: 'blocks', defaultValue: 1 });
    expect(options.resolution.competencies).toMatchObject({ status: 'defaulted', defaultValue: 0 });
  });

  it("defaults customfields to the backup's groups value (Moodle quirk) and caps it by customfield", () => {
    expect(
      resolveRestoreOptions({}, makeManifest({ root: { ...FULL_ROOT, groups: '0' } })).resolution.customfields,
    ).toMatchObject({ value: 0, status: 'defaulted', defaultValue: 0 });
    expect(
      resolveRestoreOptions({ customfields: 1 }, makeManifest({ root: { ...FULL_ROOT, groups: '0' } })).root
        .customfields,
    ).toBe(1);
    expect(
      resolveRestoreOptions({}, makeManifest({ root: { ...FULL_ROOT, customfield: '0' } })).resolution.customfields,
    ).toMatchObject({ value: 0, status: 'capped', by: 'customfield' });
  });
});

describe('backup caps', () => {
  it.each(ROOT_OPTIONS.filter((s) => s.backupKey !== null).map((s) => [s.name, s.backupKey] as const))(
    '%s cannot be switched on when the backup has %s = 0',
    (name, key) => {
      const options = resolveRestoreOptions(ALL_ON, makeManifest({ root: { ...FULL_ROOT, [key as string]: '0' } }));
      expect(options.resolution[name]).toMatchObject({ value: 0, status: 'capped', requested: 1, by: key });
    },
  );

  it('keeps every requested 1 when the backup has everything', () => {
    const options = resolveRestoreOptions(ALL_ON, makeManifest());
    for (const spec of ROOT_OPTIONS)
      expect(options.resolution[spec.name]).toMatchObject({ status: 'requested', value: Math.max(...spec.values) });
  });

  it('caps users=1 on a backup made without users and says so', () => {
    const options = resolveRestoreOptions({ users: 1, role_assignments: 1 }, makeManifest({ root: NO_USERS }));
    expect(options.resolution.users).toMatchObject({ value: 0, status: 'capped', requested: 1, by: 'users' });
    expect(options.resolution.role_assignments).toMatchObject({
      value: 0,
      status: 'locked',
      requested: 1,
      by: 'users',
    });
  });

  it('caps section and activity userinfo by the backup value', () => {
    const manifest = makeManifest({ scoped: { section_10_userinfo: '0', page_35_userinfo: '0' } });
    const options = resolveRestoreOptions({ ...ALL_ON, section_10_userinfo: 1, page_35_userinfo: 1 }, manifest);
    expect(options.resolution.section_10_userinfo).toMatchObject({
      value: 0,
      status: 'capped',
      by: 'section_10_userinfo',
    });
    expect(options.resolution.forum_34_userinfo).toMatchObject({
      value: 0,
      status: 'locked',
      by: 'section_10_userinfo',
    });
    expect(options.resolution.page_35_userinfo).toMatchObject({ value: 0, status: 'capped', by: 'page_35_userinfo' });
    expect(options.sections[1]?.userinfo).toBe(1);
  });
});

describe('dependency locking', () => {
  const cases = ROOT_OPTIONS.flatMap((s) => s.dependsOn.map((parent) => [s.name, parent] as const));
  it.each(cases)('%s is forced off when %s is 0', (name, parent) => {
    const options = resolveRestoreOptions({ ...ALL_ON, [parent]: 0 }, makeManifest());
    expect(options.resolution[name]).toMatchObject({ value: 0, status: 'locked', requested: 1, by: parent });
  });

  it('users off forces every section and activity userinfo off', () => {
    const options = resolveRestoreOptions({ ...ALL_ON, users: 0 }, makeManifest());
    for (const s of options.sections)
      expect(options.resolution[`${s.setting}_userinfo`]).toMatchObject({ value: 0, status: 'locked', by: 'users' });
    for (const a of options.activities)
      expect(options.resolution[`${a.setting}_userinfo`]).toMatchObject({ value: 0, status: 'locked', by: 'users' });
  });

  it('activities off forces every activity included off, and their userinfo with it', () => {
    const options = resolveRestoreOptions({ ...ALL_ON, activities: 0 }, makeManifest());
    expect(options.activities.map((a) => [a.included, a.userinfo])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(options.resolution.forum_34_included).toMatchObject({ status: 'locked', by: 'activities' });
    expect(options.resolution.forum_34_userinfo).toMatchObject({ status: 'locked', by: 'forum_34_included' });
    expect(options.sections.map((s) => s.included)).toEqual([1, 1]);
  });

  it('a section not included forces its activities and its userinfo off, and only its own', () => {
    const options = resolveRestoreOptions({ ...ALL_ON, section_10_included: 0 }, makeManifest());
    expect(options.sections[0]).toMatchObject({ included: 0, userinfo: 0 });
    expect(options.resolution.section_10_userinfo).toMatchObject({ status: 'locked', by: 'section_10_included' });
    expect(options.resolution.forum_34_included).toMatchObject({
      value: 0,
      status: 'locked',
      by: 'section_10_included',
    });
    expect(options.activities[1]).toMatchObject({ included: 1, userinfo: 1 });
  });

  it("an activity's userinfo needs its section's userinfo and its own included", () => {
    const bySection = resolveRestoreOptions({ ...ALL_ON, section_10_userinfo: 0 }, makeManifest());
    expect(bySection.resolution.forum_34_userinfo).toMatchObject({
      value: 0,
      status: 'locked',
      by: 'section_10_userinfo',
    });
    expect(bySection.activities[0]?.included).toBe(1);
    const byIncluded = resolveRestoreOptions({ ...ALL_ON, forum_34_included: 0, forum_34_userinfo: 1 }, makeManifest());
    expect(byIncluded.resolution.forum_34_userinfo).toMatchObject({
      value: 0,
      status: 'locked',
      requested: 1,
      by: 'forum_34_included',
    });
  });

  it('does not depend on input order (dependencies run after every requested value)', () => {
    const a = resolveRestoreOptions(
      [
        { name: 'users', value: 0 },
        { name: 'role_assignments', value: 1 },
      ],
      makeManifest(),
    );
    const b = resolveRestoreOptions(
      [
        { name: 'role_assignments', value: 1 },
        { name: 'users', value: 0 },
      ],
      makeManifest(),
    );
    expect(a).toEqual(b);
    expect(a.resolution.role_assignments).toMatchObject({ value: 0, status: 'locked' });
  });

  it('lets an activity whose section is not in the backup depend on root settings only', () => {
    const manifest = makeManifest({ type: 'activity', sections: [], activities: [['forum', 34, 10]] });
    const options = resolveRestoreOptions({ users: 1 }, manifest);
    expect(options.activities).toEqual([
      { moduleId: 34, moduleName: 'forum', sectionId: 10, setting: 'forum_34', included: 1, userinfo: 1 },
    ]);
    expect(options.sections).toEqual([]);
  });
});

describe('input forms', () => {
  it('gives the same result for the object and the list form, with numbers, booleans or strings', () => {
    const manifest = makeManifest();
    const object = resolveRestoreOptions({ users: 1, logs: true, comments: '1', forum_34_included: 0 }, manifest);
    const list = resolveRestoreOptions(
      [
        { name: 'users', value: '1' },
        { name: 'logs', value: 1 },
        { name: 'comments', value: true },
        { name: 'forum_34_included', value: false },
      ],
      manifest,
    );
    expect(list).toEqual(object);
    expect(object.root).toMatchObject({ users: 1, logs: 1, comments: 1 });
  });

  it('keeps the last value of a name given twice in the list form (as duplicate_course does)', () => {
    const options = resolveRestoreOptions(
      [
        { name: 'users', value: 1 },
        { name: 'users', value: 0 },
      ],
      makeManifest(),
    );
    expect(options.resolution.users).toMatchObject({ value: 0, status: 'requested', requested: 0 });
  });

  it('treats an undefined value in the object form as not given', () => {
    expect(resolveRestoreOptions({ users: undefined }, makeManifest()).resolution.users?.status).toBe('defaulted');
  });

  it('records a requested 0 as requested', () => {
    expect(resolveRestoreOptions({ blocks: '0' }, makeManifest()).resolution.blocks).toMatchObject({
      value: 0,
      status: 'requested',
      requested: 0,
      defaultValue: 1,
    });
  });
});

describe('enrolments', () => {
  const withUsers = makeManifest();
  const withoutUsers = makeManifest({ root: NO_USERS });
  it.each([
    ['with users, users restored', withUsers, { users: 1 }, 1, 'defaulted', null],
    ['with users, users restored, 0', withUsers, { users: 1, enrolments: 0 }, 0, 'requested', null],
    ['with users, users restored, 2', withUsers, { users: 1, enrolments: 2 }, 2, 'requested', null],
    ['with users, users not restored, 1', withUsers, { users: 0, enrolments: 1 }, 0, 'locked', 'users'],
    ['with users, users not restored, 2', withUsers, { users: 0, enrolments: 2 }, 2, 'requested', null],
    ['without users, default', withoutUsers, {}, 0, 'capped', 'users'],
    ['without users, 0', withoutUsers, { enrolments: 0 }, 0, 'requested', null],
    ['without users, 1', withoutUsers, { enrolments: '1' }, 0, 'capped', 'users'],
    ['without users, 2', withoutUsers, { enrolments: '2' }, 2, 'requested', null],
  ] as const)('%s', (_label, manifest, input, value, status, by) => {
    expect(resolveRestoreOptions(input, manifest).resolution.enrolments).toMatchObject({ value, status, by });
  });
});

describe('excludesActivities', () => {
  it('is false for a course backup restoring every activity', () => {
    expect(excludesActivities(resolveRestoreOptions({}, makeManifest()))).toBe(false);
  });
  it('is true when one activity is left out, by itself, its section or activities=0', () => {
    expect(excludesActivities(resolveRestoreOptions({ page_35_included: 0 }, makeManifest()))).toBe(true);
    expect(excludesActivities(resolveRestoreOptions({ section_11_included: 0 }, makeManifest()))).toBe(true);
    expect(excludesActivities(resolveRestoreOptions({ activities: 0 }, makeManifest()))).toBe(true);
  });
  it('is true for a section backup and false for a single-activity backup (restore_controller::execute_plan)', () => {
    expect(
      excludesActivities(
        resolveRestoreOptions({}, makeManifest({ type: 'section', sections: [10], activities: [['forum', 34, 10]] })),
      ),
    ).toBe(true);
    expect(
      excludesActivities(
        resolveRestoreOptions({}, makeManifest({ type: 'activity', sections: [], activities: [['forum', 34, 10]] })),
      ),
    ).toBe(false);
  });
  it('is false for a course backup without activities even with activities=0', () => {
    expect(excludesActivities(resolveRestoreOptions({ activities: 0 }, makeManifest({ activities: [] })))).toBe(false);
  });
});

describe('frozen result', () => {
  it('is deeply frozen and refuses mutation', () => {
    const options = resolveRestoreOptions({ users: 1 }, makeManifest());
    for (const part of [
      options,
      options.root,
      options.sections,
      options.sections[0],
      options.activities,
      options.activities[0],
      options.resolution,
      options.resolution.users,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (options.root as Record<string, number>).users = 0;
    }).toThrow(TypeError);
    expect(() => {
      (options.activities as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (options.resolution.users as { value: number }).value = 9;
    }).toThrow(TypeError);
    expect(() => {
      (options.sections[0] as { included: number }).included = 0;
    }).toThrow(TypeError);
    expect(resolveRestoreOptions({ enrolments: 1 }, makeManifest()).resolution.enrolments).toSatisfy(Object.isFrozen);
  });
});
