/**
 * The generic interpreter of module specs (`modules/*.ts`): streams one activity's `<mod>.xml` and turns every
 * record at a declared path into a row, the way each `restore_<mod>_stepslib.php` `process_<element>()` does
 * with `get_new_parentid()`, `get_mappingid()`, `apply_date_offset()` and `set_mapping()`:
 *
 * - `parent` columns take the new id of the nearest enclosing record registered under that item name (falling
 *   back to the last one written in this file, as `get_new_parentid()` does); a record whose parent was not
 *   written is skipped with everything inside it.
 * - `course` columns take the new course id; `dates` are shifted; `drop` fields are removed.
 * - `refs` are remapped through the id map; NULL, '' and 0 are kept; an unmapped id follows the declared policy
 *   (skip the record, 0, NULL, keep). `deferred` refs (self references) are resolved at once when the target is
 *   already restored, otherwise after the whole file (a negative value there is a constant, not an id, and is
 *   kept); deferred refs with policy `skip` are the module hooks' business.
 * - userinfo paths are read only with `<mod>_<cmid>_userinfo`; the item name is mapped old → new; the file areas
 *   of every path in use go to `ctx.state.fileAreas` with the module's old context.
 * - A field written encrypted (`encrypted="true"`) becomes NULL: Moodle cannot decrypt another site's values.
 * - Tag paths (`tag` in the spec) go through `addItemTag()` (`core_tag_tag::add_item_tag()`) in the module context.
 * - Paths Moodle does not simply insert ("Not a plain insert") and tables missing from the schema are
 *   skipped with one `module-data-not-restored` warning per path and restore, unless a hook handles them.
 */
import { NO_TABLE } from '../../modules/common.ts';
import type { RecordSpec, RefSpec } from '../../modules/types.ts';
import { MOODLE_TABLES } from '../../schema/moodle-schema.ts';
import type { XmlRecord } from '../../xml/types.ts';
import { num, text } from '../support.ts';
import { addItemTag } from '../tags.ts';
import { commonPrepare } from './common-hooks.ts';
import { addFileArea } from './file-areas.ts';
import type { ActivityRun, ModuleHooks, RecordEvent } from './module-run.ts';

const TABLES = new Set(MOODLE_TABLES.map((t) => t.name));
const WARNED = new WeakMap<object, Set<string>>();

/** A reference to fix once the whole file is read. */
interface DeferredRef {
  readonly table: string;
  readonly id: number;
  readonly column: string;
  readonly ref: RefSpec;
  readonly oldId: number;
}

/** Restores the module's own XML of one activity; sets `run.instanceId` when the instance row is written. */
export async function interpretModule(run: ActivityRun, hooks: ModuleHooks | undefined): Promise<void> {
  const { ctx, spec } = run;
  const byPath = new Map(spec.records.map((r) => [r.path, r]));
  const blocked = blockedPaths(run, hooks);
  for (const record of spec.records) {
    if (blocked.has(record.path)) continue;
    for (const area of record.files ?? []) addFileArea(ctx, { ...area, oldContextId: run.oldContextId });
  }
  const written = new WeakMap<XmlRecord, number>();
  const skipped = new WeakSet<XmlRecord>();
  const deferred: DeferredRef[] = [];
  const instancePath = spec.records[0]?.path;

  for await (const record of ctx.source.records(run.entry, { paths: ['/activity', ...byPath.keys()] })) {
    const rspec = byPath.get(record.path);
    if (!rspec) continue;
    if ((record.parent && skipped.has(record.parent)) || blocked.has(rspec.path)) {
      const reason = blocked.get(rspec.path);
      if (reason && !(record.parent && skipped.has(record.parent))) warnOnce(run, rspec, reason);
      skipped.add(record);
      continue;
    }
    const pending: Array<Omit<DeferredRef, 'id'>> = [];
    const row = buildRow(run, rspec, record, byPath, written, pending);
    if (!row) {
      skipped.add(record);
      continue;
    }
    const event: RecordEvent = { run, spec: rspec, record, row };
    const pathHooks = hooks?.paths?.[rspec.path];
    // Awaited only when a hook exists: a record is the hot path, and an await costs a turn of the event loop.
    const prepared =
      commonPrepare(event) && (pathHooks?.prepare === undefined || (await pathHooks.prepare(event)) !== false);
    if (!prepared) {
      skipped.add(record);
      continue;
    }
    const id = pathHooks?.insert
      ? await pathHooks.insert(event)
      : rspec.tag
        ? await insertTag(run, rspec.tag, row, record)
        : await ctx.rows.insert(rspec.table, row);
    if (id === undefined) {
      skipped.add(record);
      continue;
    }
    written.set(record, id);
    if (rspec.itemname) {
      if (record.data.id !== undefined && record.data.id !== null) ctx.ids.set(rspec.itemname, num(record.data.id), id);
      run.lastIds.set(rspec.itemname, id);
    }
    if (rspec.path === instancePath) run.instanceId = id;
    for (const ref of pending) deferred.push({ ...ref, id });
    if (pathHooks?.after) await pathHooks.after(event, id);
  }
  await hooks?.finish?.(run);
  await resolveDeferred(run, deferred);
}

