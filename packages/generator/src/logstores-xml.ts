/**
 * Writes `course/logstores.xml` and `activities/<mod>_<cmid>/logstores.xml` as Moodle 4.3 does
 * (`backup_logstore_standard_subplugin` under the `logstores` root: an empty database-logstore
 * subplugin element, then one `logstore_standard_log` per row). The backed-up row has the fields
 * below only — `courseid`, `contextlevel`, `contextinstanceid` and `origin` are not in the file
 * (restore recomputes them from the mapped context) — and `other` is base64 of the JSON payload.
 *
 * Rows come out in time order: setup events at creation time, then activity and filler events
 * interleaved evenly over the term (a Bresenham-style merge, so both streams stay in order).
 */
import {
  courseActivityEvents,
  courseSetupEvents,
  courseViewed,
  activitySetupEvents,
  activityUserEvents,
  encodeOther,
  moduleViewed,
  type LogEvent,
} from './log-events.ts';
import type { LogFilePlan } from './log-plan.ts';
import type { CourseModel, UserInfo } from './model-types.ts';
import { createRng, type Rng } from './prng.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders one logstores.xml according to its plan. */
export async function renderLogstores(w: XmlWriter, ctx: RenderContext, plan: LogFilePlan): Promise<void> {
  const { model } = ctx;
  const a = plan.activity;
  const rng = createRng(model.seed, 'log-rows', plan.path);
  w.open('logstores')
    .open('logstore')
    .empty('subplugin_logstore_database_logstore')
    .open('subplugin_logstore_standard_logstore');

  let id = plan.firstId;
  const setupStart = a === undefined ? model.time.created : a.added;
  let i = 0;
  for (const event of a === undefined ? courseSetupEvents(model) : activitySetupEvents(model, a)) {
    writeRow(w, id++, event, setupStart + i++);
    ctx.counts.logEntriesLogstore++;
    await w.maybeFlush();
  }

  const events = (a === undefined ? courseActivityEvents(model) : activityUserEvents(model, a))[Symbol.iterator]();
  const n = plan.events + plan.filler;
  const start = model.time.startdate;
  const span = model.time.enddate - start;
  let taken = 0;
  for (let k = 0; k < n; k++) {
    const time = start + Math.floor(((k + rng.next()) * span) / n);
    let event: LogEvent | undefined;
    if (Math.floor(((k + 1) * plan.events) / n) > taken) {
      event = events.next().value as LogEvent | undefined;
      taken++;
    } else {
      event =
        a === undefined ? courseViewed(model, fillerUser(model, rng)) : moduleViewed(a, randomStudent(model, rng));
    }
    if (event === undefined) throw new Error(`log plan mismatch in ${plan.path}`);
    writeRow(w, id++, event, time);
    ctx.counts.logEntriesLogstore++;
    await w.maybeFlush();
  }
  w.close().close().close();
}

// Internal helpers

function writeRow(w: XmlWriter, id: number, e: LogEvent, time: number): void {
  w.open('logstore_standard_log', { id })
    .leaf('eventname', e.eventname)
    .leaf('component', e.component)
    .leaf('action', e.action)
    .leaf('target', e.target)
    .leaf('objecttable', e.objecttable)
    .leaf('objectid', e.objectid)
    .leaf('crud', e.crud)
    .leaf('edulevel', e.edulevel)
    .leaf('contextid', e.contextid)
    .leaf('userid', e.userid)
    .leaf('relateduserid', e.relateduserid)
    .leaf('anonymous', 0)
    .leaf('other', encodeOther(e.other))
    .leaf('timecreated', time)
    .leaf('ip', e.ip)
    .leaf('realuserid', null)
    .close();
}

function randomStudent(model: CourseModel, rng: Rng): UserInfo {
  return model.students.length > 0 ? (model.students[rng.int(0, model.students.length - 1)] as UserInfo) : model.admin;
}

/** Course viewers: mostly students, sometimes a teacher. */
function fillerUser(model: CourseModel, rng: Rng): UserInfo {
  if (model.teachers.length > 0 && rng.chance(0.05))
    return model.teachers[rng.int(0, model.teachers.length - 1)] as UserInfo;
  return randomStudent(model, rng);
}
