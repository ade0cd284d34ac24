/**
 * mod_qbank (Moodle 5.0+ shared question banks): `activities/qbank_<cmid>/qbank.xml` → rows.
 *
 * Follows `mod/qbank/backup/moodle2/restore_qbank_stepslib.php` (moodle/moodle 78d73cc9, 5.x). The module
 * has its own `qbank` table; its questions live in the module context and arrive through the root
 * `questions.xml` (question bank restore), not through this file. Not present in 4.3 backups; checked
 * against the two qbank activities of the 5.0.3 coderunner backup in `../shared/fixtures/mbz`.
 */
import type { ModuleSpec } from './types.ts';

export const qbankModule: ModuleSpec = {
  name: 'qbank',
  component: 'mod_qbank',
  records: [
    {
      path: '/activity/qbank',
      table: 'qbank',
      itemname: 'qbank',
      userinfo: false,
      course: ['course'],
      files: [{ component: 'mod_qbank', filearea: 'intro', itemname: null }],
      notes:
        'Question categories of the module context are restored by the shared question-bank steps ' +
        '(restore_create_categories_and_questions, restore_move_module_questions_categories), keyed by the module ' +
        'context mapping made in process_activity().',
    },
  ],
  sources: ['mod/qbank/backup/moodle2/restore_qbank_stepslib.php'],
};