// Internal helpers

/** A module item's tag (`core_tag_tag::add_item_tag()` in the module context); the tag id, or `undefined` when empty. */
async function insertTag(
  run: ActivityRun,
  tag: NonNullable<RecordSpec['tag']>,
  row: Record<string, unknown>,
  record: XmlRecord,
): Promise<number | undefined> {
  const itemid = num(row.itemid);
  if (!itemid) return undefined;
  const rawname = text(record.data.rawname) || text(record.data.name);
  return addItemTag(run.ctx, {
    component: tag.component,
    itemtype: tag.itemtype,
    itemid,
    contextid: run.contextId,
    rawname,
  });
}

/** Paths whose records are not written, with the reason to warn about (empty reason = silent). */
function blockedPaths(run: ActivityRun, hooks: ModuleHooks | undefined): Map<string, string> {
  const blocked = new Map<string, string>();
  for (const r of run.spec.records) {
    if (r.table === NO_TABLE) blocked.set(r.path, '');
    else if (r.userinfo && !run.userinfo) blocked.set(r.path, '');
    else if (hooks?.handles?.includes(r.path)) continue;
    else if (!TABLES.has(r.table)) blocked.set(r.path, `the table ${r.table} is not in the engine's schema`);
    else if (r.table === 'tag_instance' && !r.tag) blocked.set(r.path, 'tags are not restored');
    else if (/^Not (a plain insert|an insert)/.test(r.notes ?? ''))
      blocked.set(r.path, 'Moodle does not simply insert it and the engine does not reproduce that');
  }
  return blocked;
}

function warnOnce(run: ActivityRun, rspec: RecordSpec, reason: string): void {
  if (reason === '') return;
  let seen = WARNED.get(run.ctx.state);
  if (!seen) WARNED.set(run.ctx.state, (seen = new Set()));
  if (seen.has(rspec.path)) return;
  seen.add(rspec.path);
  run.ctx.warn(
    'module-data-not-restored',
    `Records at ${rspec.path} (${run.spec.name}) are not restored: ${reason}.`,
    run.entry,
  );
}

