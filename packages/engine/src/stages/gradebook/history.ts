/**
 * The history rows Moodle's grade API writes while a course is restored. `grade_object::insert()` and
 * `grade_object::update()` (`lib/grade/grade_object.php`) log every insert and update of a grade, grade item or
 * grade category they make into `<table>_history`: the record as stored (`update_from_db()` after an insert)
 * without `timecreated`, plus `action` (GRADE_HISTORY_INSERT 1, GRADE_HISTORY_UPDATE 2), `oldid` = the row's
 * id, `source` (the caller's: `restore`, `system`, `aggregation` …), `timemodified` = now and `loggeduser` =
 * `$USER->id` (0 in a CLI restore; `RestoreState.actingUserId`). Columns the history table lacks
 * (`aggregationstatus`, `aggregationweight`, `timecreated`) are dropped as Moodle's `insert_record()` drops them.
 * Rows written through `$DB` directly (most of the final task's gradebook.xml step) have no history.
 *
 * Nothing is written when the request turns Moodle's own restore rows off (`RestoreState.restoreEvents` false):
 * the store then holds only what the backup carries.
 */
import type { RestoreContext } from '../../pipeline/context.ts';

/** `GRADE_HISTORY_INSERT` / `GRADE_HISTORY_UPDATE` (`lib/grade/constants.php`). */
export const GradeHistoryAction = { Insert: 1, Update: 2 } as const;
export type GradeHistoryAction = (typeof GradeHistoryAction)[keyof typeof GradeHistoryAction];

/** The tables with a `_history` twin. */
export type GradeHistoryTable = 'grade_grades' | 'grade_items' | 'grade_categories';

/**
 * Writes one history row of `table` for row `id` with the values `row` (as stored after the insert or update),
 * unless the request keeps Moodle's own restore rows out.
 */
export async function writeGradeHistory(
  ctx: RestoreContext,
  table: GradeHistoryTable,
  id: number,
  row: Readonly<Record<string, unknown>>,
  action: GradeHistoryAction,
  source: string | null,
): Promise<void> {
  if (!ctx.state.restoreEvents) return;
  await ctx.rows.insert(`${table}_history`, {
    ...row,
    action,
    oldid: id,
    source,
    timemodified: ctx.state.now,
    loggeduser: ctx.state.actingUserId,
  });
}
