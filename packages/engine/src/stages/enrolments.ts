/**
 * Enrolment methods and user enrolments of the new course. Follows `restore_course_task::build()` (which
 * step runs), `restore_enrolments_structure_step` and `restore_default_enrolments_step`
 * (`backup/moodle2/restore_stepslib.php`) with the `enrolments` setting (§5.7):
 *
 * - users off, `enrolments` = 2 (always): the instances of course/enrolments.xml, no user enrolments.
 * - users off otherwise: the default instances of a new course, as `enrol_course_updated()` makes them:
 *   each enabled plugin whose `defaultenrol` is on adds its default instance. On a Moodle 4.3 with
 *   default settings that is `manual` (enabled, role student), `guest` (disabled) and `self` (disabled),
 *   in that order; `cohort` has no default instance.
 * - users on: the instances and their user enrolments (of mapped users only). With `enrolments` = 0
 *   (never) every instance is converted into the course's one manual instance (created from the first
 *   manual instance of the backup, else with the manual defaults) and all its users enrolled there.
 * - no course/enrolments.xml (an activity backup): nothing, as Moodle's `execute_condition()`.
 *
 * `roleid` is remapped through the `role` map (0 when the role was skipped); instances are mapped under
 * `enrol` (a guest instance maps to nothing, as in `enrol_guest::restore_instance()`). No date shifting:
 * Moodle applies none to enrolment dates.
 *
 * Departures from Moodle: plugins other than manual, guest and self are skipped with a warning even when
 * the store's `enrol_plugins_enabled` config lists them (cohort and meta need the site's cohorts and
 * courses, which the engine does not model; Moodle skips cohort instances of another site too). Plugin
 * settings are Moodle's defaults.
 */
import { EnrolMode } from '../options/restore-options.ts';
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import {
  CourseEnrolments,
  DEFAULT_ENABLED_PLUGINS,
  RESTORABLE_PLUGINS,
  type EnrolInstance,
} from './enrolments/course-enrolments.ts';
import { num, text } from './support.ts';

const ENROLMENTS_XML = 'course/enrolments.xml';
const ENROL_PATH = '/enrolments/enrols/enrol';
const USER_ENROLMENT_PATH = '/enrolments/enrols/enrol/user_enrolments/enrolment';

export const enrolmentsStage = defineStage({
  name: 'enrolments',
  enabledBy: [],
  reads: [ENROLMENTS_XML],
  weight: 2,
  async run(ctx) {
    const users = ctx.settings.root('users') !== 0;
    const mode = ctx.settings.root('enrolments');
    const enabled = await enabledPlugins(ctx);
    const course = await CourseEnrolments.load(ctx, ctx.state.courseId);
    if (!users && mode !== EnrolMode.Always) {
      await addDefaultInstances(course, enabled);
    } else if (ctx.source.has(ENROLMENTS_XML)) {
      const convertToManual = (!users && mode === EnrolMode.WithUsers) || mode === EnrolMode.Never;
      await restoreEnrolments(ctx, course, enabled, { users, convertToManual });
    }
    ctx.progress(1, 1);
  },
});

// Internal helpers

/** `restore_default_enrolments_step`: default instances unless the course already has a manual one. */
async function addDefaultInstances(course: CourseEnrolments, enabled: readonly string[]): Promise<void> {
  // With a manual instance Moodle only calls restore_sync_course(), a no-op for the plugins modelled here.
  if (course.first('manual')) return;
  for (const plugin of enabled) await course.addDefaultInstance(plugin);
}

