/**
 * mod_forum behaviour beyond the spec (`mod/forum/backup/moodle2/restore_forum_stepslib.php`): posts get
 * `wordcount`/`charcount` when the backup has none (`\mod_forum\local\entities\post::add_message_counts()`,
 * approximated as `count_words()`/`count_letters()` on the text without tags). Post `parent` and discussion
 * `firstpost` are the spec's deferred references, resolved by the interpreter.
 *
 * Not reproduced: `forum_instance_created()` (subscribing enrolled users to forced-subscription forums) and
 * `after_restore()` creating the discussion of a "single simple discussion" forum restored without user data.
 */
import type { ModuleHooks } from './module-run.ts';

const POST = '/activity/forum/discussions/discussion/posts/post';

export const forumHooks: ModuleHooks = {
  paths: {
    [POST]: {
      prepare({ row }) {
        const message = typeof row.message === 'string' ? row.message : '';
        const plain = message.replace(/<[^>]*>/g, ' ');
        if (row.wordcount === undefined || row.wordcount === null || row.wordcount === '') {
          row.wordcount = plain.split(/[\s\p{P}]+/u).filter((w) => w !== '').length;
        }
        if (row.charcount === undefined || row.charcount === null || row.charcount === '') {
          row.charcount = [...plain.replace(/\s+/gu, '')].length;
        }
      },
    },
  },
};
