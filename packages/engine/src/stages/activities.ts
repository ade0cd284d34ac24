/**
 * The activities: for each included activity, in Moodle's task order (each section of the manifest in turn, then
 * its activities in manifest order; activities of sections not in the backup last), the `course_modules` row, the
 * module context and the module's own records.
 *
 * Follows `restore_module_structure_step::process_module()` (`backup/moodle2/restore_stepslib.php`): `module` by
 * `modules.name`, section by `course_section` mapping, else by number, else the lowest section, else new sections
 * 0 and 1; `groupingid` remapped; `idnumber` blanked unless unique in the course (`grade_verify_idnumber()`);
 * `completionexpected` shifted; pre-2.7 availability fields converted; the cmid appended to the section's
 * `sequence`; then the module context (level 70 under the course context). `restore_activity_structure_step`:
 * `/activity/@contextid` is mapped to the new context and the instance (item `<modname>`) to its new id, which
 * becomes `course_modules.instance` (`apply_activity_instance()`). The module's own XML is restored by the generic
 * interpreter of `MODULE_SPECS` (`activities/interpret-module.ts`) with the module hooks of `activities/`.
 *
 * Departures: the cm and context ids are reserved first and the rows written once the instance exists, so
 * `course_modules` is inserted with its final `instance` and no section is updated per module (the sequences are
 * written once at the end). A module whose plugin is missing on the target (no `modules` row, no spec, or its
 * table is not in the schema) is not a working activity: as Moodle skips a module it cannot restore, no
 * `course_modules` row is written, but its records are kept raw in this project's `mbz_module_records`
 * (`activities/raw-module.ts`), with an `unknown-module` warning. Course-module and module item tags are restored through `stages/tags.ts`. Pre-2.7
 * availability (fields and `availability_info` records) is converted to JSON as Moodle writes it
 * (`activities/availability.ts` `moduleAvailability()`), which `finalize` updates like every availability JSON.
 */
import type { BackupActivityRef } from '../backup/manifest.ts';
import { MODULE_SPECS } from '../modules/index.ts';
import type { ModuleSpec } from '../modules/types.ts';
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { MOODLE_TABLES } from '../schema/moodle-schema.ts';
import type { XmlObject } from '../xml/types.ts';
import { moduleAvailability } from './activities/availability.ts';
import { interpretModule } from './activities/interpret-module.ts';
import { MODULE_HOOKS } from './activities/module-hooks.ts';
import type { ActivityRun } from './activities/module-run.ts';
import { restoreRawModule } from './activities/raw-module.ts';
import { SectionIndex } from './activities/section-index.ts';
import { activityKey, activitiesInTaskOrder } from './activities/task-order.ts';
import { ContextLevel, insertContext, list, num, text } from './support.ts';
import { addItemTag } from './tags.ts';

const TABLES = new Set(MOODLE_TABLES.map((t) => t.name));

export const activitiesStage = defineStage({
  name: 'activities',
  enabledBy: ['activities'],
  reads: ['activities/*/module.xml', 'activities/*/*.xml'],
  weight: 10,
  async run(ctx) {
    const modules = new Map((await ctx.rows.select('modules')).map((m) => [String(m.name), Number(m.id)]));
    const sections = await SectionIndex.load(ctx);
    const idnumbers = new Set<string>();
    const activities = activitiesInTaskOrder(ctx.manifest);
    for (const [index, activity] of activities.entries()) {
      ctx.signal.throwIfAborted();
      await restoreActivity(ctx, activity, { modules, sections, idnumbers });
      ctx.progress(index + 1, activities.length);
    }
    await sections.writeSequences();
  },
});

// Internal helpers

/** What every activity of the stage shares. */
interface StageShared {
  readonly modules: ReadonlyMap<string, number>;
  readonly sections: SectionIndex;
  /** idnumbers of the course's modules so far. */
  readonly idnumbers: Set<string>;
}

