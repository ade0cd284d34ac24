/**
 * Gradebook files, with the column lists of a real 4.3 backup:
 *
 * - root `gradebook.xml` (`backup_gradebook_structure_step`): the course grade category, the
 *   course grade item with one `grade_grade` (course total) per student, empty letters and the
 *   `minmaxtouse` setting (whose `id` attribute Moodle writes empty);
 * - root `grade_history.xml`: one aggregation row per course-total grade;
 * - activity `grades.xml` / `grade_history.xml` (`backup_activity_grades_structure_step`,
 *   `backup_activity_grade_history_structure_step`) for assign and quiz: the module's grade item
 *   with one grade per participant, and 2–3 history rows per grade (insert, grade, maybe regrade).
 */
import {
  activityOpens,
  assignGrade,
  attemptTimes,
  courseTotal,
  decimal5,
  gradedTime,
  graderOf,
  isRegraded,
  quizGrade,
} from './activity-data.ts';
import { gradeGradeId, gradeHistoryId } from './course-model.ts';
import type { ActivityInfo, GradeItemInfo, UserInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlLeafValue, XmlWriter } from './xml-writer.ts';

/** Renders gradebook.xml. */
export async function renderGradebook(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model: m } = ctx;
  const item = m.gradebook.courseItem;
  const max = courseMax(ctx);
  const t = m.time.created + 30;
  w.open('gradebook').empty('attributes').open('grade_categories');
  w.open('grade_category', { id: m.gradebook.categoryId })
    .leaves({
      parent: null,
      depth: 1,
      path: `/${m.gradebook.categoryId}/`,
      fullname: '?',
      aggregation: 13,
      keephigh: 0,
      droplow: 0,
      aggregateonlygraded: 1,
      aggregateoutcomes: 0,
      timecreated: t,
      timemodified: t,
      hidden: 0,
    })
    .close();
  w.close().open('grade_items');
  writeItemHead(
    w,
    item,
    {
      categoryid: null,
      itemname: null,
      itemtype: 'course',
      itemmodule: null,
      iteminstance: m.gradebook.categoryId,
      itemnumber: null,
      idnumber: null,
    },
    max,
    t,
  );
  w.open('grade_grades');
  for (const s of m.students) {
    writeGrade(
      w,
      gradeGradeId(m, item.ordinal, s.index),
      s.id,
      null,
      max,
      null,
      courseTotal(m, s.index, max),
      null,
      m.time.enddate,
    );
    ctx.counts.gradeGrades++;
    await w.maybeFlush();
  }
  w.close().close().close();
  w.empty('grade_letters')
    .open('grade_settings')
    .open('grade_setting', { id: '' })
    .leaves({ name: 'minmaxtouse', value: '1' })
    .close()
    .close();
  w.close();
}

/** Renders the root grade_history.xml (course totals). */
export async function renderCourseGradeHistory(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model: m } = ctx;
  const item = m.gradebook.courseItem;
  const max = courseMax(ctx);
  w.open('grade_history').open('grade_grades');
  for (const s of m.students) {
    const id = gradeGradeId(m, item.ordinal, s.index);
    writeHistory(
      w,
      gradeHistoryId(m, item.ordinal, s.index, 0),
      1,
      id,
      'aggregation',
      s.id,
      item.id,
      s.id,
      null,
      max,
      null,
      courseTotal(m, s.index, max),
      m.time.enddate,
    );
    ctx.counts.gradeHistoryEntries++;
    await w.maybeFlush();
  }
  w.close().close();
}

/** Renders an activity grades.xml (empty lists for ungraded modules). */
export async function renderActivityGrades(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  const { model: m } = ctx;
  w.open('activity_gradebook').open('grade_items');
  const item = a.gradeItem;
  if (item !== undefined) {
    writeItemHead(
      w,
      item,
      {
        categoryid: m.gradebook.categoryId,
        itemname: a.name,
        itemtype: 'mod',
        itemmodule: a.modname,
        iteminstance: a.instanceId,
        itemnumber: 0,
        idnumber: '',
      },
      item.grademax,
      a.added,
    );
    w.open('grade_grades');
    for (let k = 0; k < a.participants.length; k++) {
      const g = gradeOf(ctx, a, k);
      writeGrade(
        w,
        gradeGradeId(m, item.ordinal, g.student.index),
        g.student.id,
        g.value,
        item.grademax,
        g.modifier.id,
        g.value,
        g.created,
        g.time,
      );
      ctx.counts.gradeGrades++;
      await w.maybeFlush();
    }
    w.close().close();
  }
  w.close().empty('grade_letters').close();
}

