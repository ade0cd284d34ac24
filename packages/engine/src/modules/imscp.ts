/**
 * mod_imscp: `activities/imscp_<cmid>/imscp.xml` → rows.
 *
 * Follows `mod/imscp/backup/moodle2/restore_imscp_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Checked against the imscp in `../shared/fixtures/mbz` (3.2 backup).
 */
import type { ModuleSpec } from './types.ts';

export const imscpModule: ModuleSpec = {
  name: 'imscp',
  component: 'mod_imscp',
  records: [
    {
      path: '/activity/imscp',
      table: 'imscp',
      itemname: 'imscp',
      userinfo: false,
      course: ['course'],
      files: [
        { component: 'mod_imscp', filearea: 'intro', itemname: null },
        { component: 'mod_imscp', filearea: 'backup', itemname: null },
        { component: 'mod_imscp', filearea: 'content', itemname: null },
      ],
      notes: 'backup/content files keep their itemid, which imscp uses as a revision number (not remapped).',
    },
  ],
  sources: ['mod/imscp/backup/moodle2/restore_imscp_stepslib.php'],
};
