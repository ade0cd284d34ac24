/**
 * Groups and groupings of the course, pass 1 of root `groups.xml` (members come later, in the
 * group-members stage). Follows `restore_groups_structure_step` (`backup/moodle2/restore_stepslib.php`):
 *
 * - a group (grouping) is matched in the target course by name, and by description when the backup's is
 *   not empty; otherwise it is created. Both are mapped (`group`, `grouping`), so their files (group
 *   `icon` and `description`, grouping `description`) follow through the id map.
 * - `idnumber` is kept only when no other group (grouping) of the course has it (the restoring admin
 *   has `moodle/course:changeidnumber`).
 * - grouping members: `groups_assign_grouping()` with the mapped group, once per pair, keeping
 *   `timeadded`.
 * - then the course's `defaultgroupingid` (course.xml) is set to the mapped grouping. Moodle does that in
 *   the course step, which runs after this one there; here the course stage runs first, so this stage
 *   updates it.
 *
 * No date shifting: Moodle applies none to groups.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { num, text } from './support.ts';

const GROUPS_XML = 'groups.xml';
const GROUP_PATH = '/groups/group';
const GROUPING_PATH = '/groups/groupings/grouping';
const GROUPING_GROUP_PATH = '/groups/groupings/grouping/grouping_groups/grouping_group';
/** Selected only so a group record is emitted without its members (they are the group-members stage's). */
const MEMBER_PATH = '/groups/group/group_members/group_member';

export const groupsStage = defineStage({
  name: 'groups',
  enabledBy: ['groups'],
  reads: [GROUPS_XML, 'course/course.xml'],
  weight: 1,
  async run(ctx) {
    const courseid = ctx.state.courseId;
    const assigned = new Set<string>();
    for await (const record of ctx.source.records(GROUPS_XML, {
      paths: [GROUP_PATH, MEMBER_PATH, GROUPING_PATH, GROUPING_GROUP_PATH],
    })) {
      const data = record.data;
      if (record.path === GROUP_PATH) {
        ctx.ids.set('group', num(data.id, NaN), await matchOrCreate(ctx, 'groups', courseid, data));
      } else if (record.path === GROUPING_PATH) {
        ctx.ids.set('grouping', num(data.id, NaN), await matchOrCreate(ctx, 'groupings', courseid, data));
      } else if (record.path === GROUPING_GROUP_PATH) {
        const groupingid = ctx.ids.get('grouping', num(record.parent?.data.id, NaN));
        const groupid = ctx.ids.get('group', num(data.groupid, NaN));
        if (groupingid === undefined || groupid === undefined) continue;
        await assignGrouping(ctx, groupingid, groupid, num(data.timeadded), assigned);
      }
    }
    await updateDefaultGrouping(ctx, courseid);
    ctx.progress(1, 1);
  },
});

// Internal helpers

/** `process_group()` / `process_grouping()`: the id of the matching group (grouping) of the course, or of a new one. */
async function matchOrCreate(
  ctx: RestoreContext,
  table: 'groups' | 'groupings',
  courseid: number,
  data: XmlObject,
): Promise<number> {
  const name = text(data.name);
  const description = text(data.description);
  const sameName = await ctx.rows.select(table, { courseid, name });
  const match = sameName.find((r) => description === '' || r.description === description);
  if (match) return Number(match.id);
  let idnumber = text(data.idnumber);
  if (idnumber !== '' && (await ctx.rows.select(table, { courseid, idnumber }, { limit: 1 })).length > 0) idnumber = '';
  return ctx.rows.insert(table, { ...data, courseid, idnumber });
}

/** `groups_assign_grouping()`: one row per (grouping, group). */
async function assignGrouping(
  ctx: RestoreContext,
  groupingid: number,
  groupid: number,
  timeadded: number,
  assigned: Set<string>,
): Promise<void> {
  const key = `${groupingid}:${groupid}`;
  if (assigned.has(key)) return;
  assigned.add(key);
  if ((await ctx.rows.select('groupings_groups', { groupingid, groupid }, { limit: 1 })).length > 0) return;
  await ctx.rows.insert('groupings_groups', { groupingid, groupid, timeadded: timeadded || ctx.state.now });
}

/** `process_course()`: `defaultgroupingid` → the grouping map (0 when it was not restored). */
async function updateDefaultGrouping(ctx: RestoreContext, courseid: number): Promise<void> {
  for await (const record of ctx.source.records('course/course.xml', { paths: ['/course'] })) {
    const grouping = ctx.ids.get('grouping', num(record.data.defaultgroupingid));
    if (grouping !== undefined) await ctx.rows.update('course', courseid, { defaultgroupingid: grouping });
    break;
  }
}
