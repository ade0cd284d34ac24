/**
 * mod_forum: `activities/forum_<cmid>/forum.xml` → rows.
 *
 * Follows `mod/forum/backup/moodle2/restore_forum_stepslib.php` (read from a Moodle 4.5.6 copy; the
 * forum restore is unchanged since 4.3). Element names checked against `gen_s_users.mbz` (Moodle 4.3)
 * in `../shared/fixtures/generated`. Every path but the instance is registered only with userinfo.
 */
import { ratingRecord, tagRecord } from './common.ts';
import type { ModuleSpec } from './types.ts';

const DISC = '/activity/forum/discussions/discussion';
const POST = `${DISC}/posts/post`;

export const forumModule: ModuleSpec = {
  name: 'forum',
  component: 'mod_forum',
  records: [
    {
      path: '/activity/forum',
      table: 'forum',
      itemname: 'forum',
      userinfo: false,
      course: ['course'],
      dates: ['duedate', 'cutoffdate', 'assesstimestart', 'assesstimefinish'],
      files: [{ component: 'mod_forum', filearea: 'intro', itemname: null }],
      notes:
        'process_forum(): missing duedate/cutoffdate → 0; scale < 0 → -(scale mapping of |scale|). After the ' +
        'insert, forum_instance_created(modulecontext, forum) subscribes the currently enrolled users when ' +
        'forcesubscribe is FORUM_INITIALSUBSCRIBE. after_restore(): a "single" forum with no discussion ' +
        '(restore without userinfo) gets its discussion and first post created by forum_add_discussion() from ' +
        'the forum name/intro (as the restoring user, post marked mailed), and the intro files are copied to ' +
        'mod_forum/post with itemid = that first post.',
    },
    {
      path: DISC,
      table: 'forum_discussions',
      itemname: 'forum_discussion',
      userinfo: true,
      parent: { forum: 'forum' },
      course: ['course'],
      refs: {
        userid: { itemname: 'user' },
        groupid: { itemname: 'group' },
        usermodified: { itemname: 'user' },
        firstpost: { itemname: 'forum_post', deferred: true, unmapped: 'keep' },
      },
      dates: ['timestart', 'timeend'],
      notes:
        'groupid is looked up unconditionally, so -1 ("all participants") has no mapping and is stored as 0. ' +
        'firstpost: Moodle inserts the old value, then process_forum_post() sets it to the new id of the post ' +
        'whose parent is empty (the old value survives only if no such post is restored).',
    },
    {
      path: POST,
      table: 'forum_posts',
      itemname: 'forum_post',
      userinfo: true,
      parent: { discussion: 'forum_discussion' },
      refs: {
        userid: { itemname: 'user' },
        parent: { itemname: 'forum_post', deferred: true },
      },
      files: [
        { component: 'mod_forum', filearea: 'post', itemname: 'forum_post' },
        { component: 'mod_forum', filearea: 'attachment', itemname: 'forum_post' },
      ],
      notes:
        'parent: Moodle maps it immediately (posts are backed up in id order, so the parent is already ' +
        'restored); an unmapped parent becomes 0. A post whose (mapped) parent is empty sets ' +
        'forum_discussions.firstpost of its discussion. wordcount/charcount are computed from message by ' +
        '\\mod_forum\\local\\entities\\post::add_message_counts(). privatereplyto is NOT remapped by Moodle ' +
        '(old user id kept).',
    },
    ratingRecord(`${POST}/ratings/rating`, 'forum_post', 'mod_forum', 'post'),
    tagRecord('/activity/forum/poststags/tag', 'mod_forum', 'forum_posts', { itemRef: 'forum_post' }),
    {
      path: `${DISC}/discussion_subs/discussion_sub`,
      table: 'forum_discussion_subs',
      itemname: 'forum_discussion_sub',
      userinfo: true,
      parent: { discussion: 'forum_discussion', forum: 'forum' },
      refs: { userid: { itemname: 'user' } },
    },
    {
      path: '/activity/forum/subscriptions/subscription',
      table: 'forum_subscriptions',
      itemname: 'forum_subscription',
      userinfo: true,
      parent: { forum: 'forum' },
      refs: { userid: { itemname: 'user' } },
      notes:
        'Inserted only if no (forum, userid) subscription exists yet (MDL-59854; forum_instance_created() may ' +
        'have created it); the mapping then points at the existing row.',
    },
    {
      path: '/activity/forum/digests/digest',
      table: 'forum_digests',
      userinfo: true,
      parent: { forum: 'forum' },
      refs: { userid: { itemname: 'user' } },
    },
    {
      path: '/activity/forum/readposts/read',
      table: 'forum_read',
      userinfo: true,
      parent: { forumid: 'forum' },
      refs: {
        discussionid: { itemname: 'forum_discussion' },
        postid: { itemname: 'forum_post' },
        userid: { itemname: 'user' },
      },
    },
    {
      path: '/activity/forum/trackedprefs/track',
      table: 'forum_track_prefs',
      userinfo: true,
      parent: { forumid: 'forum' },
      refs: { userid: { itemname: 'user' } },
    },
    {
      path: '/activity/forum/grades/grade',
      table: 'forum_grades',
      itemname: 'grade',
      userinfo: true,
      parent: { forum: 'forum' },
      refs: { userid: { itemname: 'user', unmapped: 'skip' } },
      notes:
        'Skipped when userid maps to 0. Registers `grade` (parentitemid = old module context; the same item ' +
        'name assign_grades uses) and restore_gradingform_plugin::itemid_mapping("forum") = "grading_item_forum".',
    },
  ],
  sources: ['mod/forum/backup/moodle2/restore_forum_stepslib.php'],
};
