/**
 * mod_h5pactivity: `activities/h5pactivity_<cmid>/h5pactivity.xml` → rows.
 *
 * Follows `mod/h5pactivity/backup/moodle2/restore_h5pactivity_stepslib.php` (read from a Moodle 4.2.3
 * copy, build 20231009 like 4.3.0). No backup in `../shared/fixtures` has an h5pactivity.
 */
import type { ModuleSpec } from './types.ts';

export const h5pactivityModule: ModuleSpec = {
  name: 'h5pactivity',
  component: 'mod_h5pactivity',
  records: [
    {
      path: '/activity/h5pactivity',
      table: 'h5pactivity',
      itemname: 'h5pactivity',
      userinfo: false,
      course: ['course'],
      files: [
        { component: 'mod_h5pactivity', filearea: 'intro', itemname: null },
        { component: 'mod_h5pactivity', filearea: 'package', itemname: null },
      ],
      notes: 'No dates are shifted.',
    },
    {
      path: '/activity/h5pactivity/attempts/attempt',
      table: 'h5pactivity_attempts',
      itemname: 'h5pactivity_attempt',
      userinfo: true,
      parent: { h5pactivityid: 'h5pactivity' },
      refs: { userid: { itemname: 'user' } },
    },
    {
      path: '/activity/h5pactivity/attempts/attempt/results/result',
      table: 'h5pactivity_attempts_results',
      itemname: 'h5pactivity_attempt_result',
      userinfo: true,
      parent: { attemptid: 'h5pactivity_attempt' },
    },
  ],
  sources: ['mod/h5pactivity/backup/moodle2/restore_h5pactivity_stepslib.php'],
};
