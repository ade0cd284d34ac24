/**
 * mod_book: `activities/book_<cmid>/book.xml` → rows.
 *
 * Follows `mod/book/backup/moodle2/restore_book_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Chapters are not user data. No backup in `../shared/fixtures` has a book.
 */
import { tagRecord } from './common.ts';
import type { ModuleSpec } from './types.ts';

export const bookModule: ModuleSpec = {
  name: 'book',
  component: 'mod_book',
  records: [
    {
      path: '/activity/book',
      table: 'book',
      itemname: 'book',
      userinfo: false,
      course: ['course'],
      files: [{ component: 'mod_book', filearea: 'intro', itemname: null }],
    },
    {
      path: '/activity/book/chapters/chapter',
      table: 'book_chapters',
      itemname: 'book_chapter',
      userinfo: false,
      parent: { bookid: 'book' },
      files: [{ component: 'mod_book', filearea: 'chapter', itemname: 'book_chapter' }],
      notes:
        'Moodle also sets `course` on the object, but book_chapters has no such column (dropped by insert_record()).',
    },
    {
      ...tagRecord('/activity/book/chaptertags/tag', 'mod_book', 'book_chapters', { itemRef: 'book_chapter' }),
      userinfo: false,
    },
  ],
  sources: ['mod/book/backup/moodle2/restore_book_stepslib.php'],
};
