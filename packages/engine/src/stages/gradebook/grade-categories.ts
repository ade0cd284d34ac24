/**
 * The grade categories of root `gradebook.xml` (`/gradebook/grade_categories/grade_category`), after
 * `restore_gradebook_structure_step::process_grade_category()` and the category part of its
 * `after_execute()`: the category without parent becomes the course category (Moodle updates the one it
 * made with the course, here it is written with the backup's values), the others are inserted, then every
 * `parent` is remapped and `path` / `depth` rebuilt from the new ids. Categories are few and come first
 * in the file, so they are collected, given their new ids, and written once with final values instead
 * of being inserted and updated. Maps `grade_category`.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num } from '../support.ts';
import type { GradebookWriter } from './gradebook-writer.ts';

const ENTRY = 'gradebook.xml';
const CATEGORY = '/gradebook/grade_categories/grade_category';

/** Restores the categories of gradebook.xml; returns how many were read. */
export async function restoreGradeCategories(ctx: RestoreContext, writer: GradebookWriter): Promise<number> {
  const categories = await readCategories(ctx);
  const roots = categories.filter((c) => num(c.parent) === 0);
  const [root, ...extraRoots] = roots;
  const courseCategory = root ? await writer.insertCourseCategory(withoutTree(root)) : await writer.courseCategory();
  for (const category of roots) ctx.ids.set('grade_category', num(category.id), courseCategory);
  if (extraRoots.length > 0) {
    ctx.warn(
      'grade-category-extra-root',
      `gradebook.xml has ${roots.length} categories without parent; all were merged into the course category.`,
      ENTRY,
    );
  }

  const children = categories.filter((c) => num(c.parent) !== 0);
  for (const category of children)
    ctx.ids.set('grade_category', num(category.id), await ctx.rows.reserveId('grade_categories'));
  const paths = new Map<number, string>([[courseCategory, `/${courseCategory}/`]]);
  const byOldId = new Map(categories.map((c) => [num(c.id), c]));
  const pathOf = (category: XmlObject, seen: Set<number>): string => {
    const id = ctx.ids.get('grade_category', num(category.id))!;
    const known = paths.get(id);
    if (known !== undefined) return known;
    const parent = byOldId.get(num(category.parent));
    let parentPath: string;
    if (!parent || seen.has(id)) {
      ctx.warn(
        'grade-category-parent-missing',
        `Grade category ${num(category.id)} has no restorable parent; it was put under the course category.`,
        ENTRY,
      );
      parentPath = paths.get(courseCategory)!;
    } else {
      seen.add(id);
      parentPath = pathOf(parent, seen);
      // A cycle resolved this category inside the recursion.
      const resolved = paths.get(id);
      if (resolved !== undefined) return resolved;
    }
    const path = `${parentPath}${id}/`;
    paths.set(id, path);
    return path;
  };

  for (const category of children) {
    const id = ctx.ids.get('grade_category', num(category.id))!;
    const path = pathOf(category, new Set());
    const ids = path.split('/').filter((p) => p !== '');
    await ctx.rows.insert(
      'grade_categories',
      {
        ...withoutTree(category),
        courseid: ctx.state.courseId,
        parent: Number(ids[ids.length - 2] ?? courseCategory),
        path,
        depth: ids.length,
      },
      id,
    );
  }
  return categories.length;
}

// Internal helpers

/** The categories of gradebook.xml; reading stops at the first grade item, as categories come first. */
async function readCategories(ctx: RestoreContext): Promise<XmlObject[]> {
  const categories: XmlObject[] = [];
  // Items and grades are selected only so the reader emits them separately and stops early, never
  // building the item list into one record.
  const paths = [
    CATEGORY,
    '/gradebook/grade_items/grade_item',
    '/gradebook/grade_items/grade_item/grade_grades/grade_grade',
  ];
  for await (const record of ctx.source.records(ENTRY, { paths })) {
    if (record.path !== CATEGORY) break;
    categories.push(record.data);
  }
  return categories;
}

/** The record without the columns the tree rebuild sets. */
function withoutTree(category: XmlObject): Record<string, unknown> {
  const { parent: _parent, path: _path, depth: _depth, id: _id, ...rest } = category;
  return rest;
}
