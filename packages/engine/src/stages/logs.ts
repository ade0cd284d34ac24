/**
 * Logs (§3.13, §5.12 of the format reference): `logstores.xml` of each included activity and of the
 * course → `logstore_standard_log`, and legacy `logs.xml` → `log`. Follows
 * `restore_activity_logstores_structure_step` / `restore_course_logstores_structure_step`
 * (`backup/moodle2/restore_stepslib.php`) with the logstore_standard restore subplugin
 * (`admin/tool/log/store/standard/backup/moodle2/restore_logstore_standard_subplugin.class.php`, path
 * `/logstores/logstore/subplugin_logstore_standard_logstore/logstore_standard_log`) and its parent
 * `restore_tool_log_logstore_subplugin::process_log()`:
 * - `contextid` mapped through the id map; `contextlevel` / `contextinstanceid` from the new context;
 *   `courseid` = the new course;
 * - `userid` mapped; `relateduserid` and `realuserid` mapped when set;
 * - the row is skipped when its context, user, related user or real user was not restored (so the
 *   gradebook's `user_graded` rows logged with user -1, "system", never come back);
 * - `objectid` remapped through its object table (`logs/objectid-mapping.ts`); an id that cannot be
 *   mapped becomes NOT_FOUND / NOT_MAPPED and never skips the row;
 * - `other` is stored decoded (the backup holds it base64-encoded; Moodle decodes and re-encodes it in
 *   the site's format, JSON or PHP-serialised, which Moodle reads either way). Ids inside `other`, which
 *   Moodle remaps per event class (`get_other_mapping()`), are kept as they are;
 * - no date shift (logs are immutable, MDL-44961).
 * Moodle also logs the events it fires while restoring (`course_restored`, sections, enrol instances,
 * role assignments …): the restore-events stage writes those (`restore-events.ts`), after this one.
 *
 * Legacy `logs.xml` (`restore_course_logs_structure_step`, `restore_activity_logs_structure_step`): user
 * mapped or the row is skipped, `course` = new course, `cmid` = the activity's new course module (0 for
 * course logs). Moodle then passes each row through per-module `restore_log_rule`s that rewrite `url`
 * and `info` and drop rows without a rule, and writes it only when the legacy log store is enabled (it
 * is gone in Moodle 4.x); the engine keeps `url` and `info` as they are.
 *
 * Hot path (up to a million rows): records are streamed, every look-up is an in-memory map (ids, a
 * per-context cache filled once per distinct context), rows go to the batching row writer.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { NOT_FOUND, NOT_MAPPED, OBJECT_TABLE_ITEMNAMES } from './logs/objectid-mapping.ts';
import { num, text } from './support.ts';
import { ContextLookup, includedActivities } from './task-targets.ts';

const STANDARD_LOG = '/logstores/logstore/subplugin_logstore_standard_logstore/logstore_standard_log';
const LEGACY_LOG = '/logs/log';

/** Why rows were skipped, counted for one warning each. */
interface Skipped {
  context: number;
  user: number;
}

export const logsStage = defineStage({
  name: 'logs',
  enabledBy: ['users', 'logs'],
  reads: ['activities/*/logstores.xml', 'course/logstores.xml', 'activities/*/logs.xml', 'course/logs.xml'],
  weight: 10,
  async run(ctx) {
    const contexts = new ContextLookup(ctx);
    const activities = includedActivities(ctx);
    // Moodle's order: each activity task, then the final task's course logs.
    const standard = [...activities.map((a) => `${a.directory}/logstores.xml`), 'course/logstores.xml'].filter((e) =>
      ctx.source.has(e),
    );
    const legacy = [
      ...activities.map((a) => ({ entry: `${a.directory}/logs.xml`, cmid: () => contexts.moduleId(a) })),
      { entry: 'course/logs.xml', cmid: () => 0 },
    ].filter((l) => ctx.source.has(l.entry));
    const total = standard.length + legacy.length;
    const skipped: Skipped = { context: 0, user: 0 };
    for (const [index, entry] of standard.entries()) {
      await restoreStandardLog(ctx, contexts, entry, skipped);
      ctx.progress(index + 1, total);
    }
    for (const [index, { entry, cmid }] of legacy.entries()) {
      const newCmid = cmid();
      if (newCmid !== undefined) await restoreLegacyLog(ctx, entry, newCmid, skipped);
      ctx.progress(standard.length + index + 1, total);
    }
    if (skipped.context > 0)
      ctx.warn(
        'log-context-unmapped',
        `${skipped.context} log rows belong to contexts that were not restored; they were skipped (as Moodle does).`,
      );
    if (skipped.user > 0)
      ctx.warn(
        'log-user-unmapped',
        `${skipped.user} log rows name a user, related user or real user who was not restored; they were skipped (as Moodle does).`,
      );
  },
});

