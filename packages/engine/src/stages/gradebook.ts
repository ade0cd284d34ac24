/**
 * The gradebook (§3.9, §5.10 of the format reference): each included activity's `grades.xml`
 * (`restore_activity_grades_structure_step`, run by Moodle inside each activity task) and then, when
 * Moodle would run it, root `gradebook.xml` (`restore_gradebook_structure_step` in the final task), both in
 * `backup/moodle2/restore_stepslib.php`. Runs after the activities stage, which maps `<modname>` (old
 * instance → new instance) and `course_module`.
 *
 * gradebook.xml is restored only when the backup has it, no activity is left out
 * (`settings.excludesActivities`) and every module of the backup is installed in the store (Moodle's
 * `execute_condition()`; its other conditions — not the site course, at most one grade category in the
 * target — always hold for a new course). Order inside the stage: gradebook.xml's categories, the
 * activities' items and grades, gradebook.xml's items, grades, letters and settings, then the `##gi<id>##`
 * rewrite of calculations, the regrade, and last `grade_item::fix_duplicate_sortorder()` (the activity grades
 * step's `after_restore()`, `gradebook/sortorder.ts`). Reading the categories first lets activity items be
 * written in their final category instead of being moved afterwards as Moodle does; the rows are the same.
 *
 * History: the rows Moodle's grade API logs while restoring — the course category's and course item's
 * creation (`grade_categories_history`, `grade_items_history`, source `system`), each activity item's insert
 * and update and each activity grade's insert (source `restore`) — are written as Moodle writes them
 * (`gradebook/history.ts`, `gradebook/gradebook-writer.ts`), unless the request turns Moodle's own restore
 * rows off (`restoreEvents`).
 *
 * Departures from Moodle (each explained in the helper that does it): an unexpected item type in
 * gradebook.xml is skipped with a warning instead of failing the restore; a non-zero `rawscaleid` of a
 * gradebook.xml grade is remapped instead of copied.
 *
 * Maps `grade_item`, `grade_category`, `grade_grades` (Moodle's name; `grade_grade` too), and registers
 * the activities' grade feedback file areas for the files stage.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import { restoreActivityGrades } from './gradebook/activity-grades.ts';
import { restoreGradeCategories } from './gradebook/grade-categories.ts';
import { registerGradeFileAreas } from './gradebook/feedback-files.ts';
import { GradebookWriter } from './gradebook/gradebook-writer.ts';
import { restoreGradebookXml } from './gradebook/gradebook-xml.ts';
import { regradeRestoredCourse } from './gradebook/regrade-stage.ts';
import { fixDuplicateSortorder } from './gradebook/sortorder.ts';
import { hasMissingModules, includedActivities } from './task-targets.ts';

export const gradebookStage = defineStage({
  name: 'gradebook',
  enabledBy: ['activities'],
  reads: ['activities/*/grades.xml', 'gradebook.xml'],
  weight: 4,
  async run(ctx) {
    const activities = includedActivities(ctx);
    const total = activities.length + 2;
    const withGradebookXml =
      ctx.source.has('gradebook.xml') && !ctx.settings.excludesActivities && !(await hasMissingModules(ctx));
    const writer = new GradebookWriter(ctx);
    if (withGradebookXml) await restoreGradeCategories(ctx, writer);
    ctx.progress(1, total);
    await restoreActivityGrades(ctx, writer, activities, (done) => ctx.progress(1 + done, total));
    if (withGradebookXml) await restoreGradebookXml(ctx, writer);
    await writer.finish();
    // restore_gradebook_structure_step::after_execute() ends with grade_regrade_final_grades($courseid).
    if (withGradebookXml) await regradeRestoredCourse(ctx);
    // restore_activity_grades_structure_step::after_restore(), at the end of a restore with activities.
    if (activities.length > 0) await fixDuplicateSortorder(ctx);
    await registerGradeFileAreas(ctx, activities, 'feedback', 'grade_grades');
    if (writer.skippedGrades > 0) {
      ctx.warn(
        'grade-user-unmapped',
        `${writer.skippedGrades} grades belong to users who were not restored; they were skipped (as Moodle does).`,
      );
    }
    ctx.progress(total, total);
  },
});
