/**
 * mod_glossary: `activities/glossary_<cmid>/glossary.xml` → rows.
 *
 * Follows `mod/glossary/backup/moodle2/restore_glossary_stepslib.php` (read from a Moodle 4.2.3 copy,
 * build 20231009 like 4.3.0). Categories are not user data; entries, aliases, ratings, tags and category
 * links are. Checked against the glossary in `../shared/fixtures/mbz` (2.6 backup, no user data).
 */
import { ratingRecord, tagRecord } from './common.ts';
import type { ModuleSpec } from './types.ts';

const ENTRY = '/activity/glossary/entries/entry';
const CATEGORY = '/activity/glossary/categories/category';

export const glossaryModule: ModuleSpec = {
  name: 'glossary',
  component: 'mod_glossary',
  records: [
    {
      path: '/activity/glossary',
      table: 'glossary',
      itemname: 'glossary',
      userinfo: false,
      course: ['course'],
      dates: ['assesstimestart', 'assesstimefinish'],
      files: [{ component: 'mod_glossary', filearea: 'intro', itemname: null }],
      notes:
        'scale < 0 → -(scale mapping of |scale|). displayformat not among mod/glossary/formats → "dictionary". ' +
        'mainglossary = 1 → 0 when the course already has a main glossary (only one per course).',
    },
    {
      path: CATEGORY,
      table: 'glossary_categories',
      itemname: 'glossary_category',
      userinfo: false,
      parent: { glossaryid: 'glossary' },
    },
    {
      path: ENTRY,
      table: 'glossary_entries',
      itemname: 'glossary_entry',
      userinfo: true,
      parent: { glossaryid: 'glossary' },
      refs: { userid: { itemname: 'user' }, sourceglossaryid: { itemname: 'glossary' } },
      files: [
        { component: 'mod_glossary', filearea: 'entry', itemname: 'glossary_entry' },
        { component: 'mod_glossary', filearea: 'attachment', itemname: 'glossary_entry' },
      ],
      notes:
        'sourceglossaryid (entry exported from another glossary) is looked up through item `glossary`; 0 when that glossary is not in this restore.',
    },
    tagRecord('/activity/glossary/entriestags/tag', 'mod_glossary', 'glossary_entries', { itemRef: 'glossary_entry' }),
    {
      path: `${ENTRY}/aliases/alias`,
      table: 'glossary_alias',
      userinfo: true,
      parent: { entryid: 'glossary_entry' },
      drop: ['alias_text'],
      notes: 'alias := XML alias_text.',
    },
    ratingRecord(`${ENTRY}/ratings/rating`, 'glossary_entry', 'mod_glossary', 'entry'),
    {
      path: `${CATEGORY}/category_entries/category_entry`,
      table: 'glossary_entries_categories',
      userinfo: true,
      parent: { categoryid: 'glossary_category' },
      refs: { entryid: { itemname: 'glossary_entry' } },
    },
  ],
  sources: ['mod/glossary/backup/moodle2/restore_glossary_stepslib.php'],
};
