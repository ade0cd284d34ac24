/**
 * The items, grades, letters and settings of root `gradebook.xml`, after
 * `restore_gradebook_structure_step` (`process_grade_item`, `process_grade_grade`, `process_grade_letter`,
 * `process_grade_setting`; categories are in `grade-categories.ts`):
 * - the `course` item becomes the course item (iteminstance = course category);
 * - a `manual` item goes to its mapped category (else the course category) and is not duplicated when the
 *   course already has a manual item of that name in that category;
 * - a `category` item gets iteminstance = its mapped category;
 * - any other type is not expected there (Moodle throws `unexpected_grade_item_type`; the engine warns and
 *   skips the item, so one odd record does not lose the course);
 * - `scaleid`/`outcomeid` remapped, `locktime` shifted, other dates kept; course, category and manual items
 *   are marked `needsupdate` (`after_execute()` marks every item whose mapping has no parentitemid, i.e. all
 *   of gradebook.xml's; the regrade that follows clears it);
 * - grades (with `users` on) for mapped users, `locktime` shifted;
 * - every row here goes through `$DB` in Moodle, so none has a history row;
 * - letters in the course context unless identical ones exist; settings unless the name exists
 *   (`minmaxtouse` is restored too: this is a new course, not a merge).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num, text } from '../support.ts';
import type { GradebookWriter } from './gradebook-writer.ts';

const ENTRY = 'gradebook.xml';
const ITEM = '/gradebook/grade_items/grade_item';
const GRADE = '/gradebook/grade_items/grade_item/grade_grades/grade_grade';
const LETTER = '/gradebook/grade_letters/grade_letter';
const SETTING = '/gradebook/grade_settings/grade_setting';

/** Restores the items, grades, letters and settings of gradebook.xml. */
export async function restoreGradebookXml(ctx: RestoreContext, writer: GradebookWriter): Promise<void> {
  const users = ctx.settings.root('users') !== 0;
  const paths = users ? [ITEM, GRADE, LETTER, SETTING] : [ITEM, LETTER, SETTING];
  const items = new Map<number, number>();
  const manual = new Map<string, number>();
  const settings = new Set<string>();
  for await (const record of ctx.source.records(ENTRY, { paths })) {
    const data = record.data;
    if (record.path === ITEM) {
      const newId = await restoreItem(ctx, writer, data, manual);
      const oldId = num(data.id, NaN);
      if (newId !== undefined && Number.isFinite(oldId)) {
        items.set(oldId, newId);
        ctx.ids.set('grade_item', oldId, newId);
      }
    } else if (record.path === GRADE) {
      const itemId = items.get(num(record.parent?.data.id, NaN));
      if (itemId !== undefined) await writer.insertGrade(data, itemId, 'gradebook');
    } else if (record.path === LETTER) {
      await writer.insertLetter(data, ctx.state.courseContextId);
    } else {
      const name = text(data.name);
      if (settings.has(name)) continue;
      settings.add(name);
      await ctx.rows.insert('grade_settings', { courseid: ctx.state.courseId, name, value: data.value ?? null });
    }
  }
}

// Internal helpers

async function restoreItem(
  ctx: RestoreContext,
  writer: GradebookWriter,
  data: XmlObject,
  manual: Map<string, number>,
): Promise<number | undefined> {
  const itemtype = text(data.itemtype);
  const common = {
    ...data,
    courseid: ctx.state.courseId,
    scaleid: writer.mapped('scale', data.scaleid),
    outcomeid: writer.mapped('outcome', data.outcomeid),
    locktime: ctx.shiftDate(data.locktime) ?? 0,
  };
  const courseCategory = await writer.courseCategory();
  switch (itemtype) {
    case 'course': {
      const id = await writer.restoreCourseItem(common);
      if (id === undefined) {
        ctx.warn(
          'grade-item-extra-course-item',
          `gradebook.xml has more than one course item; item ${text(data.id)} was mapped to the first.`,
          ENTRY,
        );
        return writer.courseItemId;
      }
      return id;
    }
    case 'manual': {
      const categoryid = ctx.ids.get('grade_category', text(data.categoryid)) ?? courseCategory;
      const key = `${text(data.itemname)}\u0000${categoryid}`;
      const existing = manual.get(key);
      if (existing !== undefined) return existing;
      // after_execute() marks every gradebook.xml item (no parentitemid in its mapping) needsupdate = 1.
      const id = await writer.insertItem({ ...common, categoryid, needsupdate: 1 });
      manual.set(key, id);
      return id;
    }
    case 'category':
      return writer.insertItem({
        ...common,
        iteminstance: ctx.ids.get('grade_category', text(data.iteminstance)) ?? null,
        needsupdate: 1,
      });
    default:
      ctx.warn(
        'grade-item-unexpected-type',
        `gradebook.xml item ${text(data.id)} has item type "${itemtype}", which only activities' grades.xml may hold; it was skipped.`,
        ENTRY,
      );
      return undefined;
  }
}