/** Renders an activity grade_history.xml. */
export async function renderActivityGradeHistory(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  const { model: m } = ctx;
  w.open('grade_history').open('grade_grades');
  const item = a.gradeItem;
  if (item !== undefined) {
    const source = `mod/${a.modname}`;
    for (let k = 0; k < a.participants.length; k++) {
      const g = gradeOf(ctx, a, k);
      const oldid = gradeGradeId(m, item.ordinal, g.student.index);
      const hid = (row: number): number => gradeHistoryId(m, item.ordinal, g.student.index, row);
      const s = g.student;
      writeHistory(w, hid(0), 1, oldid, 'system', s.id, item.id, s.id, null, item.grademax, null, null, g.created);
      const regraded = a.modname === 'assign' && isRegraded(m, a, s.index);
      const first = regraded ? Math.max(0, g.value - 10) : g.value;
      writeHistory(
        w,
        hid(1),
        2,
        oldid,
        source,
        g.modifier.id,
        item.id,
        s.id,
        first,
        item.grademax,
        g.modifier.id,
        first,
        g.time,
      );
      ctx.counts.gradeHistoryEntries += 2;
      if (regraded) {
        writeHistory(
          w,
          hid(2),
          2,
          oldid,
          source,
          g.modifier.id,
          item.id,
          s.id,
          g.value,
          item.grademax,
          g.modifier.id,
          g.value,
          g.time + 600,
        );
        ctx.counts.gradeHistoryEntries++;
      }
      await w.maybeFlush();
    }
  }
  w.close().close();
}

// Internal helpers

interface GradeFacts {
  student: UserInfo;
  value: number;
  modifier: UserInfo;
  created: number;
  time: number;
}

function gradeOf(ctx: RenderContext, a: ActivityInfo, k: number): GradeFacts {
  const m = ctx.model;
  const student = m.students[a.participants[k] ?? 0] as UserInfo;
  if (a.modname === 'quiz') {
    const times = attemptTimes(m, a, k);
    return {
      student,
      value: quizGrade(m, a, student.index),
      modifier: student,
      created: times.start,
      time: times.finish,
    };
  }
  return {
    student,
    value: assignGrade(m, a, student.index),
    modifier: graderOf(m, a, k),
    created: activityOpens(m, a),
    time: gradedTime(m, a, k),
  };
}

function courseMax(ctx: RenderContext): number {
  return ctx.model.activities.reduce((sum, a) => sum + (a.gradeItem?.grademax ?? 0), 0);
}

function writeItemHead(
  w: XmlWriter,
  item: GradeItemInfo,
  head: Record<string, XmlLeafValue>,
  grademax: number,
  time: number,
): void {
  w.open('grade_item', { id: item.id }).leaves({
    ...head,
    iteminfo: null,
    calculation: null,
    gradetype: 1,
    grademax: decimal5(grademax),
    grademin: decimal5(0),
    scaleid: null,
    outcomeid: null,
    gradepass: decimal5(0),
    multfactor: decimal5(1),
    plusfactor: decimal5(0),
    aggregationcoef: decimal5(0),
    aggregationcoef2: decimal5(0),
    weightoverride: 0,
    sortorder: item.sortorder,
    display: 0,
    decimals: null,
    hidden: 0,
    locked: 0,
    locktime: 0,
    needsupdate: 0,
    timecreated: time,
    timemodified: time,
  });
}

function writeGrade(
  w: XmlWriter,
  id: number,
  userid: number,
  raw: number | null,
  max: number,
  usermodified: number | null,
  final: number | null,
  created: number | null,
  modified: number,
): void {
  w.open('grade_grade', { id })
    .leaves({
      userid,
      rawgrade: raw === null ? null : decimal5(raw),
      rawgrademax: decimal5(max),
      rawgrademin: decimal5(0),
      rawscaleid: null,
      usermodified,
      finalgrade: final === null ? null : decimal5(final),
      hidden: 0,
      locked: 0,
      locktime: 0,
      exported: 0,
      overridden: 0,
      excluded: 0,
      feedback: null,
      feedbackformat: 2,
      information: null,
      informationformat: 2,
      timecreated: created,
      timemodified: modified,
      aggregationstatus: raw === null ? 'unknown' : 'used',
      aggregationweight: raw === null ? null : decimal5(0.01),
    })
    .close();
}

function writeHistory(
  w: XmlWriter,
  id: number,
  action: number,
  oldid: number,
  source: string,
  loggeduser: number,
  itemid: number,
  userid: number,
  raw: number | null,
  max: number,
  usermodified: number | null,
  final: number | null,
  time: number,
): void {
  w.open('grade_grade', { id })
    .leaves({
      action,
      oldid,
      source,
      loggeduser,
      itemid,
      userid,
      rawgrade: raw === null ? null : decimal5(raw),
      rawgrademax: decimal5(max),
      rawgrademin: decimal5(0),
      rawscaleid: null,
      usermodified,
      finalgrade: final === null ? null : decimal5(final),
      hidden: 0,
      locked: 0,
      locktime: 0,
      exported: 0,
      overridden: 0,
      excluded: 0,
      feedback: null,
      feedbackformat: 2,
      information: null,
      informationformat: 2,
      timemodified: time,
    })
    .close();
}
