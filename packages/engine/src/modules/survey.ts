/**
 * mod_survey: `activities/survey_<cmid>/survey.xml` → rows.
 *
 * Follows `mod/survey/backup/moodle2/restore_survey_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0; survey left core in 5.0). No backup in `../shared/fixtures` has a survey.
 */
import type { ModuleSpec } from './types.ts';

export const surveyModule: ModuleSpec = {
  name: 'survey',
  component: 'mod_survey',
  records: [
    {
      path: '/activity/survey',
      table: 'survey',
      itemname: 'survey',
      userinfo: false,
      course: ['course'],
      dates: ['timecreated', 'timemodified'],
      files: [{ component: 'mod_survey', filearea: 'intro', itemname: null }],
      notes:
        '`template` names one of the built-in surveys of the install (ids 1–5); the survey hook finds it in the store by name.',
    },
    {
      path: '/activity/survey/answers/answer',
      table: 'survey_answers',
      userinfo: true,
      parent: { survey: 'survey' },
      refs: { userid: { itemname: 'user' } },
      dates: ['time'],
      notes: '`question` refers to the predefined survey_questions (install data), not remapped.',
    },
    {
      path: '/activity/survey/analysis/analys',
      table: 'survey_analysis',
      userinfo: true,
      parent: { survey: 'survey' },
      refs: { userid: { itemname: 'user' } },
    },
  ],
  sources: ['mod/survey/backup/moodle2/restore_survey_stepslib.php'],
};
