/**
 * Role assignments, permission overrides and course role names, once every context exists (after
 * activities and blocks). Follows `restore_ras_and_caps_structure_step` (`backup/moodle2/restore_stepslib.php`),
 * which Moodle runs per context (course task, each activity task, each block task), with `role_assign()`
 * and `assign_capability()` (`lib/accesslib.php`), and `restore_dbops::set_course_role_names()`:
 *
 * - course role names: each mapped backup role with a `nameincourse` becomes a `role_names` row of the
 *   course context, unless the role already has one there. Always (Moodle does it in the course step).
 * - assignments (setting `role_assignments`, which needs `users`): mapped role, mapped user that is not
 *   deleted, the context of the roles.xml's part. No component: a manual assignment. `enrol_*`: through
 *   the mapped enrolment instance — manual and self assign a manual role (they do not own assignments),
 *   guest nothing, an unmapped instance nothing. Any other component: a manual assignment and a warning,
 *   as Moodle does when the component cannot restore it. `role_assign()` stamps `timemodified` = now and
 *   `modifierid` = the restoring user, and makes one row per (role, context, user, component, itemid).
 * - overrides (setting `permissions`): mapped role, capability and permission in the part's context;
 *   the first override of a (role, context, capability) wins and CAP_INHERIT (0) writes nothing, as
 *   `assign_capability()` without `$overwrite`. Capabilities are not checked against a list: the store
 *   has none.
 *
 * Which roles.xml files: course/, included activities/<mod>_<cmid>/, and — when blocks are restored —
 * course/blocks/<name>_<id>/ and the blocks of included activities. An activity's context is found
 * through the `course_module` map, a block's through `block_instance`; a part that was not restored
 * (e.g. its module is not installed) is skipped.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { readBackupRoles } from './roles/backup-roles.ts';
import { ContextLevel, findContext, num, text } from './support.ts';

const ASSIGNMENT_PATH = '/roles/role_assignments/assignment';
const OVERRIDE_PATH = '/roles/role_overrides/override';

/** Enrol plugins whose `restore_role_assignment()` makes a manual assignment (they own none themselves). */
const MANUAL_ASSIGNING_PLUGINS = new Set(['manual', 'self']);

export const roleAssignmentsStage = defineStage({
  name: 'role-assignments',
  enabledBy: [],
  reads: ['roles.xml', 'course/roles.xml', 'activities/*/roles.xml', '*/blocks/*/roles.xml'],
  weight: 1,
  async run(ctx) {
    await setCourseRoleNames(ctx);
    const assignments = ctx.settings.root('role_assignments') !== 0;
    const overrides = ctx.settings.root('permissions') !== 0;
    if (!assignments && !overrides) return;
    const paths = [...(assignments ? [ASSIGNMENT_PATH] : []), ...(overrides ? [OVERRIDE_PATH] : [])];
    const writer = new RoleWriter(ctx, await enrolPlugins(ctx));
    const files = includedRolesFiles(ctx);
    for (const [index, entry] of files.entries()) {
      const contextid = await contextOf(ctx, entry);
      if (contextid !== undefined) {
        for await (const record of ctx.source.records(entry, { paths })) {
          if (record.path === ASSIGNMENT_PATH) await writer.assignment(record.data, contextid, entry);
          else await writer.override(record.data, contextid);
        }
      }
      ctx.progress(index + 1, files.length);
    }
  },
});

// Internal helpers

/** Writes assignments and overrides, once per key. */
class RoleWriter {
  readonly #ctx: RestoreContext;
  readonly #plugins: ReadonlyMap<number, string>;
  readonly #assigned = new Set<string>();
  readonly #overridden = new Set<string>();

  constructor(ctx: RestoreContext, plugins: ReadonlyMap<number, string>) {
    this.#ctx = ctx;
    this.#plugins = plugins;
  }

