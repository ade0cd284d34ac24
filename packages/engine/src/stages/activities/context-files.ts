/**
 * Per-context files (`filters.xml`, `calendar.xml` …) of the course and of every restored activity, with the new
 * context each applies to, in Moodle's task order (course first, then activities). Moodle reads these inside each
 * task (`restore_course_task`, `restore_activity_task`); the engine reads them in one stage once every context
 * exists.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { activityKey, activitiesInTaskOrder } from './task-order.ts';
import { ContextLevel, findContext } from '../support.ts';

/** One per-context file. */
export interface ContextFile {
  readonly entry: string;
  /** New context id. */
  readonly contextid: number;
  /** Source context id (`null` when it cannot be told). */
  readonly oldContextId: number | null;
  /** For an activity: its setting key, module name and new course module id. */
  readonly activity?: { readonly key: string; readonly modulename: string; readonly cmId: number };
}

/** `course/<file>` and `<activity dir>/<file>` of every restored activity that has one. */
export async function contextFiles(ctx: RestoreContext, file: string): Promise<ContextFile[]> {
  const oldOf = new Map<number, number>();
  for (const [oldId, newId] of ctx.ids.entries('context')) oldOf.set(newId, oldId);
  const files: ContextFile[] = [];
  const courseEntry = `course/${file}`;
  if (ctx.source.has(courseEntry)) {
    files.push({
      entry: courseEntry,
      contextid: ctx.state.courseContextId,
      oldContextId: ctx.manifest.originalCourseContextId || null,
    });
  }
  for (const activity of activitiesInTaskOrder(ctx.manifest)) {
    const entry = `${activity.directory}/${file}`;
    const key = activityKey(activity);
    if (!ctx.source.has(entry) || !ctx.settings.activityIncluded(key)) continue;
    const cmId = ctx.ids.get('course_module', activity.moduleId);
    if (cmId === undefined) continue;
    const context = await findContext(ctx, ContextLevel.Module, cmId);
    if (!context) continue;
    const contextid = context.id;
    files.push({
      entry,
      contextid,
      oldContextId: oldOf.get(contextid) ?? null,
      activity: { key, modulename: activity.moduleName, cmId },
    });
  }
  return files;
}
