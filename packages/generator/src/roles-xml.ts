/**
 * Writes the two kinds of roles.xml:
 *
 * - root `roles.xml` (`backup_final_roles_structure_step`): `/roles_definition/role` for every role
 *   used in the backup — here `student` (5) and `editingteacher` (3), with empty `name` and NULL
 *   `nameincourse` as Moodle's standard roles have;
 * - `course/roles.xml` (`backup_roles_structure_step`): no overrides, one `assignment` per enrolled
 *   user in the course context (component '' and itemid 0, as manual and self enrolment assign
 *   roles), written in enrolment order.
 *
 * Activity and block roles.xml are empty and come from `empty-xml.ts`.
 */
import { ROLE_EDITINGTEACHER, ROLE_STUDENT } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Roles written to roles.xml: id, shortname, sortorder, archetype. */
export const BACKUP_ROLES: readonly (readonly [number, string, number])[] = [
  [ROLE_STUDENT, 'student', 5],
  [ROLE_EDITINGTEACHER, 'editingteacher', 3],
];

/** Renders the root roles.xml. */
export function renderRoleDefinitions(w: XmlWriter): void {
  w.open('roles_definition');
  for (const [id, shortname, sortorder] of BACKUP_ROLES) {
    w.open('role', { id })
      .leaves({ name: '', shortname, nameincourse: null, description: '', sortorder, archetype: shortname })
      .close();
  }
  w.close();
}

/** Renders course/roles.xml with one assignment per enrolled user. */
export async function renderCourseRoles(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model } = ctx;
  w.open('roles').empty('role_overrides').open('role_assignments');
  for (const enrol of model.enrols) {
    for (const member of enrol.members) {
      w.open('assignment', { id: member.raId })
        .leaves({
          roleid: member.roleId,
          userid: member.user.id,
          timemodified: model.time.created + 120,
          modifierid: model.admin.id,
          component: '',
          itemid: 0,
          sortorder: 0,
        })
        .close();
      await w.maybeFlush();
    }
  }
  w.close().close();
}
