/**
 * Availability (access restriction) JSON of course modules and sections: conversion of the pre-2.7 fields and
 * the remapping Moodle does after a restore.
 *
 * - `legacyAvailability()` follows `\core_availability\info::convert_legacy_fields()`: `availablefrom` /
 *   `availableuntil` become date conditions shown or hidden by `showavailability`; a section's `groupingid`
 *   (a module's only with `groupmembersonly`) becomes a hidden grouping condition.
 * - `remapAvailability()` follows the final task's `restore_update_availability` step, i.e.
 *   `\core_availability\info::update_after_restore()` and each condition's `update_after_restore()`:
 *   completion `cm` through `course_module` (negative = "previous activity" kept), grade `id` through
 *   `grade_item`, group and grouping `id` through `group` / `grouping`, an id that cannot be mapped becomes 0 (Moodle
 *   logs a warning and the condition can never be met), date conditions shifted by the restore's date offset.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num } from '../support.ts';

/** Availability JSON made from the legacy fields of a module or section, or `null` when there are none. */
export function legacyAvailability(data: XmlObject, isSection: boolean): string | null {
  const conditions: Array<Record<string, unknown>> = [];
  const shown: boolean[] = [];
  const show = num(data.showavailability) !== 0;
  if (num(data.availablefrom) > 0) {
    conditions.push({ type: 'date', d: '>=', t: num(data.availablefrom) });
    shown.push(show);
  }
  if (num(data.availableuntil) > 0) {
    conditions.push({ type: 'date', d: '<', t: num(data.availableuntil) });
    shown.push(show);
  }
  const grouping = num(data.groupingid);
  if (grouping > 0 && (isSection || num(data.groupmembersonly) !== 0)) {
    conditions.push({ type: 'grouping', id: grouping });
    shown.push(false);
  }
  if (conditions.length === 0) return null;
  return JSON.stringify({ op: '&', showc: shown, c: conditions });
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
