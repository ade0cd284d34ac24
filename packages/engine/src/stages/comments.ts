/**
 * Comments (§3.13 of the format reference): `comments.xml` of the course, of each included activity and
 * of each restored block → `comments`, after `restore_comments_structure_step::process_comment()`
 * (`backup/moodle2/restore_stepslib.php`), which Moodle runs in each of those tasks when `comments` is on
 * (a setting that depends on `users`):
 * - a comment with an `itemid` is kept only when that item was restored: the item is looked up in the id
 *   map under the name the task gives its comment area (`get_comment_mapping_itemname()`: the area itself
 *   by default; assign's `submission_comments` → `submission`, data's `database_entry` → `data_record`);
 * - its user must have been restored; `contextid` = the task's new context;
 * - one comment per (context, user, `timecreated`): a later one with the same three is dropped (Moodle's
 *   `record_exists` check), which is why a teacher's quick comments shrink on restore (72 of 200 in
 *   `gen_s_users`, see ../shared/fixtures/generated/README.md). Dates are kept.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { num, text } from './support.ts';
import { ContextLookup, includedActivities, includedBlocks } from './task-targets.ts';

const COMMENT = '/comments/comment';

/** Comment area → id-map item name, per module, where it differs from the area (each module's `restore_<mod>_activity_task`). */
const AREA_ITEMNAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  assign: { submission_comments: 'submission' },
  data: { database_entry: 'data_record' },
};

export const commentsStage = defineStage({
  name: 'comments',
  enabledBy: ['comments'],
  reads: [
    'course/comments.xml',
    'activities/*/comments.xml',
    'course/blocks/*/comments.xml',
    'activities/*/blocks/*/comments.xml',
  ],
  weight: 1,
  async run(ctx) {
    const contexts = new ContextLookup(ctx);
    const tasks: { entry: string; module: string | null; context: () => Promise<number | undefined> }[] = [
      { entry: 'course/comments.xml', module: null, context: async () => ctx.state.courseContextId },
      ...includedActivities(ctx).map((a) => ({
        entry: `${a.directory}/comments.xml`,
        module: a.moduleName,
        context: () => contexts.activityContext(a),
      })),
      ...includedBlocks(ctx).map((b) => ({
        entry: `${b.directory}/comments.xml`,
        module: null,
        context: () => contexts.blockContext(b),
      })),
    ];
    const present = tasks.filter((t) => ctx.source.has(t.entry));
    let skippedUsers = 0;
    for (const [index, task] of present.entries()) {
      skippedUsers += await restoreComments(ctx, task.entry, task.context, task.module);
      ctx.progress(index + 1, present.length);
    }
    if (skippedUsers > 0)
      ctx.warn(
        'comment-user-unmapped',
        `${skippedUsers} comments belong to users who were not restored; they were skipped (as Moodle does).`,
      );
  },
});

// Internal helpers

/**
 * One comments.xml; returns how many comments were skipped for an unmapped user. The task's context is
 * looked up at the first comment (most files are empty); when the task's context was not restored
 * (its activity or block was skipped) the file's comments are skipped with one warning.
 */
async function restoreComments(
  ctx: RestoreContext,
  entry: string,
  context: () => Promise<number | undefined>,
  module: string | null,
): Promise<number> {
  const seen = new Set<string>();
  let skippedUsers = 0;
  let contextid: number | undefined | null = null;
  for await (const record of ctx.source.records(entry, { paths: [COMMENT] })) {
    const data = record.data;
    if (contextid === null) {
      contextid = await context();
      if (contextid === undefined) {
        ctx.warn(
          'comments-context-missing',
          `The context of ${entry} was not restored; its comments were skipped.`,
          entry,
        );
        return 0;
      }
    }
    let itemid = num(data.itemid);
    if (itemid !== 0) {
      const area = text(data.commentarea);
      const itemname = (module !== null ? AREA_ITEMNAMES[module]?.[area] : undefined) ?? area;
      const mapped = ctx.ids.get(itemname, itemid);
      if (mapped === undefined) continue;
      itemid = mapped;
    }
    const userid = ctx.ids.get('user', text(data.userid));
    if (userid === undefined) {
      skippedUsers++;
      continue;
    }
    const key = `${userid}:${num(data.timecreated)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await ctx.rows.insert('comments', { ...data, contextid, itemid, userid });
  }
  return skippedUsers;
}
