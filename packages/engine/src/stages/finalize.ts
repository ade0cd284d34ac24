/**
 * What Moodle's final task does last for sections and modules:
 * - `restore_update_availability` (`\core_availability\info::update_after_restore()`): the source ids inside the
 *   availability JSON of every restored module and section are remapped (activities, grade items, groups,
 *   groupings; date conditions shifted); an id that cannot be mapped becomes 0 with an
 *   `availability-condition-unmapped` warning, as Moodle logs one.
 * - `restore_rebuild_course_cache`: every section number from 0 to the highest one gets a row (install.xml
 *   defaults: no name or summary, summaryformat 0, visible) if it has none.
 * Section sequences are written by the activities stage.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { disabledModules, loadCourseItems, remapAvailability } from './activities/availability.ts';

export const finalizeStage = defineStage({
  name: 'finalize',
  enabledBy: [],
  reads: [],
  weight: 1,
  async run(ctx) {
    await remapAll(ctx, 'course_modules', 'course');
    await remapAll(ctx, 'course_sections', 'course');
    await createMissingSections(ctx);
  },
});

// Internal helpers

async function remapAll(
  ctx: RestoreContext,
  table: 'course_modules' | 'course_sections',
  courseColumn: string,
): Promise<void> {
  const existing = await loadCourseItems(ctx);
  const disabled = await disabledModules(ctx);
  for (const row of await ctx.rows.select(table, { [courseColumn]: ctx.state.courseId })) {
    if (typeof row.availability !== 'string' || row.availability === '') continue;
    if (table === 'course_modules' && disabled.has(Number(row.module))) continue;
    const what = table === 'course_modules' ? `course module ${String(row.id)}` : `section ${String(row.section)}`;
    const remapped = remapAvailability(
      ctx,
      row.availability,
      (kind, oldId) =>
        ctx.warn(
          'availability-condition-unmapped',
          `The access restriction of ${what} refers to ${kind} ${oldId}, which was not restored; the condition can no longer be met.`,
        ),
      existing,
    );
    if (remapped !== undefined) await ctx.rows.update(table, Number(row.id), { availability: remapped });
  }
}

/**
 * Highest section number gaps are filled up to. Moodle fills every gap (`course_create_sections_if_missing`),
 * but a damaged or hostile section.xml numbered 999999 would then mean a million empty rows.
 */
const MAX_FILLED_SECTION = 1000;

async function createMissingSections(ctx: RestoreContext): Promise<void> {
  const numbers = new Set(
    (await ctx.rows.select('course_sections', { course: ctx.state.courseId })).map((s) => Number(s.section)),
  );
  let max = 0;
  for (const n of numbers) if (Number.isSafeInteger(n) && n > max) max = n;
  if (max > MAX_FILLED_SECTION) {
    ctx.warn(
      'section-number-too-large',
      `A section of the backup is numbered ${max}; empty sections are added to fill gaps only up to number ${MAX_FILLED_SECTION} (a real course has far fewer sections).`,
    );
    max = MAX_FILLED_SECTION;
  }
  for (let section = 0; section <= max; section++) {
    if (numbers.has(section)) continue;
    // restore_rebuild_course_cache inserts only (course, section): the other columns take install.xml's defaults
    // (summary and name NULL, summaryformat 0, visible 1). Departure: sequence '' instead of NULL (both mean no
    // module; the engine's readers of sequences expect text).
    await ctx.rows.insert('course_sections', {
      course: ctx.state.courseId,
      section,
      name: null,
      summary: null,
      summaryformat: 0,
      sequence: '',
      visible: 1,
      timemodified: ctx.state.now,
    });
  }
}
