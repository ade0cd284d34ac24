/**
 * Roles: every role of the backup's root `roles.xml` is mapped to a role of the store, or skipped.
 * Follows `restore_load_and_map_roles` → `restore_dbops::precheck_included_roles()` and
 * `get_best_assignable_role()` (`backup/util/dbops/restore_dbops.class.php`): among the roles the
 * restoring user may assign in the course, take the one with the same shortname, else one with the same
 * archetype, else `teacher` for an `editingteacher`, else none (0 = skip, with Moodle's
 * "cannotfindassignablerole" warning).
 *
 * The restoring user is the store's admin, and `get_assignable_roles()` gives an admin every role that
 * can be assigned at course level (`role_context_levels`), so that is the candidate list. Skipped roles
 * get no `role` mapping, so every later look-up of them fails, as Moodle's mapping to 0 does.
 *
 * The course's role names (`nameincourse`, Moodle's `set_course_role_names()`) need the course context,
 * which does not exist yet at this point of the pipeline; the role-assignments stage writes them.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { Row } from '../storage/storage-adapter.ts';
import { readBackupRoles, ROLES_XML, type BackupRole } from './roles/backup-roles.ts';
import { ContextLevel } from './support.ts';

export const rolesStage = defineStage({
  name: 'roles',
  enabledBy: [],
  reads: [ROLES_XML],
  weight: 1,
  async run(ctx) {
    const roles = await readBackupRoles(ctx);
    if (roles.length === 0) return;
    const assignable = await courseAssignableRoles(ctx);
    for (const [index, role] of roles.entries()) {
      const target = bestAssignableRole(role, assignable);
      if (target === undefined) {
        ctx.warn(
          'role-not-mapped',
          `No role of the store can be assigned in a course for the backup's role "${role.name || role.shortname}" (shortname ${role.shortname}, archetype ${role.archetype || 'none'}); its role assignments and permission overrides are skipped.`,
          ROLES_XML,
        );
      } else {
        ctx.ids.set('role', role.id, target);
      }
      ctx.progress(index + 1, roles.length);
    }
  },
});

/** `get_best_assignable_role()`: same shortname, else same archetype, else editingteacher → teacher. */
export function bestAssignableRole(
  role: Pick<BackupRole, 'shortname' | 'archetype'>,
  assignable: readonly Row[],
): number | undefined {
  const byShortname = assignable.find((r) => r.shortname === role.shortname);
  if (byShortname) return Number(byShortname.id);
  // Moodle's `get_record_select(... IGNORE_MULTIPLE)` takes the first row the database returns: lowest id.
  const byArchetype = [...assignable]
    .sort((a, b) => Number(a.id) - Number(b.id))
    .find((r) => r.archetype === role.archetype);
  if (byArchetype) return Number(byArchetype.id);
  if (role.shortname === 'editingteacher') {
    const teacher = assignable.find((r) => r.shortname === 'teacher');
    if (teacher) return Number(teacher.id);
  }
  return undefined;
}

// Internal helpers

/** Roles assignable at course level, by sortorder (what `get_assignable_roles()` returns to an admin). */
async function courseAssignableRoles(ctx: RestoreContext): Promise<Row[]> {
  const levels = await ctx.rows.select('role_context_levels', { contextlevel: ContextLevel.Course });
  const ids = new Set(levels.map((l) => Number(l.roleid)));
  const roles = await ctx.rows.select('role', undefined, { orderBy: 'sortorder' });
  return roles.filter((r) => ids.has(Number(r.id)));
}
