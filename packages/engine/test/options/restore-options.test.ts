/** The option table (`src/options/restore-options.ts`): names, MDL-64915 defaults, caps and dependency order. */
import { describe, expect, it } from 'vitest';
import {
  BACKUP_VALUE_WHEN_ABSENT,
  EnrolMode,
  MDL64915_OPTION_NAMES,
  ROOT_OPTIONS,
  ROOT_OPTION_NAMES,
  backupRootValue,
  isRootOptionName,
  rootOptionSpec,
  truthy,
} from '../../src/options/restore-options.ts';

describe('root option table', () => {
  it('lists every root option once, in the same order as ROOT_OPTION_NAMES', () => {
    expect(ROOT_OPTIONS.map((s) => s.name)).toEqual([...ROOT_OPTION_NAMES]);
    expect(new Set(ROOT_OPTION_NAMES).size).toBe(ROOT_OPTION_NAMES.length);
  });

  it('has the ten MDL-64915 options with its defaults', () => {
    const defaults = Object.fromEntries(MDL64915_OPTION_NAMES.map((n) => [n, rootOptionSpec(n).defaultValue]));
    expect(defaults).toEqual({
      activities: 1,
      blocks: 1,
      filters: 1,
      users: 0,
      enrolments: 1,
      role_assignments: 0,
      comments: 0,
      userscompletion: 0,
      logs: 0,
      grade_histories: 0,
    });
  });

  it('defaults the other options to the backup value, except legacyfiles (always 1)', () => {
    const others = ROOT_OPTIONS.filter((s) => !(MDL64915_OPTION_NAMES as readonly string[]).includes(s.name));
    expect(Object.fromEntries(others.map((s) => [s.name, s.defaultValue]))).toEqual({
      permissions: 'backup',
      badges: 'backup',
      calendarevents: 'backup',
      groups: 'backup',
      competencies: 'backup',
      customfields: 'backup',
      contentbankcontent: 'backup',
      legacyfiles: 1,
      xapistate: 'backup',
    });
  });

  it('lists each dependency after its parent (topological order)', () => {
    ROOT_OPTIONS.forEach((spec, index) => {
      for (const parent of spec.dependsOn) expect(ROOT_OPTION_NAMES.indexOf(parent)).toBeLessThan(index);
    });
    expect(rootOptionSpec('badges').dependsOn).toEqual(['activities', 'users']);
    expect(rootOptionSpec('grade_histories').dependsOn).toEqual(['users', 'activities']);
    for (const name of ['role_assignments', 'comments', 'userscompletion', 'logs', 'xapistate'] as const) {
      expect(rootOptionSpec(name).dependsOn).toEqual(['users']);
    }
  });

  it('keeps the customfield/customfields naming quirk and the groups default quirk', () => {
    const spec = rootOptionSpec('customfields');
    expect(spec.backupKey).toBe('customfield');
    expect(spec.defaultKey).toBe('groups');
    expect(isRootOptionName('customfield')).toBe(false);
  });

  it('leaves backup-only settings out', () => {
    for (const name of ['questionbank', 'files', 'anonymize', 'filename', 'imscc11'])
      expect(isRootOptionName(name)).toBe(false);
  });

  it('allows 0/1/2 for enrolments and 0/1 for everything else', () => {
    expect(rootOptionSpec('enrolments').values).toEqual([EnrolMode.Never, EnrolMode.WithUsers, EnrolMode.Always]);
    expect(rootOptionSpec('enrolments').backupKey).toBeNull();
    for (const spec of ROOT_OPTIONS.filter((s) => s.name !== 'enrolments')) expect(spec.values).toEqual([0, 1]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ROOT_OPTIONS)).toBe(true);
    expect(Object.isFrozen(ROOT_OPTIONS[0])).toBe(true);
    expect(Object.isFrozen(BACKUP_VALUE_WHEN_ABSENT)).toBe(true);
  });
});

describe('backupRootValue', () => {
  it('reads 1/0 and applies the absent-key rules', () => {
    expect(backupRootValue({ users: '1' }, 'users')).toBe(1);
    expect(backupRootValue({ users: '0' }, 'users')).toBe(0);
    expect(backupRootValue({ users: '' }, 'users')).toBe(0);
    expect(backupRootValue({}, 'users')).toBe(0);
    expect(backupRootValue({}, 'groups')).toBe(1);
    expect(backupRootValue({}, 'permissions')).toBe(1);
    expect(backupRootValue({}, 'legacyfiles')).toBe(1);
    expect(backupRootValue({ groups: '0' }, 'groups')).toBe(0);
  });

  it('follows PHP truthiness', () => {
    expect(truthy('1')).toBe(true);
    expect(truthy('2')).toBe(true);
    expect(truthy('0')).toBe(false);
    expect(truthy(' ')).toBe(false);
  });
});
