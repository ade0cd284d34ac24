/**
 * Moodle's regrade after a restore (`packages/engine/src/stages/gradebook/regrade.ts`, run at the end of the
 * gradebook stage as `restore_gradebook_structure_step::after_execute()` runs `grade_regrade_final_grades()`).
 *
 * Unit tests run the regrade over rows in memory, with numbers worked out by hand from `lib/grade/grade_category.php`
 * and `lib/grade/grade_item.php`; the MEAN / MEDIAN / MIN / MAX / MODE / WEIGHTED_MEAN cases are the ones of Moodle's
 * own `test_grade_category_generate_grades()` (`lib/grade/tests/grade_category_test.php`: three items out of 10 graded
 * 2, 4, 6 with aggregationcoef 0, 1, 2, the category out of 20). Real-fixture checks compare the restore with what
 * Moodle 4.3 itself produced (`../shared/fixtures/generated/*.values.json`, `*.expected.json`).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import {
  Aggregation,
  DEFAULT_REGRADE_SETTINGS,
  memoryRegradeStore,
  regradeCourse,
  type RegradeRow,
  type RegradeSettings,
} from '../../src/stages/gradebook/regrade.ts';
import { CalcFormula } from '../../src/stages/gradebook/evalmath.ts';
import {
  MOODLE_CLI_RESTORE,
  ORACLE_BACKUPS,
  readOracleValues,
  runOracleQueries,
} from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';

const NOW = 1_700_000_000;

// Rows ----------------------------------------------------------------------------------------------------

function category(id: number, parent: number | null, aggregation: number, extra: RegradeRow = {}): RegradeRow {
  return {
    id,
    courseid: 2,
    parent,
    depth: parent === null ? 1 : 2,
    path: null,
    fullname: parent === null ? '?' : `cat${id}`,
    aggregation,
    keephigh: 0,
    droplow: 0,
    aggregateonlygraded: 1,
    aggregateoutcomes: 0,
    hidden: 0,
    ...extra,
  };
}

function item(id: number, extra: RegradeRow = {}): RegradeRow {
  return {
    id,
    courseid: 2,
    categoryid: 1,
    itemtype: 'manual',
    itemmodule: null,
    iteminstance: null,
    itemnumber: 0,
    calculation: null,
    gradetype: 1,
    grademax: 100,
    grademin: 0,
    scaleid: null,
    outcomeid: null,
    multfactor: 1,
    plusfactor: 0,
    aggregationcoef: 0,
    aggregationcoef2: 0,
    weightoverride: 0,
    sortorder: id,
    hidden: 0,
    locked: 0,
    locktime: 0,
    needsupdate: 1,
    ...extra,
  };
}

/** The course item of course category 1. */
function courseItem(id: number, extra: RegradeRow = {}): RegradeRow {
  return item(id, { itemtype: 'course', categoryid: null, iteminstance: 1, sortorder: 1, ...extra });
}

let gradeIds = 1000;
function grade(itemid: number, userid: number, finalgrade: number | null, extra: RegradeRow = {}): RegradeRow {
  return {
    id: gradeIds++,
    itemid,
    userid,
    rawgrade: finalgrade,
    rawgrademax: 100,
    rawgrademin: 0,
    rawscaleid: null,
    usermodified: null,
    finalgrade,
    hidden: 0,
    locked: 0,
    locktime: 0,
    exported: 0,
    overridden: 0,
    excluded: 0,
    feedback: null,
    feedbackformat: 0,
    information: null,
    informationformat: 0,
    timecreated: null,
    timemodified: null,
    aggregationstatus: 'unknown',
    aggregationweight: null,
    ...extra,
  };
}

async function regrade(
  items: RegradeRow[],
  categories: RegradeRow[],
  grades: RegradeRow[],
  settings: Partial<RegradeSettings> = {},
) {
  const store = memoryRegradeStore(items, grades);
  const summary = await regradeCourse(items, categories, store, {
    ...DEFAULT_REGRADE_SETTINGS,
    now: NOW,
    loggedUser: 0,
    ...settings,
  });
  const find = (itemid: number, userid: number) => grades.find((g) => g.itemid === itemid && g.userid === userid);
  const itemRow = (id: number) => items.find((i) => i.id === id)!;
  return { summary, store, grades, find, itemRow };
}