/** The row of a record, or `null` when the record is skipped (no parent, or an unmapped ref with policy `skip`). */
function buildRow(
  run: ActivityRun,
  rspec: RecordSpec,
  record: XmlRecord,
  byPath: ReadonlyMap<string, RecordSpec>,
  written: WeakMap<XmlRecord, number>,
  pending: Array<Omit<DeferredRef, 'id'>>,
): Record<string, unknown> | null {
  const { ctx } = run;
  const plan = rowPlan(rspec);
  // A copy without `id` and the dropped fields (hooks read renamed or obsolete fields from `record.data`),
  // made without `delete`, which would turn the row into a slow dictionary object.
  const row: Record<string, unknown> = {};
  const data = record.data;
  for (const key in data) if (!plan.omit.has(key)) row[key] = leafValue(data[key]);
  for (const [column, itemname] of plan.parent) {
    const id = enclosingId(record, itemname, byPath, written) ?? run.lastIds.get(itemname);
    if (id === undefined) return null;
    row[column] = id;
  }
  for (const column of rspec.course ?? []) row[column] = ctx.state.courseId;
  for (const [column, ref] of plan.refs) {
    const value = row[column];
    if (value === undefined || value === null || value === '' || typeof value === 'object') continue;
    const oldId = Number(value);
    if (!Number.isFinite(oldId) || oldId === 0) continue;
    if (ref.deferred) {
      if (ref.unmapped === 'skip' || oldId < 0) continue;
      const mapped = ctx.ids.get(ref.itemname, oldId);
      if (mapped !== undefined) row[column] = mapped;
      else pending.push({ table: rspec.table, column, ref, oldId });
      continue;
    }
    const mapped = ctx.ids.get(ref.itemname, oldId);
    if (mapped !== undefined) row[column] = mapped;
    else if (ref.unmapped === 'skip') return null;
    else row[column] = unmappedValue(ref, oldId);
  }
  for (const column of rspec.dates ?? []) {
    if (column in row) row[column] = ctx.shiftDate(row[column]);
  }
  return row;
}

/**
 * A field's value as Moodle's parser hands it to `process_<element>()`: the element's text, attributes left out.
 * A field the backup wrote with `encrypted_final_element` (`<password encrypted="true">…</password>`) is
 * decrypted with the producing site's backup key (`restore_structure_step::decrypt()`), which no other site
 * and no store has: as Moodle does on another site, it becomes NULL (e.g. `lti.resourcekey`, `lti.password`).
 */
function leafValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if ((value as Record<string, unknown>).encrypted !== undefined) return null;
  return value;
}

/** What {@link buildRow} needs of a record spec, computed once per spec. */
interface RowPlan {
  readonly omit: ReadonlySet<string>;
  readonly parent: ReadonlyArray<readonly [string, string]>;
  readonly refs: ReadonlyArray<readonly [string, RefSpec]>;
}

const ROW_PLANS = new WeakMap<RecordSpec, RowPlan>();

function rowPlan(rspec: RecordSpec): RowPlan {
  let plan = ROW_PLANS.get(rspec);
  if (!plan) {
    plan = {
      omit: new Set(['id', ...(rspec.drop ?? [])]),
      parent: Object.entries(rspec.parent ?? {}),
      refs: Object.entries(rspec.refs ?? {}),
    };
    ROW_PLANS.set(rspec, plan);
  }
  return plan;
}

/** New id of the nearest enclosing record registered under `itemname`; `undefined` when there is none or it was skipped. */
function enclosingId(
  record: XmlRecord,
  itemname: string,
  byPath: ReadonlyMap<string, RecordSpec>,
  written: WeakMap<XmlRecord, number>,
): number | undefined {
  for (let up = record.parent; up; up = up.parent) {
    if (byPath.get(up.path)?.itemname === itemname) return written.get(up);
  }
  return undefined;
}

function unmappedValue(ref: RefSpec, oldId: number): number | null {
  switch (ref.unmapped ?? 'zero') {
    case 'null':
      return null;
    case 'keep':
      return oldId;
    default:
      return 0;
  }
}

/** Fixes deferred references once every record of the file exists: one update per row. */
async function resolveDeferred(run: ActivityRun, deferred: readonly DeferredRef[]): Promise<void> {
  const changes = new Map<string, { table: string; id: number; values: Record<string, unknown> }>();
  for (const d of deferred) {
    const mapped = run.ctx.ids.get(d.ref.itemname, d.oldId);
    const policy = d.ref.unmapped ?? 'zero';
    if (mapped === undefined && policy === 'keep') continue;
    const key = `${d.table}/${d.id}`;
    let change = changes.get(key);
    if (!change) changes.set(key, (change = { table: d.table, id: d.id, values: {} }));
    change.values[d.column] = mapped ?? unmappedValue(d.ref, d.oldId);
  }
  for (const change of changes.values()) await run.ctx.rows.update(change.table, change.id, change.values);
}
