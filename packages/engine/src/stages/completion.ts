/**
 * Completion (§3.10, §5.12 of the format reference), after `backup/moodle2/restore_stepslib.php`:
 * - `course/completiondefaults.xml` → `course_completion_defaults` (`restore_completion_defaults_structure_step`):
 *   module matched by `modulename` among installed modules (skipped otherwise), not duplicated per module;
 * - root `completion.xml` → course completion (`restore_course_completion_structure_step`), only when no
 *   activity is left out and no module is missing (its other conditions hold for a new course on a site
 *   with completion enabled): criteria (role by `roleshortname` else the role map, `moduleinstance` by the
 *   course module map, `courseinstanceshortname` by course shortname; a criterion that cannot be matched is
 *   skipped; `timeend` shifted), aggregation methods once per criteria type, and with `userscompletion`
 *   the users' criteria completions and course completions (mapped users only). Maps
 *   `course_completion_criteria`;
 * - each included activity's `completion.xml` with `userscompletion` (`restore_userscompletion_structure_step`):
 *   `/completions/completion` → `course_modules_completion` (coursemoduleid = new cm; one row per user and
 *   cm, a later `timemodified` wins) and `/completions/completionviews/completionview` → `course_modules_viewed`.
 *
 * Departures from Moodle:
 * - a completion row whose user was not restored is skipped, but for one case Moodle's CLI restore has: a backup
 *   made without users that still says `userscompletion` 1 and carries completion rows (Moodle's CLI backup writes
 *   such files). Moodle enforces a setting's dependencies only when a value changes (`base_setting::set_value()` →
 *   `setting_dependency::process_change()`), so with `users` left at the backup's 0 `userscompletion` stays on, and
 *   `restore_userscompletion_structure_step::process_completion()` stores the rows with the failed user mapping as
 *   user 0, later rows of the activity updating the first: one row per activity with user 0 (10 rows in
 *   `gen_s_nousers`, see ../shared/fixtures/generated/README.md). The engine writes the same rows there;
 * - activity rows also need the activity's user data (`<mod>_<cmid>_userinfo`): Moodle gates them by the
 *   root `userscompletion` only, but a user who switches off an activity's user data expects none of it;
 * - `overrideby` is remapped (NULL when not restored); Moodle copies the source id.
 * The user parts check `userscompletion` inside the stage because its other parts (defaults, criteria)
 * do not depend on it.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { num, text } from './support.ts';
import { ContextLookup, hasMissingModules, includedActivities, type ActivityTask } from './task-targets.ts';

const DEFAULTS = '/course_completion_defaults/course_completion_default';
const CRITERIA = '/course_completion/course_completion_criteria';
const CRIT_COMPL =
  '/course_completion/course_completion_criteria/course_completion_crit_completions/course_completion_crit_compl';
const AGGR = '/course_completion/course_completion_aggr_methd';
const COMPLETIONS = '/course_completion/course_completions';
const COMPLETION = '/completions/completion';
const VIEW = '/completions/completionviews/completionview';

export const completionStage = defineStage({
  name: 'completion',
  enabledBy: [],
  reads: ['course/completiondefaults.xml', 'completion.xml', 'activities/*/completion.xml'],
  weight: 2,
  async run(ctx) {
    await restoreDefaults(ctx);
    const users = ctx.settings.root('userscompletion') !== 0;
    if (ctx.source.has('completion.xml') && !ctx.settings.excludesActivities && !(await hasMissingModules(ctx))) {
      await restoreCourseCompletion(ctx, users);
    }
    const withoutUsers = keptWithoutUsers(ctx);
    if (!users && !withoutUsers) return;
    const activities = includedActivities(ctx).filter((a) => withoutUsers || ctx.settings.activityUserinfo(a.key));
    const contexts = new ContextLookup(ctx);
    let skipped = 0;
    for (const [index, activity] of activities.entries()) {
      skipped += await restoreActivityCompletion(ctx, contexts, activity, withoutUsers);
      ctx.progress(index + 1, activities.length);
    }
    if (skipped > 0)
      ctx.warn(
        'completion-user-unmapped',
        `${skipped} activity completion rows belong to users who were not restored; they were skipped.`,
      );
  },
});