/**
 * Moodle's test course: category 1 (the course category) holds sub-category 2 with three items out of 10, graded
 * 2, 4, 6, their aggregationcoef 0, 1, 2; the sub-category's total is out of 20. `aggregation` is the
 * sub-category's; "aggregate only graded" off, as in `test_grade_category_generate_grades()`.
 */
function moodleTestCourse(aggregation: number, extra: RegradeRow = {}) {
  const categories = [
    category(1, null, Aggregation.MEAN),
    category(2, 1, aggregation, { aggregateonlygraded: 0, ...extra }),
  ];
  const items = [
    courseItem(10),
    item(11, { itemtype: 'category', categoryid: null, iteminstance: 2, grademax: 20, sortorder: 2 }),
    item(12, { categoryid: 2, grademax: 10, aggregationcoef: 0, sortorder: 3 }),
    item(13, { categoryid: 2, grademax: 10, aggregationcoef: 1, sortorder: 4 }),
    item(14, { categoryid: 2, grademax: 10, aggregationcoef: 2, sortorder: 5 }),
  ];
  const grades = [
    grade(12, 5, 2, { rawgrademax: 10 }),
    grade(13, 5, 4, { rawgrademax: 10 }),
    grade(14, 5, 6, { rawgrademax: 10 }),
  ];
  return { items, categories, grades };
}

// Unit tests ------------------------------------------------------------------------------------------------

describe('regrade: the aggregations of grade_category::aggregate_values_and_adjust_bounds()', () => {
  const cases: Array<[string, number, number]> = [
    // Moodle's test_grade_category_generate_grades() expectations (intval of the final grade there; exact here).
    ['mean', Aggregation.MEAN, 8],
    ['median', Aggregation.MEDIAN, 8],
    ['lowest', Aggregation.MIN, 4],
    ['highest', Aggregation.MAX, 12],
    ['mode (all equally frequent: the highest)', Aggregation.MODE, 12],
    // (0·0.2 + 1·0.4 + 2·0.6) / 3 = 0.53333 → × 20.
    ['weighted mean', Aggregation.WEIGHTED_MEAN, 10.66667],
  ];
  for (const [name, aggregation, expected] of cases) {
    it(`${name}: ${expected}`, async () => {
      const course = moodleTestCourse(aggregation);
      const { find, summary, itemRow } = await regrade(course.items, course.categories, course.grades);
      expect(find(11, 5)!.finalgrade).toBe(expected);
      expect(find(11, 5)!.rawgrademax).toBe(20);
      expect(summary.pendingItems).toEqual([]);
      for (const id of [10, 11, 12, 13, 14]) expect(itemRow(id).needsupdate).toBe(0);
    });
  }

  it('weights and statuses: median of three gives the middle grade all the weight', async () => {
    const course = moodleTestCourse(Aggregation.MEDIAN);
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect([12, 13, 14].map((i) => [find(i, 5)!.aggregationstatus, find(i, 5)!.aggregationweight])).toEqual([
      ['used', 0],
      ['used', 1],
      ['used', 0],
    ]);
  });

  it('weighted mean: weights are the coefficients normalised (0, 1/3, 2/3)', async () => {
    const course = moodleTestCourse(Aggregation.WEIGHTED_MEAN);
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect([12, 13, 14].map((i) => find(i, 5)!.aggregationweight)).toEqual([0, 0.33333, 0.66667]);
  });

  it('mode: the most frequent value wins; its grades share the weight', async () => {
    const course = moodleTestCourse(Aggregation.MODE);
    course.grades[2]!.finalgrade = 4; // 2, 4, 4
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(8);
    expect([12, 13, 14].map((i) => find(i, 5)!.aggregationweight)).toEqual([0, 0.5, 0.5]);
  });

  it('simple weighted mean: weight = range; no extra credit gives the mean', async () => {
    const course = moodleTestCourse(Aggregation.WEIGHTED_MEAN2);
    for (const i of course.items) i.aggregationcoef = 0;
    course.items[4]!.grademax = 30; // 2/10, 4/10, 6/30 → (10·0.2 + 10·0.4 + 30·0.2) / 50 = 0.24 → × 20
    course.grades[2]!.rawgrademax = 30;
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(4.8);
    expect([12, 13, 14].map((i) => find(i, 5)!.aggregationweight)).toEqual([0.2, 0.2, 0.6]);
  });

  it('simple weighted mean with extra credit: added on top, weight cut where the total is bounded', async () => {
    const course = moodleTestCourse(Aggregation.WEIGHTED_MEAN2);
    // Items 13 and 14 are extra credit: 0.2 + 0.4 + 0.6 = 1.2 of item 12's range → 24, bounded to 20.
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(20);
    // Item 13 adds 8 points in full (weight 10/10), item 14 only the 8 left of its 12 (8/20 / 0.6).
    expect([12, 13, 14].map((i) => [find(i, 5)!.aggregationstatus, find(i, 5)!.aggregationweight])).toEqual([
      ['used', 1],
      ['extra', 1],
      ['extra', 0.66667],
    ]);
  });

  it('mean with extra credit: coefficient-weighted extra values on top of the mean', async () => {
    const course = moodleTestCourse(Aggregation.EXTRACREDIT_MEAN);
    course.grades[2]!.finalgrade = 1; // 0.2 + 1·0.4 + 2·0.1 = 0.8 → 16
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(16);
    expect([12, 13, 14].map((i) => [find(i, 5)!.aggregationstatus, find(i, 5)!.aggregationweight])).toEqual([
      ['used', 1],
      ['extra', 1],
      ['extra', 1],
    ]);
  });

  it('natural: points add up, the category maximum is the sum of its items', async () => {
    const course = moodleTestCourse(Aggregation.SUM);
    for (const i of course.items) i.aggregationcoef = 0;
    const { find, itemRow } = await regrade(course.items, course.categories, course.grades);
    expect(itemRow(11).grademax).toBe(30);
    expect([12, 13, 14].map((i) => itemRow(i).aggregationcoef2)).toEqual([0.33333, 0.33333, 0.33333]);
    expect(find(11, 5)!.finalgrade).toBe(12);
    expect(find(11, 5)!.rawgrademax).toBe(30);
  });
});

