/**
 * Availability (access restriction) JSON of course modules and sections: conversion of the pre-2.7 fields and
 * the remapping Moodle does after a restore.
 *
 * - `legacyAvailability()` follows `\core_availability\info::convert_legacy_fields()`: `availablefrom` /
 *   `availableuntil` become date conditions (from shown per `showavailability`, until hidden); a module's
 *   `groupmembersonly` or a section's `groupingid` becomes a hidden grouping (or any-group) condition; then the pre-2.7 condition
 *   records (completion, grade, user profile field) are appended as Moodle's final task does.
 * - `remapAvailability()` follows the final task's `restore_update_availability` step, i.e.
 *   `\core_availability\info::update_after_restore()` and each condition's `update_after_restore()`:
 *   completion `cm` through `course_module` (negative = "previous activity" kept), grade `id` through
 *   `grade_item`, group and grouping `id` through `group` / `grouping`, an id that cannot be mapped becomes 0 (Moodle
 *   logs a warning and the condition can never be met), date conditions shifted by the restore's date offset.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { list, num, text } from '../support.ts';

/** Availability JSON made from the legacy fields of a module or section, or `null` when there are none. */
export function legacyAvailability(data: XmlObject, isSection: boolean): string | null {
  const conditions: Array<Record<string, unknown>> = [];
  const shown: boolean[] = [];
  const show = num(data.showavailability) !== 0;
  const grouping = num(data.groupingid);
  if (num(data.groupmembersonly) !== 0 || (isSection && grouping !== 0)) {
    // Group members only, never shown to students; any group when no grouping is given.
    conditions.push(grouping !== 0 ? { type: 'grouping', id: grouping } : { type: 'group' });
    shown.push(false);
  }
  if (num(data.availablefrom) !== 0) {
    conditions.push({ type: 'date', d: '>=', t: num(data.availablefrom) });
    shown.push(show);
  }
  if (num(data.availableuntil) !== 0) {
    // Until dates were never shown to students.
    conditions.push({ type: 'date', d: '<', t: num(data.availableuntil) });
    shown.push(false);
  }
  // Pre-2.7 condition records (`availability_info/availability`, `availability_field` in module.xml; directly
  // under `/section` in section.xml): `info::add_legacy_availability_condition()` and
  // `add_legacy_availability_field_condition()`.
  const holder = isSection ? data : data.availability_info;
  for (const rec of list(holder, 'availability')) {
    const condition = legacyCondition(rec);
    if (condition) {
      conditions.push(condition);
      shown.push(show);
    }
  }
  for (const rec of list(holder, 'availability_field')) {
    const op = text(rec.operator);
    const field = typeof rec.userfield === 'string' && rec.userfield !== '' ? { sf: rec.userfield } : { cf: text(rec.customfield) };
    if (op === '') continue;
    conditions.push({ type: 'profile', op, ...field, ...(op === 'isempty' || op === 'isnotempty' ? {} : { v: text(rec.value) }) });
    shown.push(show);
  }
  if (conditions.length === 0) return null;
  return JSON.stringify({ op: '&', showc: shown, c: conditions });
}

/** A completion or grade condition of a pre-2.7 availability record (with source ids; `finalize` remaps them). */
function legacyCondition(rec: XmlObject): Record<string, unknown> | undefined {
  if (num(rec.sourcecmid) !== 0) return { type: 'completion', cm: num(rec.sourcecmid), e: num(rec.requiredcompletion) };
  if (num(rec.gradeitemid) === 0) return undefined;
  const condition: Record<string, unknown> = { type: 'grade', id: num(rec.gradeitemid) };
  if (num(rec.grademin) !== 0) condition.min = num(rec.grademin);
  if (num(rec.grademax) !== 0) condition.max = num(rec.grademax);
  return condition;
}

/**
 * The availability JSON with source ids replaced by restored ones; `undefined` when nothing changed or the
 * text is not availability JSON. `onUnmapped` is told about every id that could not be mapped.
 */
export function remapAvailability(
  ctx: RestoreContext,
  json: string,
  onUnmapped: (kind: string, oldId: number) => void,
): string | undefined {
  let tree: unknown;
  try {
    tree = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(tree)) return undefined;
  let changed = false;
  const visit = (node: Record<string, unknown>): void => {
    if (Array.isArray(node.c)) {
      for (const child of node.c) if (isObject(child)) visit(child);
      return;
    }
    const remap = (key: string, itemname: string, kind: string): void => {
      const old = node[key];
      if (typeof old !== 'number' && typeof old !== 'string') return;
      const oldId = Number(old);
      if (!Number.isFinite(oldId) || oldId <= 0) return;
      const mapped = ctx.ids.get(itemname, oldId);
      if (mapped === undefined) onUnmapped(kind, oldId);
      node[key] = mapped ?? 0;
      changed = true;
    };
    switch (node.type) {
      case 'completion':
        remap('cm', 'course_module', 'activity');
        break;
      case 'grade':
        remap('id', 'grade_item', 'grade item');
        break;
      case 'group':
        remap('id', 'group', 'group');
        break;
      case 'grouping':
        remap('id', 'grouping', 'grouping');
        break;
      case 'date': {
        const shifted = ctx.shiftDate(node.t);
        if (shifted !== null && shifted !== Number(node.t)) {
          node.t = shifted;
          changed = true;
        }
        break;
      }
      default:
        break;
    }
  };
  visit(tree);
  return changed ? JSON.stringify(tree) : undefined;
}

// Internal helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
