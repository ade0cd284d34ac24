/**
 * Runs Moodle's after-restore regrade (`regrade.ts`) over the new course's rows: the end of
 * `restore_gradebook_structure_step::after_execute()`, `grade_regrade_final_grades($this->get_courseid())`,
 * which only happens when gradebook.xml was restored. Grades are read one item at a time
 * (`ctx.rows.select('grade_grades', { itemid })`), only changed rows are written.
 *
 * Before it, `check_minmaxtouse()` of the same step (see {@link checkMinMaxToUse}). The history rows Moodle's
 * `grade_object::insert()/update()` writes during the regrade (`grade_grades_history`, and `grade_items_history`
 * when the schema has that table) are written when `ctx.state.restoreEvents` is on; the log stage turns them into
 * the regrade's events (`logs/regrade-events.ts`).
 *
 * Not modelled: `gradebook_calculation_freeze()` and `process_attributes()` of the step, which for backups of
 * 2.8–3.0 (or of a frozen gradebook) set the `gradebook_calculations_freeze_<courseid>` config that makes Moodle
 * keep its pre-2.8.7 algorithms; the current algorithms are used. `set_config('show_min_max_grades_changed_…')`
 * of `check_minmaxtouse()` (a notice flag) is not written either.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { MOODLE_TABLES } from '../../schema/moodle-schema.ts';
import {
  DEFAULT_REGRADE_SETTINGS,
  regradeCourse,
  type RegradeRow,
  type RegradeStore,
  type RegradeSummary,
} from './regrade.ts';

/** Regrades the restored course as Moodle does at the end of its gradebook restore. */
export async function regradeRestoredCourse(ctx: RestoreContext): Promise<RegradeSummary> {
  const { rows, state } = ctx;
  const courseid = state.courseId;
  const items = (await rows.select('grade_items', { courseid })) as RegradeRow[];
  const categories = (await rows.select('grade_categories', { courseid })) as RegradeRow[];
  // grade_get_setting($courseid, 'minmaxtouse', $CFG->grade_minmaxtouse), after check_minmaxtouse().
  const courseMinmax = await checkMinMaxToUse(ctx, items);
  const history = state.restoreEvents;
  const itemHistory = history && MOODLE_TABLES.some((t) => t.name === 'grade_items_history');
  const store: RegradeStore = {
    grades: async (itemid) => (await rows.select('grade_grades', { itemid })) as RegradeRow[],
    insertGrade: (row) => rows.insert('grade_grades', row),
    updateGrade: (id, changes) => rows.update('grade_grades', id, changes),
    updateItem: (id, changes) => rows.update('grade_items', id, changes),
    gradeHistory: async (row) => {
      if (history) await rows.insert('grade_grades_history', row);
    },
    itemHistory: async (row) => {
      if (itemHistory) await rows.insert('grade_items_history', row);
    },
  };
  const summary = await regradeCourse(items, categories, store, {
    ...DEFAULT_REGRADE_SETTINGS,
    minmaxtouse: courseMinmax ?? DEFAULT_REGRADE_SETTINGS.minmaxtouse,
    now: state.now,
    loggedUser: state.actingUserId,
  });
  if (summary.pendingItems.length > 0) {
    ctx.warn(
      'grade-regrade-pending',
      `${summary.pendingItems.length} grade items (a failing or random calculation and the totals depending on it) were not fully regraded; they keep needsupdate = 1, as Moodle leaves them, so Moodle regrades them on first use.`,
      'gradebook.xml',
    );
  }
  return summary;
}

// Internal helpers

/** `GRADE_MIN_MAX_FROM_GRADE_GRADE`. */
const MIN_MAX_FROM_GRADE_GRADE = 2;

/**
 * The course's `minmaxtouse` grade setting, after `restore_gradebook_structure_step::check_minmaxtouse()` (run just
 * before the regrade): a backup without the setting made by Moodle 2.8 (2014111000 ≤ version < 2014111006.05) or
 * 2.9 (2015051100 ≤ version < 2015060400.02), restored with users, whose grades disagree with their items' min or
 * max gets `minmaxtouse` = 2 (from the grade), the site's default being 1 (MDL-48618). Older backups would get 1 only
 * if the site's default were not 1. `undefined` when the course has no setting (the site's default applies).
 */
async function checkMinMaxToUse(ctx: RestoreContext, items: readonly RegradeRow[]): Promise<number | undefined> {
  const courseid = ctx.state.courseId;
  const [setting] = await ctx.rows.select('grade_settings', { courseid, name: 'minmaxtouse' });
  if (setting) return setting.value === null || setting.value === '' ? undefined : Number(setting.value);
  const version = Number(ctx.manifest.moodleVersion);
  const affected =
    (version >= 2014111000 && version < 2014111006.05) || (version >= 2015051100 && version < 2015060400.02);
  if (!affected || ctx.settings.root('users') === 0) return undefined;
  for (const item of items) {
    if (item.itemtype === 'course' || item.itemtype === 'category') continue;
    const grades = await ctx.rows.select('grade_grades', { itemid: Number(item.id) });
    if (
      grades.some(
        (g) => Number(g.rawgrademax) !== Number(item.grademax) || Number(g.rawgrademin) !== Number(item.grademin),
      )
    ) {
      await ctx.rows.insert('grade_settings', {
        courseid,
        name: 'minmaxtouse',
        value: String(MIN_MAX_FROM_GRADE_GRADE),
      });
      return MIN_MAX_FROM_GRADE_GRADE;
    }
  }
  return undefined;
}
