/**
 * mod_data (database): `activities/data_<cmid>/data.xml` → rows.
 *
 * Follows `mod/data/backup/moodle2/restore_data_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Fields are not user data; records, contents, ratings and tags are. No backup in
 * `../shared/fixtures` has a database activity.
 */
import { ratingRecord, tagRecord } from './common.ts';
import type { ModuleSpec } from './types.ts';

const RECORD = '/activity/data/records/record';

export const dataModule: ModuleSpec = {
  name: 'data',
  component: 'mod_data',
  records: [
    {
      path: '/activity/data',
      table: 'data',
      itemname: 'data',
      userinfo: false,
      course: ['course'],
      refs: { defaultsort: { itemname: 'data_field', deferred: true, unmapped: 'keep' } },
      dates: [
        'timeavailablefrom',
        'timeavailableto',
        'timeviewfrom',
        'timeviewto',
        'assesstimestart',
        'assesstimefinish',
      ],
      files: [{ component: 'mod_data', filearea: 'intro', itemname: null }],
      notes:
        'scale < 0 → -(scale mapping of |scale|). notification null → 0 (MDL-24470). defaultsort is remapped in ' +
        'after_execute() once the fields exist (kept when the field is unmapped; 0 and negative built-in sort ' +
        'keys are not fields).',
    },
    {
      path: '/activity/data/fields/field',
      table: 'data_fields',
      itemname: 'data_field',
      userinfo: false,
      parent: { dataid: 'data' },
    },
    {
      path: RECORD,
      table: 'data_records',
      itemname: 'data_record',
      userinfo: true,
      parent: { dataid: 'data' },
      refs: { userid: { itemname: 'user' }, groupid: { itemname: 'group' } },
    },
    {
      path: `${RECORD}/contents/content`,
      table: 'data_content',
      itemname: 'data_content',
      userinfo: true,
      parent: { recordid: 'data_record' },
      refs: { fieldid: { itemname: 'data_field' } },
      files: [{ component: 'mod_data', filearea: 'content', itemname: 'data_content' }],
    },
    ratingRecord(`${RECORD}/ratings/rating`, 'data_record', 'mod_data', 'entry'),
    tagRecord('/activity/data/recordstags/tag', 'mod_data', 'data_records', { itemRef: 'data_record' }),
  ],
  sources: ['mod/data/backup/moodle2/restore_data_stepslib.php'],
};
