/**
 * The events Moodle's restore fires, and its live standard log records (`logstore_standard_log`, origin
 * `restore`, `logs/live-log.ts`), beside the backup's own log rows (the logs stage). These rows go through
 * the site's log store whatever the backup's `logs` setting says (a restore without users still writes
 * them: 41 rows on `gen_s_nousers`), so the stage is enabled by no setting; `RestoreRequest.restoreEvents`
 * false writes none. Each event is read back from the rows the restore wrote, once every stage that
 * fires one has run, in the order Moodle fires them:
 *
 * - `grouping_group_assigned` per `groupings_groups` row: `restore_groups_structure_step::process_grouping_group()`
 *   → `groups_assign_grouping()` (`group/lib.php`); objectid = grouping, other `groupid` (the mapped id, a string).
 * - `enrol_instance_created` per `enrol` row: `restore_enrolments_structure_step::process_enrol()` → the plugin's
 *   `restore_instance()` / `add_instance()` → `enrol_plugin::add_instance()` (`lib/enrollib.php`,
 *   `enrol_instance_created::create_from_record()`); other `enrol`.
 *   Then, per `user_enrolments` row of the instance, `user_enrolment_created` (`restore_user_enrolment()` →
 *   `enrol_plugin::enrol_user()`): objectid = the enrolment, relateduserid = its user, other `enrol`.
 * - `group_member_added` per `groups_members` row: `restore_groups_members_structure_step::process_member()` →
 *   `groups_add_member()` (`group/lib.php`); objectid = the group, relateduserid = the member, other
 *   `component`, `itemid`.
 * - `role_assigned` per `role_assignments` row in the course's contexts: `restore_ras_and_caps_structure_step::
 *   process_assignment()` → `role_assign()` (`lib/accesslib.php`); context = the assignment's, objectid = the
 *   role, relateduserid = the user, other `id` (the assignment), `component`, `itemid`.
 * - `tag_added` per `tag_instance` in the course's contexts (`core_tag_tag::add_item_tag()`, see `tagEvents()`).
 * - `course_section_created` per section `restore_section_structure_step::process_section()` inserted (the
 *   `course_section` mappings; a second section.xml with the same number updates that section and fires
 *   `course_section_updated`); other `sectionnum` (the XML's number, a string). The sections Moodle adds
 *   without an event (`restore_rebuild_course_cache` filling gaps, a module without a section) are not mapped.
 * - grade items: `restore_activity_grades_structure_step::process_grade_item()` → `grade_item::insert('restore')`
 *   then `update('restore')` (`lib/grade/grade_item.php`): `grade_item_created` and `grade_item_updated` per
 *   activity item (itemtype `mod`); before the first one `grade_category::fetch_course_category()` →
 *   `insert_course_category()` creates the course item through `grade_item::insert('system')`
 *   (`grade_item_created`, other itemname and itemmodule NULL). gradebook.xml's other items (categories',
 *   manual ones; the course item when no activity made it) are inserted with `$DB->insert_record()` and
 *   announced with `grade_item_created::create_from_grade_item()` (`restore_gradebook_structure_step::
 *   process_grade_item()`, Moodle 4.3; `gen_allmods_users` counts 13 for 13 items). So: one `grade_item_created`
 *   per item of the course, one `grade_item_updated` per activity item. other `itemname`, `itemtype`, `itemmodule`.
 * - the regrade that ends the gradebook step (`grade_regrade_final_grades()`, `lib/gradelib.php`, only when
 *   gradebook.xml is restored): `grade_item_updated` for each item whose weight or range it updates
 *   (`grade_category::auto_update_weights()`, `auto_update_max()`), `user_graded` for each grade it updates
 *   (`aggregate_grades()`, `regrade_final_grades()` as `USER_OTHER` -1, `compute()` as `$USER`); read from the
 *   history rows the gradebook stage's regrade wrote for those updates (`logs/regrade-events.ts`).
 * - `course_restored` last (`restore_plan::execute()`, `backup/util/plan/restore_plan.class.php`): user = the
 *   restore's user (the controller's, not `$USER`), objectid = the course, other `type`, `target`, `mode`,
 *   `operation`, `samesite` (+ `originalcourseid` on the same site).
 *
 * Every event but `course_restored` and the gradebook's `user_graded` is logged as Moodle's `$USER` (0 in a
 * CLI restore, `RestoreState.actingUserId`). Runs after the logs stage (its rows follow the backup's) and
 * before the finalize stage (whose gap sections have no event). The engine restores into a new course only,
 * so every row of these tables in the course is one this restore wrote.
 *
 * Not logged: events outside the course (`tag_created` for new tags, tags of users' interests: Moodle logs them
 * with course 0), and what the engine does not do: `user_enrolment_updated` for a backup enrolment that
 * updates one already restored, the events of `restore_fix_restorer_access_step` (the restorer is an admin) and
 * of plugins' own restore code (meta/cohort enrolment syncs). `course_restored`'s `mode` is `MODE_GENERAL`
 * (Moodle's CLI restore) for every restore, the webservice's included.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { Row } from '../storage/storage-adapter.ts';
import { LiveLog } from './logs/live-log.ts';
import { logRegradeEvents } from './logs/regrade-events.ts';
import { ContextLevel, text } from './support.ts';
import { ContextLookup } from './task-targets.ts';
import type { PhpEncodable } from '../php/json.ts';

/** `backup::TYPE_1COURSE`, `TARGET_NEW_COURSE`, `MODE_GENERAL`, `OPERATION_RESTORE` (`backup/backup.class.php`). */
const COURSE_RESTORED_OTHER = { type: 'course', target: 2, mode: 10, operation: 'restore' } as const;

