/**
 * The events of the regrade that ends Moodle's gradebook step (`restore_gradebook_structure_step::after_execute()`
 * → `grade_regrade_final_grades()`, `lib/gradelib.php`; the gradebook stage's `gradebook/regrade-stage.ts`).
 * Moodle fires one event per grade object it updates through the grade API, and `grade_object::update()` writes
 * one history row per update (`lib/grade/grade_object.php`), so the regrade's history rows of this restore are
 * its events:
 *
 * - `grade_items_history` updates (action 2) other than the activity items' own `update('restore')` (logged by
 *   the restore-events stage): `grade_category::auto_update_weights()` → `grade_item::update()` (no source) and
 *   `auto_update_max()` → `update('aggregation')` (`lib/grade/grade_category.php`); each `grade_item::update()`
 *   fires `grade_item_updated` (`lib/grade/grade_item.php`).
 * - `grade_grades_history` updates of source `aggregation` (`grade_category::aggregate_grades()`), `system`
 *   (`grade_item::regrade_final_grades()`) and `compute` (`grade_item::compute()` → `use_formula()`): each is
 *   followed by `\core\event\user_graded::create_from_grade($grade, USER_OTHER)` (`compute`: as `$USER`).
 *   The rows `aggregate_grades()` inserts (action 1) and `locktime` updates fire nothing.
 *   other: `itemid` (a string, from the database), `overridden`, `finalgrade` (a PHP float; the stored value,
 *   5 decimals, where Moodle logs the unrounded float).
 *
 * The restore's own history rows are those stamped with the restore's time (`RestoreState.now`, Moodle's
 * `time()`), read through the `timemodified` index; the backup's grade history (grade_history.xml) is older.
 * Without history rows (the request's `restoreEvents` off turns both off) nothing is logged here.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { Row } from '../../storage/storage-adapter.ts';
import { MOODLE_TABLES } from '../../schema/moodle-schema.ts';
import { num, text } from '../support.ts';
import { PhpNumber } from '../../php/json.ts';
import { type LiveLog, USER_OTHER } from './live-log.ts';

/** `GRADE_HISTORY_UPDATE` (`lib/grade/constants.php`). */
const HISTORY_UPDATE = 2;

/** Sources of the grade updates that fire `user_graded`, and whether the event's user is `USER_OTHER`. */
const GRADED_SOURCES: ReadonlyMap<string, boolean> = new Map([
  ['aggregation', true],
  ['system', true],
  ['compute', false],
]);

export async function logRegradeEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const { state } = ctx;
  const items = new Map(
    (await ctx.rows.select('grade_items', { courseid: state.courseId })).map((row) => [Number(row.id), row]),
  );
  if (items.size === 0) return;
  const byId = (a: Row, b: Row) => Number(a.id) - Number(b.id);
  if (MOODLE_TABLES.some((t) => t.name === 'grade_items_history')) {
    const updates = (
      await ctx.rows.select('grade_items_history', { timemodified: state.now, action: HISTORY_UPDATE })
    ).sort(byId);
    for (const row of updates) {
      const item = items.get(Number(row.oldid));
      if (!item || text(row.source) === 'restore') continue;
      await log.write('grade_item_updated', {
        objectid: Number(item.id),
        other: { itemname: row.itemname ?? null, itemtype: text(row.itemtype), itemmodule: row.itemmodule ?? null },
      });
    }
  }
  const grades = (
    await ctx.rows.select('grade_grades_history', { timemodified: state.now, action: HISTORY_UPDATE })
  ).sort(byId);
  for (const row of grades) {
    const userOther = GRADED_SOURCES.get(text(row.source));
    if (userOther === undefined || !items.has(Number(row.itemid))) continue;
    const finalgrade =
      row.finalgrade === null || row.finalgrade === undefined ? null : new PhpNumber(Number(row.finalgrade), true);
    await log.write('user_graded', {
      objectid: Number(row.oldid),
      relateduserid: Number(row.userid),
      userid: userOther ? USER_OTHER : undefined,
      other: { itemid: String(row.itemid), overridden: num(row.overridden) !== 0, finalgrade },
    });
  }
}
