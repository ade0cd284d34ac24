/**
 * Grade history (§3.9, §5.10 of the format reference): root `grade_history.xml`
 * (`restore_grade_history_structure_step`, final task) and each included activity's `grade_history.xml`
 * (`restore_activity_grade_history_structure_step`), in `backup/moodle2/restore_stepslib.php`.
 * Path `/grade_history/grade_grades/grade_grade` → `grade_grades_history`.
 *
 * When: the stage needs `users` and `grade_histories` (`grade_histories` itself depends on `activities`).
 * The root file has the gradebook's conditions (no activity left out, no missing module) checked again when
 * its step runs, after the gradebook step: among them "at most one grade category in the course", so a
 * backup whose gradebook has categories of its own, restored by then, loses its root history (Moodle's
 * `restore_grade_history_structure_step::execute_condition()`). An activity's file needs that activity's user
 * data, as Moodle's `userinfo` check.
 *
 * Per row: skipped when its user was not restored (as Moodle); `itemid` → new grade item; `oldid` → the
 * new `grade_grades` row (id map `grade_grades`), 0 when that grade was not restored (Moodle stores its
 * `false`, i.e. 0, too); `usermodified` remapped (NULL when not restored, Moodle's `get_mappingid(…, null)`);
 * `rawscaleid` remapped, 0 when not restored or NULL in the backup (`get_mappingid('scale', …)` answers
 * `false`, stored as 0); no date shift ("history", and logs are immutable, MDL-44961).
 *
 * Departures from Moodle:
 * - a row whose grade item was not restored is skipped (Moodle stores `itemid` 0, a row about nothing);
 * - `loggeduser` is remapped too (NULL when that user was not restored): Moodle copies the source site's
 *   user id, which on another site names someone else;
 * Moodle's table also holds one row (action 1, source `restore`) per activity grade restored: the gradebook
 * stage writes those (`grade_grade::insert('restore')`, see `gradebook/history.ts`).
 * The `grade_grades_history` mapping and the `grade` / `historyfeedback` file area of activity rows are only
 * registered when the backup holds such files, to keep the id map small.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { num, text } from './support.ts';
import { registerGradeFileAreas } from './gradebook/feedback-files.ts';
import { hasMissingModules, includedActivities } from './task-targets.ts';

const GRADE = '/grade_history/grade_grades/grade_grade';

export const gradeHistoryStage = defineStage({
  name: 'grade-history',
  enabledBy: ['users', 'grade_histories'],
  reads: ['grade_history.xml', 'activities/*/grade_history.xml'],
  weight: 3,
  async run(ctx) {
    const files: { entry: string; activity: boolean }[] = [];
    if (
      ctx.source.has('grade_history.xml') &&
      !ctx.settings.excludesActivities &&
      !(await hasMissingModules(ctx)) &&
      (await gradeCategories(ctx)) <= 1
    ) {
      files.push({ entry: 'grade_history.xml', activity: false });
    }
    const activities = includedActivities(ctx);
    for (const activity of activities) {
      const entry = `${activity.directory}/grade_history.xml`;
      if (ctx.source.has(entry) && ctx.settings.activityUserinfo(activity.key)) files.push({ entry, activity: true });
    }
    const counts = { user: 0, item: 0 };
    const mapHistory = ctx.state.fileRecords.some((f) => f.component === 'grade' && f.filearea === 'historyfeedback');
    for (const [index, file] of files.entries()) {
      await restoreFile(ctx, file.entry, file.activity && mapHistory, counts);
      ctx.progress(index + 1, files.length);
    }
    if (mapHistory) await registerGradeFileAreas(ctx, activities, 'historyfeedback', 'grade_grades_history');
    if (counts.user > 0)
      ctx.warn(
        'grade-history-user-unmapped',
        `${counts.user} grade history rows belong to users who were not restored; they were skipped (as Moodle does).`,
      );
    if (counts.item > 0)
      ctx.warn(
        'grade-history-item-unmapped',
        `${counts.item} grade history rows belong to grade items that were not restored; they were skipped.`,
      );
  },
});

// Internal helpers

/** Grade categories of the new course (Moodle's `count_records('grade_categories', ['courseid' => …])`). */
async function gradeCategories(ctx: RestoreContext): Promise<number> {
  return (await ctx.rows.select('grade_categories', { courseid: ctx.state.courseId })).length;
}

async function restoreFile(
  ctx: RestoreContext,
  entry: string,
  mapHistory: boolean,
  skipped: { user: number; item: number },
): Promise<void> {
  const { ids } = ctx;
  for await (const record of ctx.source.records(entry, { paths: [GRADE] })) {
    const data = record.data;
    const userid = ids.get('user', text(data.userid));
    if (userid === undefined) {
      skipped.user++;
      continue;
    }
    const itemid = ids.get('grade_item', text(data.itemid));
    if (itemid === undefined) {
      skipped.item++;
      continue;
    }
    const id = await ctx.rows.insert('grade_grades_history', {
      ...data,
      userid,
      itemid,
      oldid: ids.get('grade_grades', text(data.oldid)) ?? 0,
      usermodified: ids.get('user', text(data.usermodified)) ?? null,
      loggeduser: ids.get('user', text(data.loggeduser)) ?? null,
      rawscaleid: ids.get('scale', text(data.rawscaleid)) ?? 0,
    });
    const oldId = num(data.id, NaN);
    if (mapHistory && Number.isFinite(oldId)) ids.set('grade_grades_history', oldId, id);
  }
}
