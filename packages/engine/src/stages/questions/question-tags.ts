/**
 * Tags of restored questions, as `restore_create_categories_and_questions::process_tag()` adds them with
 * `core_tag_tag::add_item_tag('core_question', 'question', …)` (see `../tags.ts`); the instance is in the tag's
 * own context when the backup names one that was restored, else in the question's category context.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { list, num, text } from '../support.ts';
import { addItemTag } from '../tags.ts';

/** Adds the backup's tags of one created question. */
export async function restoreQuestionTags(
  ctx: RestoreContext,
  question: XmlObject,
  questionId: number,
  categoryContextId: number,
): Promise<void> {
  let ordering = 0;
  const seen = new Set<number>();
  for (const tag of list(question.tags, 'tag')) {
    const rawname = (text(tag.rawname) || text(tag.name)).trim();
    if (rawname === '') continue;
    const contextid = (tag.contextid ? ctx.ids.get('context', num(tag.contextid)) : undefined) ?? categoryContextId;
    const tagid = await addItemTag(ctx, {
      component: 'core_question',
      itemtype: 'question',
      itemid: questionId,
      contextid,
      rawname,
      ordering,
    });
    if (tagid === undefined || seen.has(tagid)) continue;
    seen.add(tagid);
    ordering++;
  }
}