async function restoreActivity(ctx: RestoreContext, activity: BackupActivityRef, shared: StageShared): Promise<void> {
  const key = activityKey(activity);
  if (!ctx.settings.activityIncluded(key)) return;
  const name = activity.moduleName;
  const spec = MODULE_SPECS[name];
  const moduleId = shared.modules.get(name);
  const moduleEntry = `${activity.directory}/module.xml`;
  if (moduleId === undefined || !spec || !TABLES.has(spec.records[0]?.table ?? '')) {
    const kept = await restoreRawModule(ctx, activity, key);
    ctx.warn(
      'unknown-module',
      `Activity ${key} is a "${name}" module, which the target cannot hold: it was kept as raw records in mdl_mbz_module_records (${kept} rows) and is not a working activity.`,
      moduleEntry,
    );
    return;
  }
  const module = await firstRecord(ctx, moduleEntry, '/module', ['tags/tag']);
  if (!module) {
    ctx.warn('module-xml-missing', `Activity ${key} has no readable ${moduleEntry}; it is not restored.`, moduleEntry);
    return;
  }
  const entry = `${activity.directory}/${name}.xml`;
  const head = await activityHead(ctx, entry, spec);
  if (!head) {
    ctx.warn('activity-xml-missing', `Activity ${key} has no ${name} record in ${entry}; it is not restored.`, entry);
    return;
  }
  const cmId = await ctx.rows.reserveId('course_modules');
  const contextId = await ctx.rows.reserveId('context');
  ctx.ids.set('context', head.contextid, contextId);
  const run: ActivityRun = {
    ctx,
    spec,
    key,
    entry,
    userinfo: ctx.settings.activityUserinfo(key),
    cmId,
    contextId,
    oldContextId: head.contextid,
    moduleVersion: num(module.version),
    instanceId: undefined,
    lastIds: new Map(),
    scratch: new Map(),
    cmChanges: {},
  };
  await interpretModule(run, MODULE_HOOKS[name]);
  const path = `${ctx.state.courseContextPath}/${contextId}`;
  await insertContext(ctx, contextId, ContextLevel.Module, cmId, path);
  if (run.instanceId === undefined) {
    ctx.warn(
      'activity-xml-invalid',
      `Activity ${key}: the ${name} record of ${entry} could not be restored; the activity is left out.`,
      entry,
    );
    return;
  }
  const sectionId = await shared.sections.resolve(
    num(module.sectionid, activity.sectionId),
    num(module.sectionnumber, -1),
  );
  // process_module() / process_availability_field(): availability JSON, or the pre-2.7 fields converted.
  run.cmChanges.availability ??= await moduleAvailability(ctx, module);
  await ctx.rows.insert(
    'course_modules',
    courseModuleRow(ctx, module, { moduleId, instance: run.instanceId, sectionId, shared, changes: run.cmChanges }),
    cmId,
  );
  ctx.ids.set('course_module', num(module.id, activity.moduleId), cmId);
  shared.sections.append(sectionId, cmId);
  // restore_module_structure_step::process_tag(): core_tag_tag::add_item_tag('core', 'course_modules', …).
  for (const tag of list(module.tags, 'tag')) {
    await addItemTag(ctx, {
      component: 'core',
      itemtype: 'course_modules',
      itemid: cmId,
      contextid: contextId,
      rawname: text(tag.rawname) || text(tag.name),
    });
  }
}

/** The `course_modules` row of `module.xml`. */
function courseModuleRow(
  ctx: RestoreContext,
  module: XmlObject,
  where: {
    moduleId: number;
    instance: number;
    sectionId: number;
    shared: StageShared;
    changes: Record<string, unknown>;
  },
): Record<string, unknown> {
  // grade_verify_idnumber() accepts an empty idnumber, so a NULL one stays NULL; a taken one becomes ''.
  let idnumber: string | null = typeof module.idnumber === 'string' ? module.idnumber : null;
  if (idnumber) {
    if (where.shared.idnumbers.has(idnumber)) idnumber = '';
    else where.shared.idnumbers.add(idnumber);
  }
  return {
    ...module,
    course: ctx.state.courseId,
    module: where.moduleId,
    instance: where.instance,
    section: where.sectionId,
    idnumber,
    groupingid: ctx.ids.get('grouping', text(module.groupingid)) ?? 0,
    completionexpected: ctx.shiftDate(module.completionexpected) ?? 0,
    showdescription: num(module.showdescription),
    deletioninprogress: 0,
    ...where.changes,
  };
}

/** The first record at `path` of an entry (the reader stops there). */
async function firstRecord(
  ctx: RestoreContext,
  entry: string,
  path: string,
  arrays: readonly string[] = [],
): Promise<XmlObject | undefined> {
  for await (const record of ctx.source.records(entry, { paths: [path], arrays: [...arrays] })) return record.data;
  return undefined;
}

/**
 * `/activity/@contextid` of a module's XML, when the file also holds the instance element. Reads only up to the
 * instance (every spec path is selected, so the instance is emitted before its first nested record).
 */
async function activityHead(
  ctx: RestoreContext,
  entry: string,
  spec: ModuleSpec,
): Promise<{ contextid: number } | undefined> {
  const instancePath = spec.records[0]!.path;
  let contextid: number | undefined;
  const paths = ['/activity', ...spec.records.map((r) => r.path)];
  for await (const record of ctx.source.records(entry, { paths })) {
    if (record.path === '/activity') contextid = num(record.data.contextid);
    else return record.path === instancePath && contextid !== undefined ? { contextid } : undefined;
  }
  return undefined;
}
