/**
 * mod_folder: `activities/folder_<cmid>/folder.xml` → rows.
 *
 * Follows `mod/folder/backup/moodle2/restore_folder_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Checked against the folder in `../shared/fixtures/mbz` (3.2 backup).
 */
import type { ModuleSpec } from './types.ts';

export const folderModule: ModuleSpec = {
  name: 'folder',
  component: 'mod_folder',
  records: [
    {
      path: '/activity/folder',
      table: 'folder',
      itemname: 'folder',
      userinfo: false,
      course: ['course'],
      files: [
        { component: 'mod_folder', filearea: 'intro', itemname: null },
        { component: 'mod_folder', filearea: 'content', itemname: null },
      ],
      notes: 'Missing showexpanded → site config folder/showexpanded.',
    },
  ],
  sources: ['mod/folder/backup/moodle2/restore_folder_stepslib.php'],
};