// Internal helpers

/**
 * True when Moodle's restore would keep `userscompletion` on in a restore without users (see the header): the backup
 * has no users but says `userscompletion` 1, and the caller asked for it (or left it at its default of 1) rather than
 * turning it off. Only then are completion rows written with user 0.
 */
function keptWithoutUsers(ctx: RestoreContext): boolean {
  const users = ctx.settings.resolution('users');
  const completion = ctx.settings.resolution('userscompletion');
  if (!users || !completion || users.value !== 0 || users.status !== 'capped') return false;
  return (
    completion.status === 'locked' &&
    completion.by === 'users' &&
    (completion.requested ?? completion.defaultValue) === 1
  );
}

async function restoreDefaults(ctx: RestoreContext): Promise<void> {
  const entry = 'course/completiondefaults.xml';
  if (!ctx.source.has(entry)) return;
  const modules = new Map((await ctx.rows.select('modules')).map((m) => [String(m.name), Number(m.id)]));
  const done = new Set<number>();
  for await (const record of ctx.source.records(entry, { paths: [DEFAULTS] })) {
    const module = modules.get(text(record.data.modulename));
    if (module === undefined || done.has(module)) continue;
    done.add(module);
    await ctx.rows.insert('course_completion_defaults', { ...record.data, course: ctx.state.courseId, module });
  }
}

async function restoreCourseCompletion(ctx: RestoreContext, users: boolean): Promise<void> {
  const courseId = ctx.state.courseId;
  const paths = users ? [CRITERIA, CRIT_COMPL, AGGR, COMPLETIONS] : [CRITERIA, AGGR];
  const roles = new Map<string, number | undefined>();
  const courses = new Map<string, number | undefined>();
  const methods = new Set<string>();
  const critCompl = new Set<string>();
  const completions = new Map<number, number>();
  for await (const record of ctx.source.records('completion.xml', { paths })) {
    const data = record.data;
    if (record.path === CRITERIA) {
      const row = await criterion(ctx, data, roles, courses);
      if (row)
        ctx.ids.set(
          'course_completion_criteria',
          num(data.id),
          await ctx.rows.insert('course_completion_criteria', row),
        );
    } else if (record.path === AGGR) {
      const key = text(data.criteriatype);
      if (methods.has(key)) continue;
      methods.add(key);
      await ctx.rows.insert('course_completion_aggr_methd', {
        course: courseId,
        criteriatype: data.criteriatype ?? null,
        method: data.method ?? 0,
        value: data.value ?? null,
      });
    } else if (record.path === CRIT_COMPL) {
      const criteriaid = ctx.ids.get('course_completion_criteria', text(data.criteriaid));
      const userid = ctx.ids.get('user', text(data.userid));
      const key = `${userid}:${criteriaid}`;
      if (criteriaid === undefined || userid === undefined || critCompl.has(key)) continue;
      critCompl.add(key);
      await ctx.rows.insert('course_completion_crit_compl', {
        userid,
        course: courseId,
        criteriaid,
        timecompleted: data.timecompleted ?? null,
        gradefinal: data.gradefinal ?? null,
        unenroled: data.unenroled ?? null,
      });
    } else {
      const userid = ctx.ids.get('user', text(data.userid));
      if (userid === undefined) continue;
      const row = {
        userid,
        course: courseId,
        timeenrolled: data.timeenrolled ?? 0,
        timestarted: data.timestarted ?? 0,
        timecompleted: data.timecompleted ?? null,
        reaggregate: data.reaggregate ?? 0,
      };
      const existing = completions.get(userid);
      // MDL-46651: a second record for the user replaces the first.
      if (existing !== undefined) await ctx.rows.update('course_completions', existing, row);
      else completions.set(userid, await ctx.rows.insert('course_completions', row));
    }
  }
}

