/**
 * Group members, pass 2 of root `groups.xml`, after enrolments (only enrolled users can be members).
 * Follows `restore_groups_members_structure_step` (`backup/moodle2/restore_stepslib.php`) and
 * `groups_add_member()` (`group/lib.php`):
 *
 * - a member needs the mapped group and the mapped user, and is added once per (group, user);
 * - without a component: `groups_add_member()` — only when the user is enrolled in the course (any
 *   enrolment of any of its instances), with `timeadded` = now, as that function stamps it;
 * - `enrol_*` components: handed to the mapped enrolment instance's plugin (`restore_group_member()`);
 *   manual, self and guest — the plugins the engine restores — do nothing there, so such memberships are
 *   not restored, as in Moodle (reported once as a warning);
 * - other components: Moodle asks the component and otherwise adds a plain membership with a warning;
 *   the engine has no component callbacks, so it always does the latter.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { num, text } from './support.ts';

const GROUPS_XML = 'groups.xml';
const GROUP_PATH = '/groups/group';
const MEMBER_PATH = '/groups/group/group_members/group_member';

export const groupMembersStage = defineStage({
  name: 'group-members',
  enabledBy: ['groups', 'users'],
  reads: [GROUPS_XML],
  weight: 1,
  async run(ctx) {
    const enrolled = await enrolledUsers(ctx);
    const added = new Set<string>();
    let enrolOwned = 0;
    for await (const record of ctx.source.records(GROUPS_XML, { paths: [GROUP_PATH, MEMBER_PATH] })) {
      if (record.path !== MEMBER_PATH) continue;
      const data = record.data;
      const groupid = ctx.ids.get('group', num(record.parent?.data.id, NaN));
      const userid = ctx.ids.get('user', num(data.userid, NaN));
      if (groupid === undefined || userid === undefined) continue;
      const key = `${groupid}:${userid}`;
      if (added.has(key)) continue;
      const component = text(data.component);
      if (component.startsWith('enrol_')) {
        // restore_group_member() of manual/self/guest is a no-op; other plugins' instances are not restored.
        if (ctx.ids.get('enrol', num(data.itemid, NaN))) enrolOwned++;
        continue;
      }
      if (component !== '') {
        ctx.warn(
          'group-member-component',
          `Restore of '${component}/${text(data.itemid)}' group membership is not supported, using standard group membership instead.`,
          GROUPS_XML,
        );
      }
      if (!enrolled.has(userid)) continue;
      added.add(key);
      await ctx.rows.insert('groups_members', { groupid, userid, timeadded: ctx.state.now, component: '', itemid: 0 });
    }
    if (enrolOwned > 0) {
      ctx.warn(
        'group-member-enrol-owned',
        `${enrolOwned} group memberships managed by an enrolment method were not restored (Moodle's manual, self and guest methods do not restore them).`,
        GROUPS_XML,
      );
    }
    ctx.progress(1, 1);
  },
});

// Internal helpers

/** Users with a user enrolment in any instance of the course (`is_enrolled()` without `onlyactive`). */
async function enrolledUsers(ctx: RestoreContext): Promise<Set<number>> {
  const users = new Set<number>();
  for (const instance of await ctx.rows.select('enrol', { courseid: ctx.state.courseId })) {
    for (const ue of await ctx.rows.select('user_enrolments', { enrolid: Number(instance.id) }))
      users.add(Number(ue.userid));
  }
  return users;
}