export const restoreEventsStage = defineStage({
  name: 'restore-events',
  enabledBy: [],
  reads: [],
  weight: 1,
  async run(ctx) {
    // Not a root setting: the request's own switch (Moodle always logs).
    if (!ctx.state.restoreEvents) return;
    const log = new LiveLog(ctx);
    const contexts = await courseContexts(ctx);
    const steps = [
      groupingEvents,
      enrolmentEvents,
      groupMemberEvents,
      roleAssignmentEvents,
      sectionEvents,
      gradeItemEvents,
      tagEvents,
      logRegradeEvents,
      courseRestored,
    ];
    for (const [index, step] of steps.entries()) {
      await step(ctx, log, contexts);
      ctx.progress(index + 1, steps.length);
    }
  },
});

// Internal helpers

const byId = (a: Row, b: Row) => Number(a.id) - Number(b.id);

/** Rows of `table` whose `column` is one of `parents`, in id order (one select per parent). */
async function childRows(ctx: RestoreContext, table: string, column: string, parents: readonly Row[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const parent of parents) rows.push(...(await ctx.rows.select(table, { [column]: Number(parent.id) })));
  return rows.sort(byId);
}

async function groupingEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const groupings = await ctx.rows.select('groupings', { courseid: ctx.state.courseId });
  for (const row of await childRows(ctx, 'groupings_groups', 'groupingid', groupings)) {
    await log.write('grouping_group_assigned', {
      objectid: Number(row.groupingid),
      other: { groupid: String(row.groupid) },
    });
  }
}

async function enrolmentEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const instances = (await ctx.rows.select('enrol', { courseid: ctx.state.courseId })).sort(byId);
  for (const instance of instances) {
    const enrol = text(instance.enrol);
    await log.write('enrol_instance_created', { objectid: Number(instance.id), other: { enrol } });
    for (const ue of (await ctx.rows.select('user_enrolments', { enrolid: Number(instance.id) })).sort(byId)) {
      await log.write('user_enrolment_created', {
        objectid: Number(ue.id),
        relateduserid: Number(ue.userid),
        other: { enrol },
      });
    }
  }
}

async function groupMemberEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const groups = await ctx.rows.select('groups', { courseid: ctx.state.courseId });
  for (const member of await childRows(ctx, 'groups_members', 'groupid', groups)) {
    await log.write('group_member_added', {
      objectid: Number(member.groupid),
      relateduserid: Number(member.userid),
      other: componentAndItem(member),
    });
  }
}

interface EventContext {
  readonly id: number;
  readonly contextlevel: number;
  readonly instanceid: number;
}

/** The course's context and those the restore made in it (modules, blocks); the mapped system context is left out. */
async function courseContexts(ctx: RestoreContext): Promise<EventContext[]> {
  const lookup = new ContextLookup(ctx);
  const out: EventContext[] = [];
  for (const id of new Set([ctx.state.courseContextId, ...ctx.ids.entries('context').values()])) {
    const facts = await lookup.facts(id);
    if (facts && facts.contextlevel >= ContextLevel.Course) out.push({ id, ...facts });
  }
  return out;
}

