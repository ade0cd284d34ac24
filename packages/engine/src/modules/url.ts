/**
 * mod_url: `activities/url_<cmid>/url.xml` → rows.
 *
 * Follows `mod/url/backup/moodle2/restore_url_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). No backup in `../shared/fixtures` has a url.
 */
import type { ModuleSpec } from './types.ts';

export const urlModule: ModuleSpec = {
  name: 'url',
  component: 'mod_url',
  records: [
    {
      path: '/activity/url',
      table: 'url',
      itemname: 'url',
      userinfo: false,
      course: ['course'],
      files: [{ component: 'mod_url', filearea: 'intro', itemname: null }],
    },
  ],
  sources: ['mod/url/backup/moodle2/restore_url_stepslib.php'],
};
