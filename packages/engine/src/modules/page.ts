/**
 * mod_page: `activities/page_<cmid>/page.xml` → rows.
 *
 * Follows `mod/page/backup/moodle2/restore_page_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0; unchanged in 4.3). Checked against the pages in `gen_s_users.mbz`.
 */
import type { ModuleSpec } from './types.ts';

export const pageModule: ModuleSpec = {
  name: 'page',
  component: 'mod_page',
  records: [
    {
      path: '/activity/page',
      table: 'page',
      itemname: 'page',
      userinfo: false,
      course: ['course'],
      files: [
        { component: 'mod_page', filearea: 'intro', itemname: null },
        { component: 'mod_page', filearea: 'content', itemname: null },
      ],
      notes: 'No dates are shifted (MDL-9367 list is empty for page).',
    },
  ],
  sources: ['mod/page/backup/moodle2/restore_page_stepslib.php'],
};