async function restoreEnrolments(
  ctx: RestoreContext,
  course: CourseEnrolments,
  enabled: readonly string[],
  options: { readonly users: boolean; readonly convertToManual: boolean },
): Promise<void> {
  const originalStatus = new Map<number, number>();
  const mapped = new Map<number, EnrolInstance>();
  // User enrolments are always selected so an instance record never carries them; without users they are ignored.
  const paths = [ENROL_PATH, USER_ENROLMENT_PATH];
  for await (const record of ctx.source.records(ENROLMENTS_XML, { paths })) {
    const data = record.data;
    if (record.path === ENROL_PATH) {
      const oldId = num(data.id, NaN);
      originalStatus.set(oldId, num(data.status));
      const fields = { ...data, roleid: ctx.ids.get('role', num(data.roleid)) ?? 0 };
      const instance = options.convertToManual
        ? await convertedInstance(course, enabled, fields)
        : await restoreInstance(ctx, course, enabled, fields);
      if (instance) {
        mapped.set(oldId, instance);
        ctx.ids.set('enrol', oldId, instance.id);
      }
      continue;
    }
    // A user enrolment: only with users, for a mapped instance and a mapped user.
    if (!options.users) continue;
    const oldEnrolId = num(record.parent?.data.id, NaN);
    const instance = mapped.get(oldEnrolId);
    const userid = ctx.ids.get('user', num(data.userid, NaN));
    if (!instance || userid === undefined) continue;
    await course.restoreUserEnrolment(instance, data, userid, originalStatus.get(oldEnrolId) ?? 0);
  }
}

/** ENROL_NEVER (or users off with ENROL_WITHUSERS): every instance becomes the course's manual instance. */
async function convertedInstance(
  course: CourseEnrolments,
  enabled: readonly string[],
  fields: Readonly<Record<string, unknown>>,
): Promise<EnrolInstance | undefined> {
  if (!enabled.includes('manual')) return undefined;
  const existing = course.first('manual');
  if (existing) return existing;
  return fields.enrol === 'manual' ? course.addInstance('manual', fields) : course.addDefaultInstance('manual');
}

/** The plugin's own `restore_instance()`; undefined when the instance is not restored or maps to nothing. */
async function restoreInstance(
  ctx: RestoreContext,
  course: CourseEnrolments,
  enabled: readonly string[],
  fields: Readonly<Record<string, unknown>>,
): Promise<EnrolInstance | undefined> {
  const plugin = text(fields.enrol as string);
  if (!enabled.includes(plugin)) {
    ctx.warn(
      'enrol-plugin-disabled',
      `Enrolment method "${plugin}" is not restored because the plugin is not enabled in the store; its user enrolments are skipped. Restore with enrolments = 0 to convert such methods into manual enrolments.`,
      ENROLMENTS_XML,
    );
    return undefined;
  }
  if (!RESTORABLE_PLUGINS.has(plugin)) {
    ctx.warn(
      'enrol-plugin-unsupported',
      `Enrolment method "${plugin}" is not restored: the engine restores only manual, guest and self enrolment methods; its user enrolments are skipped. Restore with enrolments = 0 to convert it into manual enrolments.`,
      ENROLMENTS_XML,
    );
    return undefined;
  }
  switch (plugin) {
    case 'manual':
      // One manual instance per course.
      return course.first('manual') ?? course.addInstance('manual', fields);
    case 'guest':
      // One guest instance per course; Moodle maps the old instance to 0 (guests have no enrolments).
      if (!course.first('guest')) await course.addInstance('guest', fields);
      return undefined;
    default: {
      // self: a cohort restriction only means something on the same site.
      const cohortRestricted = num(fields.customint5) !== 0;
      return course.addInstance(
        plugin,
        cohortRestricted && !ctx.state.sameSite ? { ...fields, customint5: -1 } : fields,
      );
    }
  }
}

/** `$CFG->enrol_plugins_enabled` of the store, else Moodle's default. */
async function enabledPlugins(ctx: RestoreContext): Promise<string[]> {
  const [row] = await ctx.rows.select('config', { name: 'enrol_plugins_enabled' }, { limit: 1 });
  if (!row) return [...DEFAULT_ENABLED_PLUGINS];
  return String(row.value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
