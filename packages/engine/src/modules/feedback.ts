/**
 * mod_feedback: `activities/feedback_<cmid>/feedback.xml` → rows.
 *
 * Follows `mod/feedback/backup/moodle2/restore_feedback_stepslib.php` (read from a Moodle 4.2.3 copy,
 * build 20231009 like 4.3.0). Items are not user data; completed responses and values are. No backup in
 * `../shared/fixtures` has a feedback.
 */
import type { ModuleSpec } from './types.ts';

export const feedbackModule: ModuleSpec = {
  name: 'feedback',
  component: 'mod_feedback',
  records: [
    {
      path: '/activity/feedback',
      table: 'feedback',
      itemname: 'feedback',
      userinfo: false,
      course: ['course'],
      dates: ['timeopen', 'timeclose'],
      files: [
        { component: 'mod_feedback', filearea: 'intro', itemname: null },
        { component: 'mod_feedback', filearea: 'page_after_submit', itemname: null },
      ],
    },
    {
      path: '/activity/feedback/items/item',
      table: 'feedback_item',
      itemname: 'feedback_item',
      userinfo: false,
      parent: { feedback: 'feedback' },
      refs: { dependitem: { itemname: 'feedback_item', deferred: true } },
      files: [{ component: 'mod_feedback', filearea: 'item', itemname: 'feedback_item' }],
      notes: 'dependitem is remapped in after_execute() over all items of the feedback (unmapped → 0, "reset").',
    },
    {
      path: '/activity/feedback/completeds/completed',
      table: 'feedback_completed',
      itemname: 'feedback_completed',
      userinfo: true,
      parent: { feedback: 'feedback' },
      refs: { userid: { itemname: 'user' } },
      notes:
        'courseid (course the feedback was answered in, for site feedbacks): kept on a same-site restore when ' +
        'non-empty, SITEID when restoring into the site course, else 0.',
    },
    {
      path: '/activity/feedback/completeds/completed/values/value',
      table: 'feedback_value',
      itemname: 'feedback_value',
      userinfo: true,
      parent: { completed: 'feedback_completed' },
      refs: { item: { itemname: 'feedback_item' } },
      notes:
        'course_id: kept on a same-site restore when non-empty, SITEID when restoring into the site course, else 0.',
    },
  ],
  sources: ['mod/feedback/backup/moodle2/restore_feedback_stepslib.php'],
};
