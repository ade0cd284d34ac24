/**
 * Scales and outcomes: root `scales.xml` and `outcomes.xml` (§3.7 of the format reference). Follows
 * `restore_scales_structure_step::process_scale()` and `restore_outcomes_structure_step::process_outcome()`
 * (`backup/moodle2/restore_stepslib.php`):
 * - a scale is matched by its `scale` text among the site's standard scales (courseid 0) and the new
 *   course's scales, standard ones first; otherwise it is created, in the new course when it was a course
 *   scale in the backup and at site level (courseid 0) when it was standard; `userid` is mapped, else the
 *   restoring user;
 * - an outcome is matched by `shortname` among site outcomes (courseid NULL) and the course's, site first;
 *   otherwise created the same way (`usermodified` mapped else the restorer, `scaleid` remapped, courseid
 *   NULL for a site outcome); every outcome gets its `grade_outcomes_courses` row for the new course.
 * Maps `scale` and `outcome`, and registers their file areas (component `grade`, areas `scale` /
 * `outcome` at the old system context) for the files stage.
 *
 * Moodle falls back to a course scale/outcome when the restoring user lacks `moodle/course:managescales`
 * / `moodle/grade:manageoutcomes` at system level; the engine restores as the store's admin, who has them.
 * Not users-gated; no setting.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { num, text } from './support.ts';

export const scalesStage = defineStage({
  name: 'scales',
  enabledBy: [],
  reads: ['scales.xml', 'outcomes.xml'],
  weight: 1,
  async run(ctx) {
    await restoreScales(ctx);
    ctx.progress(1, 2);
    await restoreOutcomes(ctx);
    // `add_related_files('grade', 'scale'|'outcome', …)` at the old system context. Moodle restores the
    // files of created scales only; matched ones come along here, and the files stage keeps existing files.
    const system = ctx.manifest.originalSystemContextId;
    if (system) {
      ctx.state.fileAreas.push({ component: 'grade', filearea: 'scale', itemname: 'scale', oldContextId: system });
      ctx.state.fileAreas.push({ component: 'grade', filearea: 'outcome', itemname: 'outcome', oldContextId: system });
    }
    ctx.progress(2, 2);
  },
});

// Internal helpers

async function restoreScales(ctx: RestoreContext): Promise<void> {
  const courseId = ctx.state.courseId;
  // Scale text → id, standard scales first (Moodle orders the match by courseid), then the course's.
  const standard = firstById(await ctx.rows.select('scale', { courseid: 0 }), (r) => String(r.scale ?? ''));
  const course = firstById(await ctx.rows.select('scale', { courseid: courseId }), (r) => String(r.scale ?? ''));
  for await (const record of ctx.source.records('scales.xml', { paths: ['/scales_definition/scale'] })) {
    const data = record.data;
    const oldId = num(data.id, NaN);
    if (!Number.isFinite(oldId)) {
      ctx.warn('scale-without-id', 'A scale in scales.xml has no id; it was skipped.', 'scales.xml');
      continue;
    }
    const scale = text(data.scale);
    let newId = standard.get(scale) ?? course.get(scale);
    if (newId === undefined) {
      const isCourseScale = num(data.courseid) !== 0;
      newId = await ctx.rows.insert('scale', {
        ...data,
        courseid: isCourseScale ? courseId : 0,
        userid: ctx.ids.get('user', text(data.userid)) ?? ctx.state.restorerUserId,
      });
      (isCourseScale ? course : standard).set(scale, newId);
    }
    ctx.ids.set('scale', oldId, newId);
  }
}

async function restoreOutcomes(ctx: RestoreContext): Promise<void> {
  const courseId = ctx.state.courseId;
  const site = firstById(await ctx.rows.select('grade_outcomes', { courseid: null }), (r) => String(r.shortname ?? ''));
  const course = firstById(await ctx.rows.select('grade_outcomes', { courseid: courseId }), (r) =>
    String(r.shortname ?? ''),
  );
  const linked = new Set(
    (await ctx.rows.select('grade_outcomes_courses', { courseid: courseId })).map((r) => Number(r.outcomeid)),
  );
  for await (const record of ctx.source.records('outcomes.xml', { paths: ['/outcomes_definition/outcome'] })) {
    const data = record.data;
    const oldId = num(data.id, NaN);
    if (!Number.isFinite(oldId)) {
      ctx.warn('outcome-without-id', 'An outcome in outcomes.xml has no id; it was skipped.', 'outcomes.xml');
      continue;
    }
    const shortname = text(data.shortname);
    let newId = site.get(shortname) ?? course.get(shortname);
    if (newId === undefined) {
      const isCourseOutcome = num(data.courseid) !== 0;
      newId = await ctx.rows.insert('grade_outcomes', {
        ...data,
        courseid: isCourseOutcome ? courseId : null,
        usermodified: ctx.ids.get('user', text(data.usermodified)) ?? ctx.state.restorerUserId,
        scaleid: ctx.ids.get('scale', text(data.scaleid)) ?? null,
      });
      (isCourseOutcome ? course : site).set(shortname, newId);
    }
    if (!linked.has(newId)) {
      await ctx.rows.insert('grade_outcomes_courses', { courseid: courseId, outcomeid: newId });
      linked.add(newId);
    }
    ctx.ids.set('outcome', oldId, newId);
  }
}

/** Key → id of the lowest-id row with that key (rows come ordered by id). */
function firstById(
  rows: readonly Record<string, unknown>[],
  key: (row: Record<string, unknown>) => string,
): Map<string, number> {
  const map = new Map<string, number>();
  for (const row of rows) if (!map.has(key(row))) map.set(key(row), Number(row.id));
  return map;
}
