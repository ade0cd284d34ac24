/**
 * mod_wiki: `activities/wiki_<cmid>/wiki.xml` → rows.
 *
 * Follows `mod/wiki/backup/moodle2/restore_wiki_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Everything below the instance is user data. No backup in `../shared/fixtures`
 * has a wiki.
 */
import { tagRecord } from './common.ts';
import type { ModuleSpec } from './types.ts';

const SUBWIKI = '/activity/wiki/subwikis/subwiki';
const PAGE = `${SUBWIKI}/pages/page`;

export const wikiModule: ModuleSpec = {
  name: 'wiki',
  component: 'mod_wiki',
  records: [
    {
      path: '/activity/wiki',
      table: 'wiki',
      itemname: 'wiki',
      userinfo: false,
      course: ['course'],
      dates: ['editbegin', 'editend'],
      files: [{ component: 'mod_wiki', filearea: 'intro', itemname: null }],
    },
    {
      path: SUBWIKI,
      table: 'wiki_subwikis',
      itemname: 'wiki_subwiki',
      userinfo: true,
      parent: { wikiid: 'wiki' },
      refs: { groupid: { itemname: 'group', unmapped: 'skip' }, userid: { itemname: 'user', unmapped: 'skip' } },
      files: [{ component: 'mod_wiki', filearea: 'attachments', itemname: 'wiki_subwiki' }],
      notes:
        'groupid/userid are looked up only when non-zero; if either is unmapped the subwiki is not inserted ' +
        'and `wiki_subwiki` is mapped to 0 (false).',
    },
    {
      path: PAGE,
      table: 'wiki_pages',
      itemname: 'wiki_page',
      userinfo: true,
      parent: { subwikiid: 'wiki_subwiki' },
      refs: { userid: { itemname: 'user' } },
      notes: 'Not inserted (mapped to 0) when the parent subwiki was not restored.',
    },
    {
      path: `${PAGE}/versions/version`,
      table: 'wiki_versions',
      itemname: 'wiki_version',
      userinfo: true,
      parent: { pageid: 'wiki_page' },
      refs: { userid: { itemname: 'user' } },
      notes:
        'Moodle still inserts versions (pageid 0) under a page that was not restored; skipping them is the sane equivalent.',
    },
    tagRecord(`${PAGE}/tags/tag`, 'mod_wiki', 'wiki_pages', { parentItem: 'wiki_page' }),
    {
      path: `${SUBWIKI}/synonyms/synonym`,
      table: 'wiki_synonyms',
      userinfo: true,
      parent: { subwikiid: 'wiki_subwiki' },
      refs: { pageid: { itemname: 'wiki_page' } },
    },
    {
      path: `${SUBWIKI}/links/link`,
      table: 'wiki_links',
      userinfo: true,
      parent: { subwikiid: 'wiki_subwiki' },
      refs: { frompageid: { itemname: 'wiki_page' }, topageid: { itemname: 'wiki_page' } },
      notes: 'Links to missing pages (topageid 0, tomissingpage set) stay 0.',
    },
  ],
  sources: ['mod/wiki/backup/moodle2/restore_wiki_stepslib.php'],
};