describe('regrade: natural aggregation of the course (restore_gradebook_structure_step + grade_regrade_final_grades)', () => {
  function sixItems(aggregateonlygraded: number) {
    const categories = [category(1, null, Aggregation.SUM, { aggregateonlygraded })];
    const items = [
      courseItem(1),
      ...[2, 3, 4, 5, 6, 7].map((id) => item(id, { itemtype: 'mod', itemmodule: 'assign', aggregationcoef2: 0.125 })),
    ];
    // User 5 has two grades, user 6 one; the other grades exist with no value (as assign leaves them).
    const grades = [grade(2, 5, 50), grade(3, 5, 75), grade(4, 5, null), grade(2, 6, 40)];
    return { items, categories, grades };
  }

  it('six 100-point items: course maximum 600, weights 1/6, totals of graded items only', async () => {
    const course = sixItems(1);
    const { find, itemRow, store } = await regrade(course.items, course.categories, course.grades);
    expect(itemRow(1).grademax).toBe(600);
    expect([2, 3, 4, 5, 6, 7].map((id) => itemRow(id).aggregationcoef2)).toEqual(Array(6).fill(0.16667));
    expect(find(1, 5)).toMatchObject({
      finalgrade: 125,
      rawgrademax: 200,
      rawgrademin: 0,
      aggregationstatus: 'unknown',
      aggregationweight: null,
      feedbackformat: 2,
      informationformat: 2,
      timemodified: NOW,
      timecreated: null,
      usermodified: null,
    });
    expect(find(1, 6)).toMatchObject({ finalgrade: 40, rawgrademax: 100 });
    expect(
      [find(2, 5), find(3, 5), find(4, 5), find(5, 5)].map((g) => [g!.aggregationstatus, g!.aggregationweight]),
    ).toEqual([
      ['used', 0.5],
      ['used', 0.5],
      ['novalue', 0],
      ['novalue', 0],
    ]);
    // The course totals are inserted ('system'), then updated ('aggregation'); every missing child grade inserted.
    const courseHistory = store.gradeHistoryRows
      .filter((h) => h.itemid === 1)
      .map((h) => [h.userid, h.action, h.source]);
    expect(courseHistory).toEqual([
      [5, 1, 'system'],
      [5, 2, 'aggregation'],
      [6, 1, 'system'],
      [6, 2, 'aggregation'],
    ]);
    expect(course.grades.filter((g) => g.userid === 6)).toHaveLength(7);
    expect(store.itemHistoryRows.map((h) => [h.oldid, h.source])).toEqual([
      [2, null],
      [3, null],
      [4, null],
      [5, null],
      [6, null],
      [7, null],
      [1, 'aggregation'],
    ]);
    for (const id of [1, 2, 3, 4, 5, 6, 7]) expect(itemRow(id).needsupdate).toBe(0);
  });

  it('"aggregate only graded" off: missing grades count as 0 against the whole maximum', async () => {
    const course = sixItems(0);
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(1, 5)).toMatchObject({ finalgrade: 125, rawgrademax: 600 });
    expect([2, 3, 4, 5, 6, 7].map((id) => find(id, 5)!.aggregationweight)).toEqual(Array(6).fill(0.16667));
    expect(find(4, 5)!.aggregationstatus).toBe('used');
  });

  it('an existing total that is already right is left alone (no update, no history)', async () => {
    const course = sixItems(1);
    course.items[0]!.grademax = 600;
    for (const i of course.items.slice(1)) i.aggregationcoef2 = 0.16667;
    course.grades.push(grade(1, 5, 125, { rawgrade: null, rawgrademax: 200 }));
    const { store } = await regrade(course.items, course.categories, course.grades);
    expect(store.gradeHistoryRows.filter((h) => h.itemid === 1 && h.userid === 5)).toEqual([]);
    expect(store.itemHistoryRows).toEqual([]);
  });

  it('overridden weight: the other items share what is left', async () => {
    const categories = [category(1, null, Aggregation.SUM)];
    const items = [
      courseItem(1),
      item(2, { weightoverride: 1, aggregationcoef2: 0.5 }),
      item(3),
      item(4, { grademax: 200 }),
    ];
    const grades = [grade(2, 5, 50), grade(3, 5, 100), grade(4, 5, 100, { rawgrademax: 200 })];
    const { find, itemRow } = await regrade(items, categories, grades);
    expect([2, 3, 4].map((id) => itemRow(id).aggregationcoef2)).toEqual([0.5, 0.16667, 0.33333]);
    expect(itemRow(1).grademax).toBe(400);
    // 0.5·0.5·400 + 1·(1/6)·400 + 0.5·(1/3)·400 = 100 + 66.667 + 66.667.
    expect(find(1, 5)!.finalgrade).toBe(233.33333);
  });

  it('extra credit: outside the maximum, its weight cut to what it really added', async () => {
    const categories = [category(1, null, Aggregation.SUM)];
    const items = [courseItem(1), item(2), item(3, { grademax: 50, aggregationcoef: 1 })];
    const grades = [grade(2, 5, 80), grade(3, 5, 50, { rawgrademax: 50 })];
    const { find, itemRow } = await regrade(items, categories, grades);
    expect(itemRow(1).grademax).toBe(100);
    expect(itemRow(3).aggregationcoef2).toBe(0.5);
    expect(find(1, 5)!.finalgrade).toBe(100);
    expect([find(2, 5), find(3, 5)].map((g) => [g!.aggregationstatus, g!.aggregationweight])).toEqual([
      ['used', 1],
      ['extra', 0.2],
    ]);
  });

  it('a sub-category total is computed first and aggregated into the course', async () => {
    const categories = [category(1, null, Aggregation.SUM), category(2, 1, Aggregation.SUM)];
    const items = [
      courseItem(1),
      item(2, { grademax: 50 }),
      item(3, { itemtype: 'category', categoryid: null, iteminstance: 2, grademax: 10 }),
      item(4, { categoryid: 2, grademax: 20 }),
      item(5, { categoryid: 2, grademax: 30 }),
    ];
    const grades = [
      grade(2, 5, 25, { rawgrademax: 50 }),
      grade(4, 5, 10, { rawgrademax: 20 }),
      grade(5, 5, 30, { rawgrademax: 30 }),
      grade(4, 6, 5, { rawgrademax: 20 }),
    ];
    const { find, itemRow } = await regrade(items, categories, grades);
    expect(itemRow(3).grademax).toBe(50);
    expect(itemRow(1).grademax).toBe(100);
    expect([
      itemRow(2).aggregationcoef2,
      itemRow(3).aggregationcoef2,
      itemRow(4).aggregationcoef2,
      itemRow(5).aggregationcoef2,
    ]).toEqual([0.5, 0.5, 0.4, 0.6]);
    expect(find(3, 5)).toMatchObject({ finalgrade: 40, rawgrademax: 50 });
    expect(find(1, 5)).toMatchObject({ finalgrade: 65, rawgrademax: 100 });
    // User 6 has only a grade in the sub-category: its total is 5 of 20, the course total 5 of 20.
    expect(find(3, 6)).toMatchObject({ finalgrade: 5, rawgrademax: 20 });
    expect(find(1, 6)).toMatchObject({ finalgrade: 5, rawgrademax: 20 });
    expect(find(2, 6)).toMatchObject({ finalgrade: null, aggregationstatus: 'novalue' });
  });
});

