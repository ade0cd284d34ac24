/**
 * Tags, as Moodle's `core_tag_tag::add_item_tag(component, itemtype, itemid, context, rawname, ordering)` adds
 * them during a restore (course tags in `restore_course_structure_step::process_tag()`, course-module tags in
 * `restore_module_structure_step::process_tag()`, module item tags in each `restore_<mod>_stepslib.php`,
 * question tags in `restore_create_categories_and_questions::process_tag()`): the tag is found by its
 * lower-cased name in the default tag collection, or created (not standard, owned by the restoring user); then
 * the `tag_instance` is inserted unless the item already has it.
 * Departure: Moodle's `PARAM_TAG` cleaning is reduced to trimming; the default tag collection is taken to be id 1
 * (the one Moodle's installer creates); `core_tag_tag::is_enabled()` is taken to be true (Moodle's default).
 */
import type { RestoreContext } from '../pipeline/context.ts';

const DEFAULT_TAG_COLLECTION = 1;
const TAG_IDS = new WeakMap<object, Map<string, number>>();

/** One tag to put on a restored item. */
export interface ItemTag {
  readonly component: string;
  readonly itemtype: string;
  readonly itemid: number;
  readonly contextid: number;
  readonly rawname: string;
  readonly ordering?: number;
}

/** Adds a tag to an item; returns the tag id, or `undefined` when the name is empty. */
export async function addItemTag(ctx: RestoreContext, item: ItemTag): Promise<number | undefined> {
  const rawname = item.rawname.trim();
  if (rawname === '') return undefined;
  const tagid = await tagId(ctx, rawname);
  const key = {
    tagid,
    component: item.component,
    itemtype: item.itemtype,
    itemid: item.itemid,
    contextid: item.contextid,
    tiuserid: 0,
  };
  const [existing] = await ctx.rows.select('tag_instance', key, { limit: 1 });
  if (existing) return tagid;
  const ordering =
    item.ordering ??
    (await ctx.rows.select('tag_instance', { component: item.component, itemtype: item.itemtype, itemid: item.itemid }))
      .length;
  await ctx.rows.insert('tag_instance', {
    ...key,
    ordering,
    timecreated: ctx.state.now,
    timemodified: ctx.state.now,
  });
  return tagid;
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