/** `process_course_completion_criteria()`: the row, or `undefined` when something cannot be matched. */
async function criterion(
  ctx: RestoreContext,
  data: XmlObject,
  roles: Map<string, number | undefined>,
  courses: Map<string, number | undefined>,
): Promise<Record<string, unknown> | undefined> {
  let role: number | null = null;
  if (text(data.role) !== '') {
    const shortname = text(data.roleshortname);
    if (shortname !== '') {
      if (!roles.has(shortname)) {
        const [row] = await ctx.rows.select('role', { shortname }, { limit: 1 });
        roles.set(shortname, row ? Number(row.id) : undefined);
      }
      role = roles.get(shortname) ?? null;
    } else {
      role = ctx.ids.get('role', text(data.role)) ?? null;
    }
    if (!role) return skip(ctx, 'its role');
  }
  let module: string | null = null;
  let moduleinstance: number | null = null;
  if (text(data.module) !== '' && num(data.moduleinstance) !== 0) {
    moduleinstance = ctx.ids.get('course_module', text(data.moduleinstance)) ?? null;
    if (moduleinstance === null) return skip(ctx, 'its course module');
    module = text(data.module);
  }
  let courseinstance: number | null = null;
  const shortname = text(data.courseinstanceshortname);
  if (shortname !== '') {
    if (!courses.has(shortname)) {
      const [row] = await ctx.rows.select('course', { shortname }, { limit: 1 });
      courses.set(shortname, row ? Number(row.id) : undefined);
    }
    courseinstance = courses.get(shortname) ?? null;
    if (courseinstance === null) return skip(ctx, 'its course');
  }
  return {
    course: ctx.state.courseId,
    criteriatype: data.criteriatype ?? 0,
    enrolperiod: data.enrolperiod ?? null,
    courseinstance,
    module,
    moduleinstance,
    timeend: ctx.shiftDate(data.timeend),
    gradepass: data.gradepass ?? null,
    role,
  };
}

function skip(ctx: RestoreContext, what: string): undefined {
  ctx.warn(
    'completion-criterion-unmatched',
    `A course completion criterion was skipped: ${what} could not be matched in the store.`,
    'completion.xml',
  );
  return undefined;
}

/** One activity's completion.xml; returns how many rows were skipped for an unmapped user. */
async function restoreActivityCompletion(
  ctx: RestoreContext,
  contexts: ContextLookup,
  activity: ActivityTask,
  withoutUsers: boolean,
): Promise<number> {
  const entry = `${activity.directory}/completion.xml`;
  if (!ctx.source.has(entry)) return 0;
  const cmid = contexts.moduleId(activity);
  // Not restored by the activities stage (which reports why): Moodle has no task for it either.
  if (cmid === undefined) return 0;
  let skipped = 0;
  const states = new Map<number, { id: number; timemodified: number }>();
  const viewed = new Set<number>();
  for await (const record of ctx.source.records(entry, { paths: [COMPLETION, VIEW] })) {
    const data = record.data;
    const userid = ctx.ids.get('user', text(data.userid)) ?? (withoutUsers ? 0 : undefined);
    if (userid === undefined || (userid === 0 && record.path === VIEW)) {
      skipped++;
      continue;
    }
    if (record.path === VIEW) {
      if (viewed.has(userid)) continue;
      viewed.add(userid);
      await ctx.rows.insert('course_modules_viewed', {
        coursemoduleid: cmid,
        userid,
        timecreated: data.timecreated ?? 0,
      });
      continue;
    }
    const row = {
      coursemoduleid: cmid,
      userid,
      completionstate: data.completionstate ?? 0,
      overrideby: ctx.ids.get('user', text(data.overrideby)) ?? null,
      timemodified: num(data.timemodified),
    };
    const existing = states.get(userid);
    if (existing === undefined) {
      states.set(userid, {
        id: await ctx.rows.insert('course_modules_completion', row),
        timemodified: row.timemodified,
      });
    } else if (existing.timemodified < row.timemodified) {
      existing.timemodified = row.timemodified;
      await ctx.rows.update('course_modules_completion', existing.id, row);
    }
  }
  return skipped;
}