/** The rows of `table` in the course's contexts, in id order, with their context. */
async function rowsInContexts(
  ctx: RestoreContext,
  contexts: readonly EventContext[],
  table: string,
): Promise<Array<{ row: Row; context: EventContext }>> {
  const out: Array<{ row: Row; context: EventContext }> = [];
  for (const context of contexts)
    for (const row of await ctx.rows.select(table, { contextid: context.id })) out.push({ row, context });
  return out.sort((a, b) => byId(a.row, b.row));
}

async function roleAssignmentEvents(
  ctx: RestoreContext,
  log: LiveLog,
  contexts: readonly EventContext[],
): Promise<void> {
  for (const { row, context } of await rowsInContexts(ctx, contexts, 'role_assignments')) {
    await log.write('role_assigned', {
      objectid: Number(row.roleid),
      relateduserid: Number(row.userid),
      context,
      other: { id: Number(row.id), ...componentAndItem(row) },
    });
  }
}

/** `component` and `itemid` as `role_assign()` / `groups_add_member()` put them in `other`: 0, or the mapped enrol id (a string). */
function componentAndItem(row: Row): { component: string; itemid: number | string } {
  const component = text(row.component);
  return { component, itemid: component === '' ? 0 : String(row.itemid ?? 0) };
}

/**
 * `tag_added` per `tag_instance` in the course's contexts: every tag the restore puts on a course, module, module
 * item or question goes through `core_tag_tag::add_item_tag()` → `add_instance()` (`tag/classes/tag.php`,
 * `tag_added::create_from_tag_instance()`); context = the instance's, objectid = the instance, other `tagid`,
 * `tagname`, `tagrawname`, `itemid`, `itemtype`.
 */
async function tagEvents(ctx: RestoreContext, log: LiveLog, contexts: readonly EventContext[]): Promise<void> {
  const tags = new Map<number, Row | undefined>();
  for (const { row, context } of await rowsInContexts(ctx, contexts, 'tag_instance')) {
    const tagid = Number(row.tagid);
    if (!tags.has(tagid)) tags.set(tagid, (await ctx.rows.select('tag', { id: tagid }, { limit: 1 }))[0]);
    const tag = tags.get(tagid);
    await log.write('tag_added', {
      objectid: Number(row.id),
      context,
      other: {
        tagid: String(tagid),
        tagname: tag?.name ?? null,
        tagrawname: tag?.rawname ?? null,
        itemid: Number(row.itemid),
        itemtype: text(row.itemtype),
      },
    });
  }
}

async function sectionEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const restored = new Map<number, number>();
  for (const id of ctx.ids.entries('course_section').values()) restored.set(id, (restored.get(id) ?? 0) + 1);
  const sections = (await ctx.rows.select('course_sections', { course: ctx.state.courseId })).sort(byId);
  for (const section of sections) {
    const times = restored.get(Number(section.id)) ?? 0;
    const event = { objectid: Number(section.id), other: { sectionnum: String(section.section) } };
    if (times > 0) await log.write('course_section_created', event);
    for (let i = 1; i < times; i++) await log.write('course_section_updated', event);
  }
}

async function gradeItemEvents(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const items = (await ctx.rows.select('grade_items', { courseid: ctx.state.courseId })).sort(byId);
  // Moodle's order: the activity tasks (the course item first, made for the first activity item), then gradebook.xml.
  const rank = (item: Row) => ({ course: 0, mod: 1 })[text(item.itemtype)] ?? 2;
  const hasActivityItems = items.some((item) => text(item.itemtype) === 'mod');
  items.sort((a, b) => (hasActivityItems ? rank(a) - rank(b) : 0) || byId(a, b));
  for (const item of items) {
    const itemtype = text(item.itemtype);
    // The course item made by insert_course_category() has no name yet (gradebook.xml sets it later).
    const other =
      itemtype === 'course' && hasActivityItems
        ? { itemname: null, itemtype, itemmodule: null }
        : { itemname: item.itemname ?? null, itemtype, itemmodule: item.itemmodule ?? null };
    await log.write('grade_item_created', { objectid: Number(item.id), other });
    if (itemtype === 'mod') await log.write('grade_item_updated', { objectid: Number(item.id), other });
  }
}

async function courseRestored(ctx: RestoreContext, log: LiveLog): Promise<void> {
  const { state, manifest } = ctx;
  const other: Record<string, PhpEncodable> = { ...COURSE_RESTORED_OTHER, samesite: state.sameSite };
  if (state.sameSite) other.originalcourseid = String(manifest.originalCourseId);
  // The controller's user: the admin of a CLI restore, the webservice's token user.
  await log.write('course_restored', {
    objectid: state.courseId,
    userid: state.actingUserId || state.restorerUserId,
    other,
  });
}
