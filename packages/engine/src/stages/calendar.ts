/**
 * Calendar events of the course (`course/calendar.xml`) and of each restored activity (`activities/<dir>/calendar.xml`).
 * Follows `restore_calendarevents_structure_step::process_calendarevents()` (`backup/moodle2/restore_stepslib.php`):
 * - action events (`type` 1) are skipped (Moodle recreates them with `refresh_mod_calendar_events_task`);
 * - an activity's user-override events (course 0 with module and instance) need the activity's userinfo;
 * - `userid` mapped, else the restoring user (module events such as quiz openings); a non-empty `groupid` must map
 *   or the event is skipped; an empty `eventtype` is derived (site / due / course / group / user) or the event skipped;
 * - `courseid` = the new course (0 stays 0), `instance` = the activity's new instance (0 for course events),
 *   `repeatid` remapped (0 when unmapped), `timestart`/`timesort` shifted;
 * - an identical event (name, course, module, instance, start, duration, description) is not inserted twice;
 * - `event` and `event_description` are mapped and the `calendar`/`event_description` file area is listed; the
 *   first occurrence of a repeated series gets its own `repeatid` set.
 * User events (`eventtype` user) are restored only with the `users` setting: without users they would belong to
 * the restoring user.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { contextFiles } from './activities/context-files.ts';
import { addFileArea } from './activities/file-areas.ts';
import { num, text } from './support.ts';

/** `CALENDAR_EVENT_TYPE_ACTION`. */
const ACTION_EVENT = 1;

export const calendarStage = defineStage({
  name: 'calendar',
  enabledBy: ['calendarevents'],
  reads: ['course/calendar.xml', 'activities/*/calendar.xml'],
  weight: 1,
  async run(ctx) {
    const files = await contextFiles(ctx, 'calendar.xml');
    const seen = new Set<string>();
    const repeatFixed = new Set<number>();
    for (const [index, file] of files.entries()) {
      const instance = file.activity ? await activityInstance(ctx, file.activity.cmId) : 0;
      const userinfo = file.activity
        ? ctx.settings.activityUserinfo(file.activity.key)
        : ctx.settings.root('users') !== 0;
      let restored = false;
      for await (const record of ctx.source.records(file.entry, { paths: ['/events/event'] })) {
        const row = eventRow(ctx, record.data, instance, userinfo);
        if (!row) continue;
        const key = JSON.stringify([
          row.name,
          row.courseid,
          row.modulename,
          row.instance,
          row.timestart,
          row.timeduration,
          row.description,
        ]);
        if (seen.has(key)) continue;
        seen.add(key);
        const id = await ctx.rows.insert('event', row);
        ctx.ids.set('event', num(record.data.id), id);
        ctx.ids.set('event_description', num(record.data.id), id);
        restored = true;
        const repeatid = num(row.repeatid);
        if (repeatid > 0 && !repeatFixed.has(repeatid)) {
          repeatFixed.add(repeatid);
          if (repeatid !== id) await ctx.rows.update('event', repeatid, { repeatid });
        }
      }
      if (restored && file.oldContextId !== null) {
        addFileArea(ctx, {
          component: 'calendar',
          filearea: 'event_description',
          itemname: 'event_description',
          oldContextId: file.oldContextId,
        });
      }
      ctx.progress(index + 1, files.length);
    }
  },
});

// Internal helpers

async function activityInstance(ctx: RestoreContext, cmId: number): Promise<number> {
  const [cm] = await ctx.rows.select('course_modules', { id: cmId }, { limit: 1 });
  return cm ? Number(cm.instance) : 0;
}

/** The `event` row, or `undefined` when the event is skipped. */
function eventRow(
  ctx: RestoreContext,
  data: XmlObject,
  instance: number,
  userinfo: boolean,
): Record<string, unknown> | undefined {
  if (num(data.type) === ACTION_EVENT) return undefined;
  const courseid = num(data.courseid);
  const modulename = text(data.modulename);
  const isUserOverride = courseid === 0 && modulename !== '' && num(data.instance) !== 0;
  if (isUserOverride && !userinfo) return undefined;
  const userid = ctx.ids.get('user', text(data.userid)) ?? ctx.state.restorerUserId;
  let groupid = 0;
  if (num(data.groupid) !== 0) {
    const mapped = ctx.ids.get('group', text(data.groupid));
    if (mapped === undefined) return undefined;
    groupid = mapped;
  }
  let eventtype = text(data.eventtype);
  if (eventtype === '') {
    if (courseid === 1) eventtype = 'site';
    else if (courseid !== 0 && groupid === 0 && (modulename === 'assign' || modulename === 'assignment'))
      eventtype = 'due';
    else if (courseid !== 0 && groupid === 0) eventtype = 'course';
    else if (groupid !== 0) eventtype = 'group';
    else eventtype = 'user';
  }
  if (eventtype === 'user' && ctx.settings.root('users') === 0) return undefined;
  return {
    name: text(data.name),
    description: text(data.description),
    format: num(data.format),
    courseid: courseid !== 0 ? ctx.state.courseId : 0,
    groupid,
    userid,
    repeatid: ctx.ids.get('event', text(data.repeatid)) ?? 0,
    modulename,
    instance,
    type: num(data.type),
    eventtype,
    timestart: ctx.shiftDate(data.timestart) ?? 0,
    timeduration: num(data.timeduration),
    timesort: data.timesort === undefined ? null : ctx.shiftDate(data.timesort),
    visible: num(data.visible, 1),
    uuid: text(data.uuid),
    sequence: num(data.sequence, 1),
    timemodified: num(data.timemodified),
    priority: data.priority === undefined ? null : data.priority,
    location: data.location === undefined ? null : data.location,
    component: data.component === undefined ? null : data.component,
    categoryid: 0,
    subscriptionid: null,
  };
}
