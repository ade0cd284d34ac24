/**
 * Tags of restored questions, as `restore_create_categories_and_questions::process_tag()` adds them with
 * `core_tag_tag::add_item_tag('core_question', 'question', …)`: the tag is found by its lower-cased name in the
 * default tag collection, or created (not standard, owned by the restoring user); the instance is in the tag's
 * own context when the backup names one that was restored, else in the question's category context.
 * Departure: Moodle's `PARAM_TAG` cleaning is reduced to trimming; the default tag collection is taken to be id 1
 * (the one Moodle's installer creates).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { list, num, text } from '../support.ts';

const DEFAULT_TAG_COLLECTION = 1;
const TAG_IDS = new WeakMap<object, Map<string, number>>();

/** Adds the backup's tags of one created question. */
export async function restoreQuestionTags(ctx: RestoreContext, question: XmlObject, questionId: number, categoryContextId: number): Promise<void> {
  let ordering = 0;
  const seen = new Set<number>();
  for (const tag of list(question.tags, 'tag')) {
    const rawname = (text(tag.rawname) || text(tag.name)).trim();
    if (rawname === '') continue;
    const tagid = await tagId(ctx, rawname);
    if (seen.has(tagid)) continue;
    seen.add(tagid);
    const contextid = (tag.contextid ? ctx.ids.get('context', num(tag.contextid)) : undefined) ?? categoryContextId;
    await ctx.rows.insert('tag_instance', {
      tagid,
      component: 'core_question',
      itemtype: 'question',
      itemid: questionId,
      contextid,
      tiuserid: 0,
      ordering: ordering++,
      timecreated: ctx.state.now,
      timemodified: ctx.state.now,
    });
  }
}

// Internal helpers

/** Id of the tag with this name in the default collection, created when missing. */
async function tagId(ctx: RestoreContext, rawname: string): Promise<number> {
  const name = rawname.toLowerCase();
  let cache = TAG_IDS.get(ctx.state);
  if (!cache) TAG_IDS.set(ctx.state, (cache = new Map()));
  const known = cache.get(name);
  if (known !== undefined) return known;
  const [existing] = await ctx.rows.select('tag', { tagcollid: DEFAULT_TAG_COLLECTION, name }, { limit: 1 });
  const id = existing
    ? Number(existing.id)
    : await ctx.rows.insert('tag', {
        userid: ctx.state.restorerUserId,
        tagcollid: DEFAULT_TAG_COLLECTION,
        name,
        rawname,
        isstandard: 0,
        descriptionformat: 0,
        flag: 0,
        timemodified: ctx.state.now,
      });
  cache.set(name, id);
  return id;
}
