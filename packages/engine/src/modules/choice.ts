/**
 * mod_choice: `activities/choice_<cmid>/choice.xml` → rows.
 *
 * Follows `mod/choice/backup/moodle2/restore_choice_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). No backup in `../shared/fixtures` has a choice.
 */
import type { ModuleSpec } from './types.ts';

export const choiceModule: ModuleSpec = {
  name: 'choice',
  component: 'mod_choice',
  records: [
    {
      path: '/activity/choice',
      table: 'choice',
      itemname: 'choice',
      userinfo: false,
      course: ['course'],
      dates: ['timeopen', 'timeclose'],
      files: [{ component: 'mod_choice', filearea: 'intro', itemname: null }],
    },
    {
      path: '/activity/choice/options/option',
      table: 'choice_options',
      itemname: 'choice_option',
      userinfo: false,
      parent: { choiceid: 'choice' },
    },
    {
      path: '/activity/choice/answers/answer',
      table: 'choice_answers',
      userinfo: true,
      parent: { choiceid: 'choice' },
      refs: { optionid: { itemname: 'choice_option' }, userid: { itemname: 'user' } },
    },
  ],
  sources: ['mod/choice/backup/moodle2/restore_choice_stepslib.php'],
};