  /** `process_assignment()`. */
  async assignment(data: Record<string, unknown>, contextid: number, entry: string): Promise<void> {
    const { ids, state } = this.#ctx;
    const roleid = ids.get('role', num(data.roleid, NaN));
    const userid = ids.get('user', num(data.userid, NaN));
    if (roleid === undefined || userid === undefined || state.deletedUserIds.has(userid)) return;
    const component = text(data.component);
    if (component.startsWith('enrol_')) {
      const enrolid = ids.get('enrol', num(data.itemid, NaN));
      const plugin = enrolid === undefined ? undefined : this.#plugins.get(enrolid);
      if (plugin !== undefined && MANUAL_ASSIGNING_PLUGINS.has(plugin)) await this.#assign(roleid, contextid, userid);
      return;
    }
    if (component !== '') {
      this.#ctx.warn(
        'role-assignment-component',
        `Restore of '${component}/${text(data.itemid)}' role assignments is not supported, using manual role assignments instead.`,
        entry,
      );
    }
    await this.#assign(roleid, contextid, userid);
  }

  /** `process_override()` → `assign_capability()` without overwrite. */
  async override(data: Record<string, unknown>, contextid: number): Promise<void> {
    const roleid = this.#ctx.ids.get('role', num(data.roleid, NaN));
    const capability = text(data.capability);
    const permission = num(data.permission);
    if (roleid === undefined || capability === '' || permission === 0) return;
    const key = `${roleid}:${contextid}:${capability}`;
    if (this.#overridden.has(key)) return;
    this.#overridden.add(key);
    // assign_capability(): modifierid = $USER->id (the acting user, not the restore controller's user).
    const { now, actingUserId } = this.#ctx.state;
    await this.#ctx.rows.insert('role_capabilities', {
      contextid,
      roleid,
      capability,
      permission,
      timemodified: now,
      modifierid: actingUserId,
    });
  }

  /** `role_assign()` with no component (every context here is new, so only this restore's rows can repeat). */
  async #assign(roleid: number, contextid: number, userid: number): Promise<void> {
    const key = `${roleid}:${contextid}:${userid}`;
    if (this.#assigned.has(key)) return;
    this.#assigned.add(key);
    // role_assign(): modifierid = empty($USER->id) ? 0 : $USER->id (the acting user).
    const { now, actingUserId } = this.#ctx.state;
    await this.#ctx.rows.insert('role_assignments', {
      roleid,
      contextid,
      userid,
      timemodified: now,
      modifierid: actingUserId,
      component: '',
      itemid: 0,
      sortorder: 0,
    });
  }
}

/** `restore_dbops::set_course_role_names()`. */
async function setCourseRoleNames(ctx: RestoreContext): Promise<void> {
  const contextid = ctx.state.courseContextId;
  for (const role of await readBackupRoles(ctx)) {
    const roleid = ctx.ids.get('role', role.id);
    if (roleid === undefined || role.nameincourse === '') continue;
    if ((await ctx.rows.select('role_names', { roleid, contextid }, { limit: 1 })).length > 0) continue;
    await ctx.rows.insert('role_names', { roleid, contextid, name: role.nameincourse });
  }
}

/** New enrolment instance id → plugin, for the course. */
async function enrolPlugins(ctx: RestoreContext): Promise<Map<number, string>> {
  const rows = await ctx.rows.select('enrol', { courseid: ctx.state.courseId });
  return new Map(rows.map((r) => [Number(r.id), String(r.enrol)]));
}

/** The per-context roles.xml files of the parts being restored (Moodle's included tasks). */
function includedRolesFiles(ctx: RestoreContext): string[] {
  const { settings } = ctx;
  const blocks = settings.root('blocks') !== 0;
  return ctx.source.names().filter((name) => {
    const parts = name.split('/');
    if (parts.at(-1) !== 'roles.xml' || parts.length < 2) return false;
    if (parts.length === 2) return parts[0] === 'course';
    if (parts[0] === 'course') return blocks && parts[1] === 'blocks' && parts.length === 4;
    if (parts[0] !== 'activities' || !settings.activityIncluded(parts[1]!)) return false;
    return parts.length === 3 || (blocks && parts[2] === 'blocks' && parts.length === 5);
  });
}

/** The new context of a roles.xml's part, or `undefined` when that part was not restored. */
async function contextOf(ctx: RestoreContext, entry: string): Promise<number | undefined> {
  const parts = entry.split('/');
  if (parts.length === 2) return ctx.state.courseContextId || undefined;
  const blockDir = parts.length >= 4 ? parts.at(-2)! : undefined;
  const [level, item, dir] =
    blockDir !== undefined
      ? [ContextLevel.Block, 'block_instance', blockDir]
      : [ContextLevel.Module, 'course_module', parts[1]!];
  const oldId = Number(/_(\d+)$/.exec(dir)?.[1]);
  const newId = ctx.ids.get(item, oldId);
  if (newId === undefined) return undefined;
  return (await findContext(ctx, level, newId))?.id;
}
