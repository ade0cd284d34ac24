/**
 * Shared pieces of the module specs: the marker for paths that write no row of their own, and the
 * record shapes several modules repeat word for word in Moodle (ratings and tags, which every module
 * restores with the same few lines in its `restore_<mod>_stepslib.php`).
 */
import type { RecordSpec } from './types.ts';

/**
 * `table` of a path Moodle reads but that writes no row of its own: its handler does nothing (e.g.
 * `process_lesson_highscore()`), or only registers a mapping or updates another record. The record's
 * `notes` say which.
 */
export const NO_TABLE = '';

/**
 * A rating under a rated item (`…/ratings/rating`), inserted directly into `rating` (not through the
 * rating API, "cause it's missing the ability to specify times"): same code in forum, glossary and data.
 */
export function ratingRecord(path: string, parentItem: string, component: string, ratingarea: string): RecordSpec {
  return {
    path,
    table: 'rating',
    userinfo: true,
    parent: { itemid: parentItem },
    refs: { userid: { itemname: 'user' } },
    drop: ['value'],
    notes:
      `contextid := the new module context (task contextid; not in the XML); rating := XML value; ` +
      `scaleid < 0 → -(scale mapping of |scaleid|) (0 when unmapped), scaleid > 0 kept; ` +
      `empty component/ratingarea default to '${component}'/'${ratingarea}'. No mapping is registered.`,
  };
}

/**
 * A tag on a module item (`…tags/tag` with `itemid`, `rawname`). Not a plain insert:
 * `core_tag_tag::add_item_tag(component, itemtype, newitemid, modulecontext, rawname)` finds or creates
 * the `tag` row and inserts the `tag_instance` (component, itemtype, itemid, contextid, tagid, ordering).
 * Skipped when tags are disabled for the item type, or (with `itemRef`) when the item was not restored.
 */
export function tagRecord(
  path: string,
  component: string,
  itemtype: string,
  link: { itemRef: string } | { parentItem: string },
): RecordSpec {
  const byRef = 'itemRef' in link;
  return {
    path,
    table: 'tag_instance',
    userinfo: true,
    ...(byRef
      ? { refs: { itemid: { itemname: link.itemRef, unmapped: 'skip' as const } } }
      : { parent: { itemid: link.parentItem } }),
    drop: ['rawname'],
    tag: { component, itemtype },
    notes:
      `core_tag_tag::add_item_tag('${component}', '${itemtype}', itemid, module context, rawname): ` +
      `tag found or created by rawname (tag_instance.tagid), contextid = new module context; ` +
      `nothing when core_tag_tag::is_enabled('${component}', '${itemtype}') is false.` +
      (byRef ? '' : ' itemid comes from the enclosing element, the XML itemid is ignored.'),
  };
}