describe('regrade: limits, exclusions, locks, overrides, scales, min/max', () => {
  it('drop lowest: the lowest grade is dropped', async () => {
    const course = moodleTestCourse(Aggregation.MEAN, { droplow: 1 });
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(10);
    expect([12, 13, 14].map((i) => [find(i, 5)!.aggregationstatus, find(i, 5)!.aggregationweight])).toEqual([
      ['dropped', 0],
      ['used', 0.5],
      ['used', 0.5],
    ]);
  });

  it('keep highest: only the best grade counts', async () => {
    const course = moodleTestCourse(Aggregation.MEAN, { keephigh: 1 });
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(12);
    expect([12, 13, 14].map((i) => find(i, 5)!.aggregationstatus)).toEqual(['dropped', 'dropped', 'used']);
  });

  it("drop lowest with a tie: the dropped grade is not flagged 'dropped' (array_diff compares values)", async () => {
    const course = moodleTestCourse(Aggregation.MEAN, { droplow: 1 });
    course.grades[0]!.finalgrade = 4; // 4, 4, 6: one 4 is dropped, but another 4 is still used
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(10);
    expect([12, 13, 14].map((i) => [find(i, 5)!.aggregationstatus, find(i, 5)!.aggregationweight])).toEqual([
      ['unknown', 0],
      ['used', 0.5],
      ['used', 0.5],
    ]);
  });

  it('an excluded grade is dropped from the aggregation', async () => {
    const course = moodleTestCourse(Aggregation.MEAN);
    course.grades[2]!.excluded = 1;
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(6);
    expect(find(14, 5)!.aggregationstatus).toBe('dropped');
  });

  it('hidden items still count in the stored total (hiding only changes what reports show)', async () => {
    const course = moodleTestCourse(Aggregation.MEAN);
    course.items[2]!.hidden = 1;
    course.grades[0]!.hidden = 1;
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(8);
  });

  it('overridden and locked totals are kept; a locked item is not regraded', async () => {
    const course = moodleTestCourse(Aggregation.MEAN);
    course.grades.push(
      grade(11, 5, 3, { overridden: 1234 }),
      grade(11, 6, 7, { locked: 99 }),
      grade(12, 6, 10, { rawgrademax: 10 }),
    );
    course.items[1]!.locked = 0;
    const { find } = await regrade(course.items, course.categories, course.grades);
    expect(find(11, 5)!.finalgrade).toBe(3);
    expect(find(11, 6)!.finalgrade).toBe(7);
    const locked = moodleTestCourse(Aggregation.MEAN);
    locked.items[1]!.locked = 1;
    locked.grades.push(grade(11, 5, 1));
    const result = await regrade(locked.items, locked.categories, locked.grades);
    expect(result.find(11, 5)!.finalgrade).toBe(1);
    expect(result.itemRow(11).needsupdate).toBe(0);
  });

  it('lock times that have passed lock the item and the grades (check_locktime, check_locktime_all)', async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [courseItem(1), item(2, { locktime: NOW - 10 }), item(3, { locktime: NOW + 10 })];
    const grades = [grade(2, 5, 40), grade(3, 5, 30, { locktime: NOW - 5 }), grade(3, 6, 20, { locktime: NOW + 5 })];
    const { find, itemRow, store } = await regrade(items, categories, grades);
    expect(itemRow(2).locked).toBe(NOW);
    expect(itemRow(3).locked).toBe(0);
    expect(find(3, 5)!.locked).toBe(NOW);
    expect(find(3, 6)!.locked).toBe(0);
    expect(store.itemHistoryRows.map((h) => [h.oldid, h.source])).toEqual([[2, 'locktime']]);
    expect(store.gradeHistoryRows.filter((h) => h.source === 'locktime').map((h) => [h.itemid, h.userid])).toEqual([
      [3, 5],
    ]);
  });

  it('scale items are normalised between their first and last scale item', async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [courseItem(1), item(2, { gradetype: 2, scaleid: 7, grademin: 1, grademax: 4 }), item(3)];
    const grades = [grade(2, 5, 3, { rawgrademin: 1, rawgrademax: 4 }), grade(3, 5, 40)];
    const included = await regrade(structuredClone(items), categories, structuredClone(grades));
    // (3 − 1) / (4 − 1) = 0.66667 and 0.4 → mean 0.53333 → × 100.
    expect(included.find(1, 5)!.finalgrade).toBe(53.33333);
    const excluded = await regrade(structuredClone(items), categories, structuredClone(grades), {
      includeScalesInAggregation: false,
    });
    expect(excluded.find(1, 5)!.finalgrade).toBe(40);
  });

  it('module grades: finalgrade = rawgrade rescaled to the item, × multfactor + plusfactor, bounded', async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [
      courseItem(1),
      item(2, { itemtype: 'mod', itemmodule: 'forum', multfactor: 0.5, plusfactor: 5 }),
      item(3, { itemtype: 'mod', itemmodule: 'assign', multfactor: 0.5, plusfactor: 5 }),
      item(4, { itemtype: 'mod', itemmodule: 'forum', plusfactor: 90 }),
    ];
    const grades = [
      grade(2, 5, 1, { rawgrade: 40, rawgrademax: 50 }),
      grade(3, 5, 1, { rawgrade: 40, rawgrademax: 50 }),
      grade(4, 5, 1, { rawgrade: 40 }),
      grade(4, 6, 33, { rawgrade: 40, overridden: 5 }),
    ];
    const { find, store } = await regrade(items, categories, grades);
    expect(find(2, 5)!.finalgrade).toBe(45); // 40/50 → 80, ·0.5 + 5
    expect(find(3, 5)!.finalgrade).toBe(25); // assign rescales its own grades: 40 ·0.5 + 5
    expect(find(4, 5)!.finalgrade).toBe(100); // 130 bounded to the maximum
    expect(find(4, 6)!.finalgrade).toBe(33); // overridden: kept
    expect(
      store.gradeHistoryRows
        .filter((h) => h.itemid === 2 && h.userid === 5)
        .map((h) => [h.action, h.source, h.finalgrade]),
    ).toEqual([[2, 'system', 45]]);
  });

  it("minmaxtouse = 2 (from the grade): the grade's own maximum normalises it", async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [courseItem(1), item(2, { itemtype: 'manual' })];
    const grades = [grade(2, 5, 40, { rawgrademax: 50 })];
    const fromItem = await regrade(structuredClone(items), categories, structuredClone(grades));
    expect(fromItem.find(1, 5)!.finalgrade).toBe(40);
    const fromGrade = await regrade(structuredClone(items), categories, structuredClone(grades), { minmaxtouse: 2 });
    expect(fromGrade.find(1, 5)!.finalgrade).toBe(80);
  });

  it("a calculated item is computed from the final grades it uses (null counts as 0), its raw range set to the item's", async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [
      courseItem(1),
      item(2),
      item(3),
      item(4, { calculation: '=(##gi2## + ##gi3##) * 2', grademax: 150 }),
    ];
    const grades = [
      grade(2, 5, 40),
      grade(3, 5, 30),
      grade(4, 5, 12, { rawgrademax: 100 }),
      grade(2, 6, 50),
      grade(3, 7, null),
    ];
    const { find, itemRow, summary, store } = await regrade(items, categories, grades);
    expect(find(4, 5)).toMatchObject({ finalgrade: 140, rawgrademax: 150 });
    expect(find(4, 6)).toMatchObject({ finalgrade: 100, rawgrademax: 150 }); // 0 for the missing grade
    expect(find(4, 7)!.finalgrade).toBeNull(); // every input empty
    expect(store.gradeHistoryRows.filter((h) => h.itemid === 4 && h.action === 2).map((h) => h.source)).toEqual([
      'compute',
      'compute',
      'compute',
    ]);
    // The course mean uses the computed grade: (0.4 + 0.3 + 140/150) / 3.
    expect(find(1, 5)!.finalgrade).toBe(54.44444);
    expect(summary.pendingItems).toEqual([]);
    expect(itemRow(4).needsupdate).toBe(0);
  });

  it('a formula that fails (division by zero) leaves the item and the totals above it for regrading', async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [courseItem(1), item(2), item(3, { calculation: '=100/##gi2##' })];
    const grades = [grade(2, 5, 0), grade(2, 6, 50)];
    const { find, itemRow, summary } = await regrade(items, categories, grades);
    expect(find(3, 6)!.finalgrade).toBe(2);
    expect(find(3, 5)!.finalgrade).toBeNull();
    expect(itemRow(2).needsupdate).toBe(0);
    expect(itemRow(3).needsupdate).toBe(1);
    expect(itemRow(1).needsupdate).toBe(1);
    expect([...summary.pendingItems].sort()).toEqual([1, 3]);
  });

  it('a random formula is left as restored, flagged for Moodle with the totals above it', async () => {
    const categories = [category(1, null, Aggregation.MEAN)];
    const items = [courseItem(1), item(2), item(3, { calculation: '=##gi2## + rand_int(1, 5)' })];
    const grades = [grade(2, 5, 40), grade(3, 5, 12)];
    const { find, itemRow, summary } = await regrade(items, categories, grades);
    expect(find(3, 5)!.finalgrade).toBe(12);
    expect(itemRow(3).needsupdate).toBe(1);
    expect(itemRow(1).needsupdate).toBe(1);
    expect([...summary.pendingItems].sort()).toEqual([1, 3]);
  });
});

