/**
 * An activity whose module the target cannot hold (no plugin, no spec, or no table): kept as its raw records in
 * this project's `mbz_module_records` table instead of being dropped, so nothing of the backup is lost.
 *
 * Moodle skips such an activity (`restore_activity_task` is not built for a module whose plugin is missing). Here
 * `module.xml` becomes one row (path `/module`) and every element of `<mod>.xml` with an `id` attribute one row
 * (JSON of its own fields and attributes, children excluded). User data cannot be told apart generically, so with
 * the activity's userinfo off only `/activity/<mod>` is kept. `<mod>.xml` is read whole (the structure is not
 * known), so a file over {@link MAX_RAW_BYTES} is skipped with a warning: memory stays bounded. No
 * `course_modules` row is written (there is no installed module to point at) and no id is remapped.
 */
import type { BackupActivityRef } from '../../backup/manifest.ts';
import type { RestoreContext } from '../../pipeline/context.ts';
import { parseXmlDocument } from '../../xml/parse-document.ts';
import type { XmlObject, XmlValue } from '../../xml/types.ts';
import { num } from '../support.ts';

/** Largest `<mod>.xml` read whole. */
export const MAX_RAW_BYTES = 8 * 1024 * 1024;

/** Writes the raw rows of an unknown activity; returns how many. */
export async function restoreRawModule(ctx: RestoreContext, activity: BackupActivityRef, key: string): Promise<number> {
  const name = activity.moduleName;
  const moduleEntry = `${activity.directory}/module.xml`;
  const entry = `${activity.directory}/${name}.xml`;
  let module: XmlObject | undefined;
  for await (const record of ctx.source.records(moduleEntry, { paths: ['/module'] })) {
    module = record.data;
    break;
  }
  const base = {
    courseid: ctx.state.courseId,
    modulename: name,
    oldcmid: num(module?.id, activity.moduleId),
    sectionid: ctx.ids.get('course_section', num(module?.sectionid, activity.sectionId)) ?? 0,
  };
  let rows = 0;
  const write = async (where: string, path: string, data: XmlObject): Promise<void> => {
    await ctx.rows.insert('mbz_module_records', {
      ...base,
      entry: where,
      path,
      oldid: num(data.id, 0),
      data: JSON.stringify(ownFields(data)),
    });
    rows++;
  };
  if (module) await write(moduleEntry, '/module', module);
  const bytes = await readCapped(ctx, entry);
  if (bytes === 'too-large') {
    ctx.warn(
      'unknown-module-too-large',
      `Activity ${key}: ${entry} is larger than ${MAX_RAW_BYTES} bytes; its records are not kept.`,
      entry,
    );
    return rows;
  }
  if (bytes === undefined) return rows;
  let document: XmlObject;
  try {
    document = parseXmlDocument(bytes, { entry });
  } catch (error) {
    ctx.warn(
      'activity-xml-invalid',
      `Activity ${key}: ${entry} could not be read (${(error as Error).message}); its records are not kept.`,
      entry,
    );
    return rows;
  }
  const userinfo = ctx.settings.activityUserinfo(key);
  const keep = (path: string): boolean => userinfo || path === `/activity/${name}`;
  const walk = async (path: string, value: XmlValue): Promise<void> => {
    if (Array.isArray(value)) {
      for (const item of value) await walk(path, item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (typeof value.id === 'string' && keep(path)) await write(entry, path, value);
    for (const [child, inner] of Object.entries(value))
      if (inner !== null && typeof inner === 'object') await walk(`${path}/${child}`, inner);
  };
  for (const [root, value] of Object.entries(document)) await walk(`/${root}`, value);
  return rows;
}

// Internal helpers

/** The scalar fields of an element (attributes and text children); nested elements are left out. */
function ownFields(data: XmlObject): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(data))
    if (value === null || typeof value === 'string') out[field] = value;
  return out;
}

/** The bytes of an entry, `'too-large'` past {@link MAX_RAW_BYTES} (reading stops there), undefined when missing. */
async function readCapped(ctx: RestoreContext, entry: string): Promise<Uint8Array | 'too-large' | undefined> {
  if (!ctx.source.has(entry)) return undefined;
  const stream = await ctx.source.open(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.byteLength;
    if (size > MAX_RAW_BYTES) {
      stream.destroy();
      return 'too-large';
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
