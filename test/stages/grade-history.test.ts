/**
 * The grade-history stage: root and activity grade_history.xml → grade_grades_history
 * (see `packages/engine/src/stages/grade-history.ts`).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '@mbz-restore/engine';
import { gradeHistoryStage } from '../../packages/engine/src/stages/grade-history.ts';
import { gradebookStage } from '../../packages/engine/src/stages/gradebook.ts';
import { generatedFixture, hasShared } from '../support/shared.ts';
import { ALL_ON, fullRestore, readEntries, restoreWithStandIns, upstreamReady, type HarnessResult } from './support/grade-stages-harness.ts';

const HISTORY = '/grade_history/grade_grades/grade_grade';
const ACTIVITY_GRADE = '/activity_gradebook/grade_items/grade_item/grade_grades/grade_grade';

/**
 * Moodle restores activity grades through `grade_grade::insert('restore')`, which writes one history row
 * (action 1, source "restore", logged by the restoring user, dated at restore time) per grade. Those rows
 * are in Moodle's count; the engine does not write them (they describe the restore, not the course).
 */
function moodleOwnHistoryRows(activityGrades: number): number {
  return activityGrades;
}

describe.skipIf(!hasShared())('grade history: gen_s_users.mbz, upstream stages stood in (support/grade-stages-harness.ts)', () => {
  const path = generatedFixture('gen_s_users.mbz');
  const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<string, number>;
  let run: HarnessResult;
  let root: number;
  let activity: number;
  let activityGrades: number;
  let records: Row[];

  beforeAll(async () => {
    run = await restoreWithStandIns(path, ALL_ON, [gradebookStage, gradeHistoryStage]);
    const history = await readEntries(path, (n) => n === 'grade_history.xml' || /^activities\/[^/]+\/grade_history\.xml$/.test(n), [HISTORY]);
    root = history.get('grade_history.xml')!.length;
    activity = [...history].filter(([name]) => name !== 'grade_history.xml').reduce((n, [, r]) => n + r.length, 0);
    records = [...history.values()].flat().map((r) => r.data as Row);
    activityGrades = [...(await readEntries(path, (n) => /^activities\/[^/]+\/grades\.xml$/.test(n), [ACTIVITY_GRADE])).values()].flat().length;
  });

  it('restores every history row of the backup (root 1,650 + activities 2,550)', async () => {
    expect(root).toBe(1650);
    expect(activity).toBe(2550);
    expect(await run.storage.count('grade_grades_history')).toBe(root + activity);
  });

  it('differs from Moodle only by the rows Moodle writes for the grades it inserts', async () => {
    // Moodle: 5,300 = the backup's 4,200 + 1,100 "restore" rows, one per activity grade.
    expect(activityGrades).toBe(1100);
    expect(await run.storage.count('grade_grades_history')).toBe(moodle.grade_grades_history! - moodleOwnHistoryRows(activityGrades));
  });

  it('points itemid, oldid and users at restored rows and keeps the dates', async () => {
    const items = new Set((await run.storage.select('grade_items', { courseid: run.courseId })).map((i) => i.id));
    const grades = new Set((await run.storage.select('grade_grades')).map((g) => g.id));
    const users = new Set((await run.storage.select('user')).map((u) => u.id));
    const rows = await run.storage.select('grade_grades_history');
    for (const row of rows) {
      expect(items.has(row.itemid)).toBe(true);
      expect(grades.has(row.oldid)).toBe(true);
      expect(users.has(row.userid)).toBe(true);
      if (row.loggeduser !== null) expect(users.has(row.loggeduser)).toBe(true);
      if (row.usermodified !== null) expect(users.has(row.usermodified)).toBe(true);
    }
    // No date shift: the same timemodified values, the same actions and sources.
    const tally = (list: readonly Row[], key: (r: Row) => string) => list.map(key).sort().join('|');
    expect(tally(rows, (r) => `${r.timemodified}/${r.action}/${r.source}`)).toBe(
      tally(records, (r) => `${Number(r.timemodified)}/${Number(r.action)}/${r.source}`),
    );
  });
});

describe.skipIf(!hasShared())('grade history: settings', () => {
  const path = generatedFixture('gen_s_users.mbz');

  it.each([
    ['grade_histories: 0', { grade_histories: 0 }],
    ['users: 0', { users: 0 }],
    ['activities: 0', { activities: 0 }],
  ])('writes nothing with %s', async (_name, off) => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, ...off }, [gradebookStage, gradeHistoryStage]);
    expect(await run.storage.count('grade_grades_history')).toBe(0);
  });

  it('skips the root file but keeps the included activities\' rows when an activity is left out', async () => {
    // assign_727's history goes with it, and root grade_history.xml (course totals) follows gradebook.xml,
    // which Moodle skips when activities are left out.
    const history = await readEntries(path, (n) => /^activities\/[^/]+\/grade_history\.xml$/.test(n), [HISTORY]);
    const kept = [...history].filter(([name]) => !name.startsWith('activities/assign_727/')).reduce((n, [, r]) => n + r.length, 0);
    const run = await restoreWithStandIns(path, { ...ALL_ON, assign_727_included: 0 }, [gradebookStage, gradeHistoryStage]);
    expect(kept).toBeLessThan(2550);
    expect(await run.storage.count('grade_grades_history')).toBe(kept);
  });

  it('skips the rows of an activity whose user data is off', async () => {
    const history = await readEntries(path, (n) => n === 'activities/assign_727/grade_history.xml', [HISTORY]);
    const run = await restoreWithStandIns(path, { ...ALL_ON, assign_727_userinfo: 0 }, [gradebookStage, gradeHistoryStage]);
    expect(await run.storage.count('grade_grades_history')).toBe(4200 - history.get('activities/assign_727/grade_history.xml')!.length);
  });
});

describe.skipIf(!hasShared())('grade history: full restore() of gen_s_users.mbz against Moodle', () => {
  it('restores the backup\'s history rows: Moodle\'s count minus its own rows', async (context) => {
    const { result } = await fullRestore(generatedFixture('gen_s_users.mbz'), ALL_ON);
    if (!upstreamReady(result)) context.skip('the users and activities stages are still placeholders');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<string, number>;
    expect(result.counts.mdl_grade_grades_history).toBe(moodle.grade_grades_history! - moodleOwnHistoryRows(1100));
  });
});