describe('regrade: calc_formula / EvalMath', () => {
  const cases: Array<[string, Record<string, number>, number | false]> = [
    ['=sum(gi1, gi2)/2', { gi1: 3, gi2: 5 }, 4],
    ['=average(gi1, 2, 4)', { gi1: 6 }, 4],
    ['=max(gi1, 3) + min(2, gi1)', { gi1: 1 }, 4],
    ['=round(gi1/3, 2)', { gi1: 10 }, 3.33],
    ['=round(2.5)', {}, 3],
    ['=-gi1^2', { gi1: 3 }, -9],
    ['=2^3^2', {}, 512],
    ['=2*3+4*5-6/3', {}, 24],
    ['=mod(7.9, 3)', {}, 1],
    ['=power(2, 10)', {}, 1024],
    ['=floor(pi()*100)', {}, 314],
    ['=sqrt(abs(-16)) + ln(1) + ceil(0.2)', {}, 5],
    ['=GI1 * 2', { gi1: 4 }, 8],
    ['=gi1/0', { gi1: 1 }, false],
    ['=gi9 + 1', {}, false],
    ['=2(3)', {}, false],
    ['=sum()', {}, false],
    ['=1 +', {}, false],
    ['1 + 1', {}, false],
  ];
  for (const [formula, params, expected] of cases) {
    it(`${formula} → ${expected}`, () => {
      const result = new CalcFormula(formula).evaluate(params);
      if (expected === false) expect(result).toBe(false);
      else expect(result).toBeCloseTo(expected, 10);
    });
  }
});

