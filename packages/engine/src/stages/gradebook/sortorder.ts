/**
 * `grade_item::fix_duplicate_sortorder($courseid)` (`lib/grade/grade_item.php`), which
 * `restore_activity_grades_structure_step::after_restore()` runs at the very end of a restore with activities:
 * the items sharing a sortorder with another item of the course are listed once, highest sortorder and
 * highest id first, and for each of them every item of the course placed after it (a higher sortorder, or the
 * same sortorder and a higher id) moves down by one. Plain SQL in Moodle: no history, `timemodified` kept.
 * Items are few per course; they are read once and only the changed rows are written.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { num } from '../support.ts';

/** Gives the course's grade items distinct sortorders as Moodle's restore does; returns how many moved. */
export async function fixDuplicateSortorder(ctx: RestoreContext): Promise<number> {
  const items = (await ctx.rows.select('grade_items', { courseid: ctx.state.courseId })).map((row) => ({
    id: Number(row.id),
    sortorder: num(row.sortorder),
    before: num(row.sortorder),
  }));
  const used = new Map<number, number>();
  for (const item of items) used.set(item.sortorder, (used.get(item.sortorder) ?? 0) + 1);
  // The duplicates as the SELECT returns them, before any UPDATE (ORDER BY g1.sortorder DESC, g1.id DESC).
  const duplicates = items
    .filter((item) => used.get(item.sortorder)! > 1)
    .map((item) => ({ id: item.id, sortorder: item.sortorder }))
    .sort((a, b) => b.sortorder - a.sortorder || b.id - a.id);
  for (const duplicate of duplicates) {
    for (const item of items) {
      if (item.sortorder > duplicate.sortorder || (item.sortorder === duplicate.sortorder && item.id > duplicate.id))
        item.sortorder++;
    }
  }
  let moved = 0;
  for (const item of items) {
    if (item.sortorder === item.before) continue;
    await ctx.rows.update('grade_items', item.id, { sortorder: item.sortorder });
    moved++;
  }
  return moved;
}
