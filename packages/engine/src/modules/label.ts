/**
 * mod_label: `activities/label_<cmid>/label.xml` → rows.
 *
 * Follows `mod/label/backup/moodle2/restore_label_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Checked against the labels in `../shared/fixtures/mbz`.
 */
import type { ModuleSpec } from './types.ts';

export const labelModule: ModuleSpec = {
  name: 'label',
  component: 'mod_label',
  records: [
    {
      path: '/activity/label',
      table: 'label',
      itemname: 'label',
      userinfo: false,
      course: ['course'],
      files: [{ component: 'mod_label', filearea: 'intro', itemname: null }],
    },
  ],
  sources: ['mod/label/backup/moodle2/restore_label_stepslib.php'],
};