// Real backups -------------------------------------------------------------------------------------------------

/** Restores a backup into a SQLite store; returns the store path and course id. */
async function restoreToSqlite(path: string, dir: string) {
  const db = join(dir, 'store.sqlite');
  const storage = createSqliteStorage({ path: db });
  await storage.open();
  const result = await restore(path, { storage, options: MOODLE_CLI_RESTORE }).finally(() => storage.close());
  return { db, courseid: result.courseid };
}

/** A query's rows without the columns Moodle's two restores disagreed on (restore time). */
function withoutTimeColumns(columns: string[], rows: Array<Array<string | null>>, drop: string[]) {
  const keep = columns.map((c, i) => (drop.includes(c) ? -1 : i)).filter((i) => i >= 0);
  return rows.map((r) => JSON.stringify(keep.map((i) => r[i]))).sort();
}

describe.skipIf(!hasShared())('regrade: real backups against Moodle 4.3', () => {
  it("real-advgrade: grade items and grades equal Moodle's restore (course max 600, weights, course totals)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbz-regrade-'));
    try {
      const { db, courseid } = await restoreToSqlite(ORACLE_BACKUPS['real-advgrade']!.backup(), dir);
      const ours = runOracleQueries(db, courseid);
      const moodle = readOracleValues(ORACLE_BACKUPS['real-advgrade']!.values);
      for (const query of ['grade_items', 'grade_grades', 'grade_grades_history_counts']) {
        const expected = moodle.queries[query]!;
        expect(expected.complete).toBe(true);
        const drop = moodle.restore_time_columns?.[query] ?? [];
        expect(withoutTimeColumns(expected.columns, ours[query]!.rows, drop), query).toEqual(
          withoutTimeColumns(expected.columns, expected.sample, drop),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('restoreEvents off: the same totals, but no history rows of the regrade', async () => {
    const totals = async (restoreEvents: boolean) => {
      const storage = createMemoryStorage();
      await storage.open();
      const result = await restore(ORACLE_BACKUPS['real-advgrade']!.backup(), {
        storage,
        options: MOODLE_CLI_RESTORE,
        restoreEvents,
      });
      const items = (await storage.select('grade_items')).filter((i) => Number(i.courseid) === result.courseid);
      const courseItem = items.find((i) => i.itemtype === 'course')!;
      const grades = (await storage.select('grade_grades'))
        .filter((g) => g.itemid === courseItem.id)
        .map((g) => [g.userid, g.finalgrade, g.rawgrademax]);
      const history = (await storage.select('grade_grades_history')).filter((h) => h.itemid === courseItem.id).length;
      return { grademax: courseItem.grademax, grades, history };
    };
    const on = await totals(true);
    const off = await totals(false);
    expect(on.history).toBe(10); // 5 totals inserted ('system') and updated ('aggregation'), as in Moodle's restore
    expect(off.history).toBe(0);
    expect(off.grademax).toBe(600);
    expect(off.grades).toEqual(on.grades);
    expect(off.grades).toHaveLength(5);
  }, 120_000);

  it("check_minmaxtouse: a 2.8 backup whose grades disagree with their item's maximum gets minmaxtouse = 2", async () => {
    const backup = mbzFixture('qtype_coderunner__tests-fixtures-loadtesting_pseudocourse_backup_V3.0.0__v99c164e.mbz');
    const folder = await extractBackup(backup);
    try {
      const minmaxtouse = async () => {
        const storage = createMemoryStorage();
        await storage.open();
        const result = await restore(folder, { storage, options: MOODLE_CLI_RESTORE });
        return (await storage.select('grade_settings'))
          .filter((s) => Number(s.courseid) === result.courseid && s.name === 'minmaxtouse')
          .map((s) => s.value);
      };
      // Moodle 2.8 (2014111001.04), no minmaxtouse setting, grades consistent with their items: nothing set.
      expect(await minmaxtouse()).toEqual([]);
      // One quiz grade out of 20 while its item is out of 10.
      const files = (await readdir(join(folder, 'activities')))
        .map((d) => join(folder, 'activities', d, 'grades.xml'))
        .filter((f) => existsSync(f));
      const grades = files.find((f) => readFileSync(f, 'utf8').includes('<rawgrademax>10.00000</rawgrademax>'))!;
      await writeFile(
        grades,
        (await readFile(grades, 'utf8')).replace(
          '<rawgrademax>10.00000</rawgrademax>',
          '<rawgrademax>20.00000</rawgrademax>',
        ),
      );
      expect(await minmaxtouse()).toEqual(['2']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it('gen_allmods_users: every user gets a category total (382 grade rows as in Moodle), nothing left to regrade', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbz-regrade-'));
    try {
      const { db, courseid } = await restoreToSqlite(generatedFixture('gen_allmods_users.mbz'), dir);
      const expected = JSON.parse(readFileSync(generatedFixture('gen_allmods_users.expected.json'), 'utf8')) as {
        counts: Record<string, number>;
      };
      const sqlite = new Database(db, { readonly: true });
      try {
        const count = (sql: string) => (sqlite.prepare(sql).get(courseid) as { n: number }).n;
        expect(
          count(
            'SELECT count(*) n FROM mdl_grade_grades gg JOIN mdl_grade_items gi ON gi.id = gg.itemid WHERE gi.courseid = ?',
          ),
        ).toBe(expected.counts.grade_grades);
        expect(count('SELECT count(*) n FROM mdl_grade_items WHERE courseid = ? AND needsupdate <> 0')).toBe(0);
        expect(count('SELECT count(*) n FROM mdl_grade_items_history WHERE courseid = ?')).toBe(
          expected.counts.grade_items_history,
        );
        // The category total of every user with a grade in the course.
        const users = count(
          "SELECT count(DISTINCT gg.userid) n FROM mdl_grade_grades gg JOIN mdl_grade_items gi ON gi.id = gg.itemid WHERE gi.courseid = ? AND gi.itemtype = 'mod'",
        );
        expect(
          count(
            "SELECT count(*) n FROM mdl_grade_grades gg JOIN mdl_grade_items gi ON gi.id = gg.itemid WHERE gi.courseid = ? AND gi.itemtype = 'category'",
          ),
        ).toBe(users);
      } finally {
        sqlite.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
