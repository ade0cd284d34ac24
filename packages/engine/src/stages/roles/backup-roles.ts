/**
 * The role definitions of root `roles.xml` (`/roles_definition/role`), read by the roles stage (to map
 * them) and the role-assignments stage (for the course role names). The file is small: one record per
 * role used anywhere in the backup.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { num, text } from '../support.ts';

/** The archive entry. */
export const ROLES_XML = 'roles.xml';

/** One role of the backup. */
export interface BackupRole {
  /** Source role id. */
  readonly id: number;
  readonly name: string;
  readonly shortname: string;
  /** The course's own name for the role (`role_names` in the source course), '' when none. */
  readonly nameincourse: string;
  readonly archetype: string;
}

/** Every role of root roles.xml, in document order. */
export async function readBackupRoles(ctx: RestoreContext): Promise<BackupRole[]> {
  const roles: BackupRole[] = [];
  for await (const record of ctx.source.records(ROLES_XML, { paths: ['/roles_definition/role'] })) {
    const d = record.data;
    const id = num(d.id, NaN);
    if (!Number.isFinite(id)) continue;
    roles.push({
      id,
      name: text(d.name),
      shortname: text(d.shortname),
      nameincourse: text(d.nameincourse),
      archetype: text(d.archetype),
    });
  }
  return roles;
}
