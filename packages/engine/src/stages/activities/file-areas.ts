/**
 * Records the file areas a stage restores (Moodle's `add_related_files(component, filearea, itemname)`) in
 * `ctx.state.fileAreas`, once per (old context, component, file area, item name), for the files stage.
 * Shared by the sections, activities, blocks and calendar stages.
 */
import type { RestoreContext, RestoreFileArea } from '../../pipeline/context.ts';

const SEEN = new WeakMap<RestoreFileArea[], Set<string>>();

/** Adds a file area unless the same one is already listed. */
export function addFileArea(ctx: RestoreContext, area: RestoreFileArea): void {
  const list = ctx.state.fileAreas;
  let seen = SEEN.get(list);
  if (!seen) {
    seen = new Set(list.map(keyOf));
    SEEN.set(list, seen);
  }
  const key = keyOf(area);
  if (seen.has(key)) return;
  seen.add(key);
  list.push(Object.freeze({ ...area }));
}

// Internal helpers

function keyOf(area: RestoreFileArea): string {
  return `${area.oldContextId}\u0000${area.component}\u0000${area.filearea}\u0000${area.itemname ?? ''}`;
}
