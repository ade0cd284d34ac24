/**
 * The grade-history stage: root and activity grade_history.xml → grade_grades_history
 * (see `packages/engine/src/stages/grade-history.ts`).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row, StorageAdapter } from '@mbz-restore/engine';
import { gradeHistoryStage } from '../../src/stages/grade-history.ts';
import { gradebookStage } from '../../src/stages/gradebook.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  ALL_ON,
  fullRestore,
  readEntries,
  restoreWithStandIns,
  upstreamReady,
  type HarnessResult,
} from './support/grade-stages-harness.ts';

const HISTORY = '/grade_history/grade_grades/grade_grade';
const ACTIVITY_GRADE = '/activity_gradebook/grade_items/grade_item/grade_grades/grade_grade';

/**
 * Moodle restores activity grades through `grade_grade::insert('restore')`, which writes one history row
 * (action 1, source "restore") per grade, and regrades the course, logging what it changes: the gradebook
 * stage writes those rows (see gradebook.test.ts), logged by `$USER` (0 in a CLI restore, as in the harness).
 * This stage's rows are the others, the backup's, whose `loggeduser` is a restored user or NULL.
 */
async function backupRows(storage: StorageAdapter): Promise<Row[]> {
  return (await storage.select('grade_grades_history')).filter((r) => r.loggeduser !== 0);
}

describe.skipIf(!hasShared())(
  'grade history: gen_s_users.mbz, upstream stages stood in (support/grade-stages-harness.ts)',
  () => {
    const path = generatedFixture('gen_s_users.mbz');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    let run: HarnessResult;
    let root: number;
    let activity: number;
    let activityGrades: number;
    let records: Row[];

    beforeAll(async () => {
      run = await restoreWithStandIns(path, ALL_ON, [gradebookStage, gradeHistoryStage]);
      const history = await readEntries(
        path,
        (n) => n === 'grade_history.xml' || /^activities\/[^/]+\/grade_history\.xml$/.test(n),
        [HISTORY],
      );
      root = history.get('grade_history.xml')!.length;
      activity = [...history].filter(([name]) => name !== 'grade_history.xml').reduce((n, [, r]) => n + r.length, 0);
      records = [...history.values()].flat().map((r) => r.data as Row);
      activityGrades = [
        ...(await readEntries(path, (n) => /^activities\/[^/]+\/grades\.xml$/.test(n), [ACTIVITY_GRADE])).values(),
      ].flat().length;
    });

    it('restores every history row of the backup (root 1,650 + activities 2,550)', async () => {
      expect(root).toBe(1650);
      expect(activity).toBe(2550);
      expect(await backupRows(run.storage)).toHaveLength(root + activity);
    });

    it("holds Moodle's rows: the backup's and one per activity grade inserted", async () => {
      // Moodle: 5,300 = the backup's 4,200 + 1,100 "restore" rows, one per activity grade.
      expect(activityGrades).toBe(1100);
      expect(await run.storage.count('grade_grades_history')).toBe(moodle.grade_grades_history!);
    });

    it('stores rawscaleid 0 where the backup has none, as get_mappingid() answers false', async () => {
      expect(records.filter((r) => r.rawscaleid !== null)).toEqual([]);
      expect(new Set((await backupRows(run.storage)).map((r) => r.rawscaleid))).toEqual(new Set([0]));
    });

    it('points itemid, oldid and users at restored rows and keeps the dates', async () => {
      const items = new Set((await run.storage.select('grade_items', { courseid: run.courseId })).map((i) => i.id));
      const grades = new Set((await run.storage.select('grade_grades')).map((g) => g.id));
      const users = new Set((await run.storage.select('user')).map((u) => u.id));
      const rows = await backupRows(run.storage);
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
  },
);

describe.skipIf(!hasShared())('grade history: settings', () => {
  const path = generatedFixture('gen_s_users.mbz');

  it.each([
    ['grade_histories: 0', { grade_histories: 0 }],
    ['users: 0', { users: 0 }],
    ['activities: 0', { activities: 0 }],
  ])('restores no row of the backup with %s', async (_name, off) => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, ...off }, [gradebookStage, gradeHistoryStage]);
    expect(await backupRows(run.storage)).toHaveLength(0);
  });

  it("keeps Moodle's own rows of the grades restored with grade_histories: 0 (only $CFG->disablegradehistory stops them)", async () => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, grade_histories: 0 }, [gradebookStage, gradeHistoryStage]);
    expect(await run.storage.select('grade_grades_history', { source: 'restore' })).toHaveLength(1100);
  });

  it("skips the root file but keeps the included activities' rows when an activity is left out", async () => {
    // assign_727's history goes with it, and root grade_history.xml (course totals) follows gradebook.xml,
    // which Moodle skips when activities are left out.
    const history = await readEntries(path, (n) => /^activities\/[^/]+\/grade_history\.xml$/.test(n), [HISTORY]);
    const kept = [...history]
      .filter(([name]) => !name.startsWith('activities/assign_727/'))
      .reduce((n, [, r]) => n + r.length, 0);
    const run = await restoreWithStandIns(path, { ...ALL_ON, assign_727_included: 0 }, [
      gradebookStage,
      gradeHistoryStage,
    ]);
    expect(kept).toBeLessThan(2550);
    expect(await backupRows(run.storage)).toHaveLength(kept);
  });

  it('skips the rows of an activity whose user data is off', async () => {
    const history = await readEntries(path, (n) => n === 'activities/assign_727/grade_history.xml', [HISTORY]);
    const run = await restoreWithStandIns(path, { ...ALL_ON, assign_727_userinfo: 0 }, [
      gradebookStage,
      gradeHistoryStage,
    ]);
    expect(await backupRows(run.storage)).toHaveLength(
      4200 - history.get('activities/assign_727/grade_history.xml')!.length,
    );
  });
});

describe.skipIf(!hasShared())(
  'grade history: root grade_history.xml after a gradebook with categories (gen_allmods_users.mbz)',
  () => {
    it("skips the root file, as Moodle's step finds more than one grade category by then: Moodle's count", async (context) => {
      const path = generatedFixture('gen_allmods_users.mbz');
      const { storage, result } = await fullRestore(path, ALL_ON);
      if (!upstreamReady(result)) context.skip('the users and activities stages are still placeholders');
      const moodle = JSON.parse(readFileSync(generatedFixture('gen_allmods_users.expected.json'), 'utf8'))
        .counts as Record<string, number>;
      expect(await storage.count('grade_categories')).toBeGreaterThan(1);
      const history = await readEntries(path, (n) => /grade_history\.xml$/.test(n), [HISTORY]);
      expect(history.get('grade_history.xml')!.length).toBeGreaterThan(0);
      // The backup's rows restored are the activities' files only (all their users are restored).
      const activities = [...history]
        .filter(([name]) => name !== 'grade_history.xml')
        .reduce((n, [, r]) => n + r.length, 0);
      expect(await backupRows(storage)).toHaveLength(activities);
      expect(result.counts.mdl_grade_grades_history).toBe(moodle.grade_grades_history);
    }, 120_000);
  },
);

describe.skipIf(!hasShared())('grade history: full restore() of gen_s_users.mbz against Moodle', () => {
  it("restores Moodle's history rows: the backup's and its own", async (context) => {
    const { result } = await fullRestore(generatedFixture('gen_s_users.mbz'), ALL_ON);
    if (!upstreamReady(result)) context.skip('the users and activities stages are still placeholders');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    expect(result.counts.mdl_grade_grades_history).toBe(moodle.grade_grades_history!);
  });
});
