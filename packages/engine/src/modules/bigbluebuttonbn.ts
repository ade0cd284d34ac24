/**
 * mod_bigbluebuttonbn: `activities/bigbluebuttonbn_<cmid>/bigbluebuttonbn.xml` → rows.
 *
 * Follows `mod/bigbluebuttonbn/backup/moodle2/restore_bigbluebuttonbn_stepslib.php` (read from a Moodle
 * 4.2.3 copy, build 20231009 like 4.3.0). The logs and recordings paths are registered without a
 * userinfo check (the backup writes logs only with user data). 4.3 added `bbbext` subplugins, which may
 * attach more paths under the instance; not declared here. No backup in `../shared/fixtures` has one.
 */
import type { ModuleSpec } from './types.ts';

export const bigbluebuttonbnModule: ModuleSpec = {
  name: 'bigbluebuttonbn',
  component: 'mod_bigbluebuttonbn',
  records: [
    {
      path: '/activity/bigbluebuttonbn',
      table: 'bigbluebuttonbn',
      itemname: 'bigbluebuttonbn',
      userinfo: false,
      course: ['course'],
      dates: ['timemodified'],
      files: [{ component: 'mod_bigbluebuttonbn', filearea: 'intro', itemname: null }],
      notes:
        'meetingid is renewed (\\mod_bigbluebuttonbn\\meeting::get_unique_meetingid_seed()) in MODE_IMPORT or ' +
        'when empty; kept otherwise. openingtime/closingtime are not shifted.',
    },
    {
      path: '/activity/bigbluebuttonbn/logs/log',
      table: 'bigbluebuttonbn_logs',
      itemname: 'bigbluebuttonbn_logs',
      userinfo: false,
      parent: { bigbluebuttonbnid: 'bigbluebuttonbn' },
      refs: { courseid: { itemname: 'course' }, userid: { itemname: 'user' } },
      dates: ['timecreated'],
    },
    {
      path: '/activity/bigbluebuttonbn/recordings/recording',
      table: 'bigbluebuttonbn_recordings',
      itemname: 'bigbluebuttonbn_recordings',
      userinfo: false,
      parent: { bigbluebuttonbnid: 'bigbluebuttonbn' },
      refs: { courseid: { itemname: 'course' } },
      dates: ['timecreated'],
      notes: 'recordingid (server-side id) and groupid are not remapped by Moodle.',
    },
  ],
  sources: ['mod/bigbluebuttonbn/backup/moodle2/restore_bigbluebuttonbn_stepslib.php'],
};
