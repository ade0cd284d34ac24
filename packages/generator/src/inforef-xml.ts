/**
 * Writes `inforef.xml` (course, sections, activities, blocks): for each item type a container
 * `<Xref>` with `<X><id>n</id></X>` children, in the order of Moodle's
 * `backup_helper::get_inforef_itemnames()` (user, grouping, group, role, file, scale, outcome,
 * grade_item, question_category). Types with no ids are omitted; an inforef with none is
 * `<inforef>` / `</inforef>`, as in real backups.
 *
 * The restore loads only the users, files and question categories that some included inforef
 * references (`restore_load_included_inforef_records`), so these lists decide what is restored.
 */
import type { XmlWriter } from './xml-writer.ts';

/** Item types of inforef.xml, in Moodle's order. */
export const INFOREF_ITEMS = [
  'user',
  'grouping',
  'group',
  'role',
  'file',
  'scale',
  'outcome',
  'grade_item',
  'question_category',
] as const;

/** Ids per item type. */
export type InforefContent = Partial<Record<(typeof INFOREF_ITEMS)[number], Iterable<number>>>;

/** Renders a whole inforef.xml. Duplicate ids are written once, in first-seen order. */
export async function renderInforef(w: XmlWriter, refs: InforefContent): Promise<void> {
  w.open('inforef');
  for (const item of INFOREF_ITEMS) {
    const ids = refs[item];
    if (ids === undefined) continue;
    const unique = new Set(ids);
    if (unique.size === 0) continue;
    w.open(`${item}ref`);
    for (const id of unique) {
      w.open(item).leaf('id', id).close();
      await w.maybeFlush();
    }
    w.close();
  }
  w.close();
}
