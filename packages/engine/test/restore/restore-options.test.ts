/**
 * The option matrix of MDL-64915 on a backup with users: each of the ten options switched off (from
 * everything on) removes exactly its part, `enrolments` 0/1/2 behaves as in Moodle, and `users=0`
 * leaves no user data anywhere. Runs on a generated backup (all parts present) with the memory store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type StorageAdapter } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createMemoryStorage } from '@mbz-restore/storage-memory';

const ALL_ON = {
  activities: 1,
  blocks: 1,
  filters: 1,
  users: 1,
  enrolments: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
};

/** Tables holding user data: all empty when users are off. */
const USER_DATA = [
  'user_enrolments',
  'role_assignments',
  'groups_members',
  'grade_grades',
  'grade_grades_history',
  'logstore_standard_log',
  'comments',
  'course_modules_completion',
  'course_completions',
  'assign_submission',
  'assign_grades',
  'forum_discussions',
  'forum_posts',
  'quiz_attempts',
  'quiz_grades',
  'question_usages',
  'question_attempts',
  'question_attempt_steps',
  'user_preferences',
];

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-options-'));
  backup = join(dir, 'xs.mbz');
  await generateBackup({ size: 'xs', out: backup, seed: 5 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function restoreWith(
  options: Record<string, number>,
): Promise<{ storage: StorageAdapter; count: (table: string) => Promise<number> }> {
  const storage = createMemoryStorage();
  await storage.open();
  await restore(backup, { storage, options });
  // The log's rows restored from the backup: the events Moodle's restore itself logs (origin `restore`) are written
  // whatever the options say, as Moodle does (test/stages/restore-events.test.ts in this package).
  const backupLogRows = async () =>
    (await storage.select('logstore_standard_log')).filter((r) => r.origin !== 'restore').length;
  // Likewise the grade history Moodle's grade API writes while restoring (logged by `$USER`, 0 here) is written
  // whatever `grade_histories` says; the backup's rows carry a restored user or NULL (test/stages/grade-history.test.ts in this package).
  const backupHistoryRows = async () =>
    (await storage.select('grade_grades_history')).filter((r) => r.loggeduser !== 0).length;
  const count = (table: string) =>
    table === 'logstore_standard_log'
      ? backupLogRows()
      : table === 'grade_grades_history'
        ? backupHistoryRows()
        : storage.count(table);
  return { storage, count };
}

describe('restore options', () => {
  let baseline: Record<string, number>;
  beforeAll(async () => {
    const { count } = await restoreWith(ALL_ON);
    baseline = {};
    for (const table of [...USER_DATA, 'course_modules', 'block_instances', 'user', 'enrol', 'grade_items'])
      baseline[table] = await count(table);
  });

  it('everything on restores every part the backup has', () => {
    for (const table of [
      'course_modules',
      'block_instances',
      'user_enrolments',
      'role_assignments',
      'grade_grades',
      'grade_grades_history',
      'logstore_standard_log',
      'comments',
      'course_modules_completion',
      'forum_posts',
      'quiz_attempts',
      'assign_submission',
    ]) {
      expect(baseline[table], table).toBeGreaterThan(0);
    }
  });

  it.each([
    [
      'activities',
      [
        'course_modules',
        'grade_grades_history',
        'forum_posts',
        'quiz_attempts',
        'assign_submission',
        'course_modules_completion',
      ],
    ],
    ['blocks', ['block_instances']],
    ['role_assignments', ['role_assignments']],
    ['comments', ['comments']],
    ['userscompletion', ['course_modules_completion']],
    ['logs', ['logstore_standard_log']],
    ['grade_histories', ['grade_grades_history']],
  ] as const)('%s=0 removes its part only', async (option, emptied) => {
    const { count } = await restoreWith({ ...ALL_ON, [option]: 0 });
    for (const table of emptied) expect(await count(table), table).toBe(0);
    if (option !== 'activities') {
      expect(await count('user')).toBe(baseline.user);
      expect(await count('course_modules')).toBe(baseline.course_modules);
    } else {
      // Users come in through the inforefs of included parts: those only activities refer to stay out, as in Moodle.
      expect(await count('user')).toBeLessThanOrEqual(baseline.user!);
    }
  });

  it('filters=0 restores no filter settings', async () => {
    const { count } = await restoreWith({ ...ALL_ON, filters: 0 });
    expect(await count('filter_active')).toBe(0);
    expect(await count('filter_config')).toBe(0);
    expect(await count('course_modules')).toBe(baseline.course_modules);
  });

  it('users=0 leaves no user data anywhere', async () => {
    const { count } = await restoreWith({ ...ALL_ON, users: 0 });
    expect(await count('user')).toBe(2);
    for (const table of USER_DATA) expect(await count(table), table).toBe(0);
    expect(await count('course_modules')).toBe(baseline.course_modules);
  });

  it.each([
    [1, 0, 'instances converted to the manual one, user enrolments kept in it'],
    [1, 1, 'instances and user enrolments as in the backup'],
    [1, 2, 'instances and user enrolments as in the backup'],
    [0, 0, 'default instances of a new course, no user enrolments'],
    [0, 2, "the backup's instances without user enrolments"],
  ])('users=%i enrolments=%i: %s', async (users, enrolments) => {
    const { storage, count } = await restoreWith({ ...ALL_ON, users, enrolments });
    const methods = (await storage.select('enrol')).map((e) => String(e.enrol)).sort();
    if (users === 1 && enrolments === 0) {
      expect(methods).toEqual(['manual']);
      expect(await count('user_enrolments')).toBe(baseline.user_enrolments);
    } else if (users === 1) {
      expect(await count('enrol')).toBe(baseline.enrol);
      expect(await count('user_enrolments')).toBe(baseline.user_enrolments);
    } else {
      expect(methods.length).toBeGreaterThan(0);
      expect(await count('user_enrolments')).toBe(0);
      if (enrolments === 2) expect(await count('enrol')).toBe(baseline.enrol);
    }
  });
});
