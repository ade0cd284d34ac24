/**
 * Grade feedback files of activities: Moodle's activity grades step restores, per grade, the files of
 * component `grade` area `feedback` whose itemid is the grade (`add_related_files('grade', 'feedback',
 * 'grade_grades', null, $oldid)`), and the activity grade history step the area `historyfeedback` by
 * `grade_grades_history`. The engine registers those areas for the files stage, for every source context
 * that has such files and belongs to a restored activity whose user data is restored.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { ContextLookup, type ActivityTask } from '../task-targets.ts';

/** Registers `grade` / `filearea` files of the given activities, their itemid mapped through `itemname`. */
export async function registerGradeFileAreas(
  ctx: RestoreContext,
  activities: readonly ActivityTask[],
  filearea: 'feedback' | 'historyfeedback',
  itemname: 'grade_grades' | 'grade_grades_history',
): Promise<void> {
  const oldContexts = new Set<number>();
  for (const file of ctx.state.fileRecords)
    if (file.component === 'grade' && file.filearea === filearea) oldContexts.add(file.contextid);
  if (oldContexts.size === 0) return;
  const lookup = new ContextLookup(ctx);
  const withUserData = new Set<number>();
  for (const activity of activities) {
    if (!ctx.settings.activityUserinfo(activity.key)) continue;
    const contextId = await lookup.activityContext(activity);
    if (contextId !== undefined) withUserData.add(contextId);
  }
  for (const oldContextId of oldContexts) {
    const newContextId = ctx.ids.get('context', oldContextId);
    if (newContextId !== undefined && withUserData.has(newContextId)) {
      ctx.state.fileAreas.push({ component: 'grade', filearea, itemname, oldContextId });
    }
  }
}