// Internal helpers

async function restoreStandardLog(
  ctx: RestoreContext,
  contexts: ContextLookup,
  entry: string,
  skipped: Skipped,
): Promise<void> {
  const { ids, rows } = ctx;
  const courseid = ctx.state.courseId;
  for await (const record of ctx.source.records(entry, { paths: [STANDARD_LOG] })) {
    // The record is this loop's own object: it is completed in place and handed to the row writer, which
    // keeps only the table's columns (no copy per row on the hot path).
    const row = record.data as Record<string, unknown>;
    const contextid = ids.get('context', row.contextid as string | null);
    const facts =
      contextid === undefined ? undefined : (contexts.known(contextid) ?? (await contexts.facts(contextid)));
    if (facts === undefined) {
      skipped.context++;
      continue;
    }
    const userid = ids.get('user', row.userid as string | null);
    const relateduserid = optionalUser(ctx, row.relateduserid);
    const realuserid = optionalUser(ctx, row.realuserid);
    if (userid === undefined || relateduserid === undefined || realuserid === undefined) {
      skipped.user++;
      continue;
    }
    row.contextid = contextid;
    row.contextlevel = facts.contextlevel;
    row.contextinstanceid = facts.instanceid;
    row.courseid = courseid;
    row.userid = userid;
    row.relateduserid = relateduserid;
    row.realuserid = realuserid;
    row.objectid = objectId(ctx, row);
    row.other = decodeOther(row.other);
    await rows.insert('logstore_standard_log', row);
  }
}

async function restoreLegacyLog(ctx: RestoreContext, entry: string, cmid: number, skipped: Skipped): Promise<void> {
  for await (const record of ctx.source.records(entry, { paths: [LEGACY_LOG] })) {
    const data = record.data;
    const userid = ctx.ids.get('user', text(data.userid));
    if (userid === undefined) {
      skipped.user++;
      continue;
    }
    await ctx.rows.insert('log', {
      ...data,
      userid,
      course: ctx.state.courseId,
      cmid,
      url: text(data.url),
      info: text(data.info),
    });
  }
}

/** A user reference that may be empty: the empty value itself, the new id, or `undefined` when not restored. */
function optionalUser(ctx: RestoreContext, value: unknown): number | null | undefined {
  if (num(value) === 0) return value === null || value === undefined || value === '' ? null : 0;
  return ctx.ids.get('user', text(value));
}

/** The new `objectid` (see `logs/objectid-mapping.ts`); NULL and 0 stay as they are. */
function objectId(ctx: RestoreContext, data: Record<string, unknown>): number | null {
  const old = num(data.objectid);
  if (old === 0) return data.objectid === null || data.objectid === undefined || data.objectid === '' ? null : 0;
  const itemname = OBJECT_TABLE_ITEMNAMES.get(text(data.objecttable));
  if (!itemname) return NOT_MAPPED;
  return ctx.ids.get(itemname, old) ?? NOT_FOUND;
}

/**
 * `other` as the site stores it: the backup's base64 (`backup_logstore_standard_subplugin` always encodes
 * it) decoded. A value whose length cannot be base64 is kept as it is.
 */
function decodeOther(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const raw = value.trim();
  if (raw === '' || raw.length % 4 !== 0) return raw;
  return Buffer.from(raw, 'base64').toString('utf8');
}
