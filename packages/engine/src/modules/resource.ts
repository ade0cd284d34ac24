/**
 * mod_resource: `activities/resource_<cmid>/resource.xml` → rows.
 *
 * Follows `mod/resource/backup/moodle2/restore_resource_stepslib.php` (read from a Moodle 4.2.3 copy,
 * build 20231009 like 4.3.0; older releases also shifted timemodified, 4.x does not). Checked against the
 * resources in `gen_s_users.mbz` and `../shared/fixtures/mbz`.
 */
import type { ModuleSpec } from './types.ts';

export const resourceModule: ModuleSpec = {
  name: 'resource',
  component: 'mod_resource',
  records: [
    {
      path: '/activity/resource',
      table: 'resource',
      itemname: 'resource',
      userinfo: false,
      course: ['course'],
      files: [
        { component: 'mod_resource', filearea: 'intro', itemname: null },
        { component: 'mod_resource', filearea: 'content', itemname: null },
      ],
    },
  ],
  sources: ['mod/resource/backup/moodle2/restore_resource_stepslib.php'],
};
