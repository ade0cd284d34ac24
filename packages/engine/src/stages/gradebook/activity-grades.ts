/**
 * Each included activity's `grades.xml`, after `restore_activity_grades_structure_step`
 * (`backup/moodle2/restore_stepslib.php`):
 * - grade items (`/activity_gradebook/grade_items/grade_item`): `iteminstance` = the activity's new
 *   instance (id map `<modname>`), `courseid` = the new course, `scaleid`/`outcomeid` remapped (`outcomeid`
 *   NULL when not restored; `scaleid` NULL unless graded with a scale — then 0 when not restored, else its
 *   item count sets grademax/grademin: `grade_item::load_scale()`), `idnumber` kept only when no other course
 *   module and no grade item of the course uses it, `timecreated`/`timemodified` = now (`grade_item::insert()`
 *   stamps them), sortorder kept,
 *   `needsupdate` = 1 (`grade_item::insert()` → `force_regrading()`; the final task's regrade clears it), and
 *   the insert and update Moodle makes are logged in `grade_items_history` (`GradebookWriter.insertActivityItem`).
 *   Moodle first files the item under the course category and, once gradebook.xml is restored, moves it to the
 *   mapped category of its old `categoryid` (kept as the mapping's parentitemid); the engine reads the
 *   categories before the activities' items, so the item is written in its final category at once;
 * - grades (with the activity's user data) for mapped users only (`gradebook-writer.ts`); Moodle's
 *   activity grades step keeps their dates unshifted, stores an unmapped `rawscaleid` as 0 and logs each
 *   grade in `grade_grades_history` (`grade_grade::insert('restore')`);
 * - letters (`/activity_gradebook/grade_letters/grade_letter`) in the activity's context, unless the
 *   same letter exists.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { num, text } from '../support.ts';
import { ContextLookup, type ActivityTask } from '../task-targets.ts';
import type { GradebookWriter } from './gradebook-writer.ts';

const ITEM = '/activity_gradebook/grade_items/grade_item';
const GRADE = '/activity_gradebook/grade_items/grade_item/grade_grades/grade_grade';
const LETTER = '/activity_gradebook/grade_letters/grade_letter';

/** Restores the `grades.xml` of every included activity. */
export async function restoreActivityGrades(
  ctx: RestoreContext,
  writer: GradebookWriter,
  activities: readonly ActivityTask[],
  onActivity: (done: number) => void,
): Promise<void> {
  const contexts = new ContextLookup(ctx);
  const cmIdnumbers = await courseModuleIdnumbers(ctx);
  for (const [index, activity] of activities.entries()) {
    const entry = `${activity.directory}/grades.xml`;
    if (ctx.source.has(entry)) await restoreOne(ctx, writer, contexts, cmIdnumbers, activity, entry);
    onActivity(index + 1);
  }
}

// Internal helpers

async function restoreOne(
  ctx: RestoreContext,
  writer: GradebookWriter,
  contexts: ContextLookup,
  cmIdnumbers: ReadonlyMap<string, ReadonlySet<number>>,
  activity: ActivityTask,
  entry: string,
): Promise<void> {
  const cmid = contexts.moduleId(activity);
  // An activity the activities stage did not restore (module not installed …) has no task in Moodle
  // either; that stage reports why.
  if (cmid === undefined) return;
  const userinfo = ctx.settings.activityUserinfo(activity.key);
  const paths = userinfo ? [ITEM, GRADE, LETTER] : [ITEM, LETTER];
  const items = new Map<number, number>();
  let contextId: number | undefined;
  for await (const record of ctx.source.records(entry, { paths })) {
    const data = record.data;
    if (record.path === ITEM) {
      const itemmodule = text(data.itemmodule) || activity.moduleName;
      const instance =
        ctx.ids.get(itemmodule, text(data.iteminstance)) ?? ctx.ids.get(activity.moduleName, text(data.iteminstance));
      if (instance === undefined) {
        ctx.warn(
          'grade-item-instance-unmapped',
          `Grade item ${text(data.id)} of ${activity.key} refers to ${itemmodule} ${text(data.iteminstance)}, which was not restored; it was skipped.`,
          entry,
        );
        continue;
      }
      const oldCategory = ctx.ids.get('grade_category', text(data.categoryid));
      const newId = await writer.insertActivityItem({
        ...data,
        courseid: ctx.state.courseId,
        categoryid: oldCategory ?? (await writer.courseCategory()),
        iteminstance: instance,
        idnumber: keptIdnumber(text(data.idnumber), cmid, cmIdnumbers, writer.idnumbers),
        // get_mappingid('scale', …) answers false when there is no mapping: stored as 0 on a scale item,
        // NULL on the others (load_scale() clears it).
        scaleid: writer.mapped('scale', data.scaleid) ?? 0,
        outcomeid: writer.mapped('outcome', data.outcomeid),
        timecreated: ctx.state.now,
        timemodified: ctx.state.now,
      });
      const oldId = num(data.id, NaN);
      if (Number.isFinite(oldId)) {
        items.set(oldId, newId);
        ctx.ids.set('grade_item', oldId, newId);
      }
    } else if (record.path === GRADE) {
      const itemId = items.get(num(record.parent?.data.id, NaN));
      if (itemId !== undefined) await writer.insertGrade(data, itemId, 'activity');
    } else {
      contextId ??= await contexts.activityContext(activity);
      if (contextId !== undefined) await writer.insertLetter(data, contextId);
    }
  }
}

/** Course module idnumbers of the new course → the course modules using them. */
async function courseModuleIdnumbers(ctx: RestoreContext): Promise<Map<string, Set<number>>> {
  const map = new Map<string, Set<number>>();
  for (const cm of await ctx.rows.select('course_modules', { course: ctx.state.courseId })) {
    const idnumber = text(cm.idnumber);
    if (idnumber === '') continue;
    let set = map.get(idnumber);
    if (!set) map.set(idnumber, (set = new Set()));
    set.add(Number(cm.id));
  }
  return map;
}

/** An item idnumber survives when no other course module and no grade item of the course has it; else NULL. */
function keptIdnumber(
  idnumber: string,
  cmid: number,
  cmIdnumbers: ReadonlyMap<string, ReadonlySet<number>>,
  used: ReadonlySet<string>,
): string | null {
  if (idnumber === '') return null;
  const cms = cmIdnumbers.get(idnumber);
  const otherCm = cms !== undefined && [...cms].some((id) => id !== cmid);
  return otherCm || used.has(idnumber) ? null : idnumber;
}
