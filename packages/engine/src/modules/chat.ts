/**
 * mod_chat: `activities/chat_<cmid>/chat.xml` → rows.
 *
 * Follows `mod/chat/backup/moodle2/restore_chat_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0; chat left core in 5.0). No backup in `../shared/fixtures` has a chat.
 */
import type { ModuleSpec } from './types.ts';

export const chatModule: ModuleSpec = {
  name: 'chat',
  component: 'mod_chat',
  records: [
    {
      path: '/activity/chat',
      table: 'chat',
      itemname: 'chat',
      userinfo: false,
      course: ['course'],
      dates: ['chattime'],
      files: [{ component: 'mod_chat', filearea: 'intro', itemname: null }],
    },
    {
      path: '/activity/chat/messages/message',
      table: 'chat_messages',
      itemname: 'chat_message',
      userinfo: true,
      parent: { chatid: 'chat' },
      refs: { userid: { itemname: 'user' }, groupid: { itemname: 'group' } },
      drop: ['message_text', 'system'],
      notes: 'message := XML message_text; issystem := XML system. The mapping exists for the link decoder.',
    },
  ],
  sources: ['mod/chat/backup/moodle2/restore_chat_stepslib.php'],
};
