/**
 * The gradebook of the new course as the gradebook stage builds it: the course grade category and
 * course item, the item idnumbers in use, and the rows common to activity `grades.xml` and root
 * `gradebook.xml` (grades, letters), with the id mappings Moodle registers (`grade_item`,
 * `grade_category`, `grade_grades`; `grade_grade` too, the name the engine's brief uses).
 *
 * Course category and course item: Moodle creates them the first time something asks for the course
 * category (`grade_category::fetch_course_category()` → `insert_course_category()`, which also makes the
 * course item) with the site defaults (fullname `?`, natural aggregation, "aggregate only graded"), and
 * gradebook.xml later updates both with the backup's values. The engine writes the backup's values at
 * once when gradebook.xml is restored, and the same defaults otherwise. Moodle's history of that creation is
 * written whenever Moodle's restore makes the category that way: when the engine makes it with the defaults,
 * and before the first activity item (whose restore makes it in Moodle, the activities coming before
 * gradebook.xml) when gradebook.xml brought it. Without activity items, gradebook.xml's step inserts its course
 * category and course item through `$DB` (`process_grade_category()`, `process_grade_item()`): no history.
 *
 * History (`history.ts`): the grade API writes a history row for what it inserts and updates; the rows of the
 * gradebook.xml step, written through `$DB`, have none. So the restore's own history rows are: the course
 * category's insert and update and the course item's insert (source `system`, with Moodle's defaults), each
 * activity item's insert and update (source `restore`, `insertActivityItem`) and each activity grade's insert
 * (source `restore`, `insertGrade`).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num, text } from '../support.ts';
import { hasItemReferences, rewriteCalculation } from './calculation.ts';
import { GradeHistoryAction, writeGradeHistory } from './history.ts';

/** Moodle's defaults for a new course grade category (`$CFG->grade_aggregation` = natural, 13; `grade_aggregateonlygraded` = 1). */
const COURSE_CATEGORY_DEFAULTS = {
  fullname: '?',
  aggregation: 13,
  keephigh: 0,
  droplow: 0,
  aggregateonlygraded: 1,
  aggregateoutcomes: 0,
  hidden: 0,
};

/** Moodle's defaults of a course grade item made with the course category (`grade_item` class defaults). */
const COURSE_ITEM_DEFAULTS = {
  itemtype: 'course',
  gradetype: 1,
  grademax: 100,
  grademin: 0,
  gradepass: 0,
  multfactor: 1,
  plusfactor: 0,
  aggregationcoef: 0,
  aggregationcoef2: 0,
  weightoverride: 0,
  sortorder: 1,
  display: 0,
  hidden: 0,
  locked: 0,
  locktime: 0,
};

/** `GRADE_TYPE_SCALE` (`lib/grade/constants.php`). */
const GRADE_TYPE_SCALE = 2;

/** Which restore step writes a grade: an activity's grades.xml or the final task's gradebook.xml. */
export type GradeStep = 'activity' | 'gradebook';

/** Builds the new course's gradebook rows. */
export class GradebookWriter {
  readonly #ctx: RestoreContext;
  #courseCategoryId: number | undefined;
  #courseItemId: number | undefined;
  /** The course item's id, reserved when the course category is made (Moodle makes both together). */
  #courseItemReservedId: number | undefined;
  /** `MAX(sortorder)` of the course's grade items as Moodle's `grade_item::insert()` reads it. */
  #maxSortorder = 0;
  /** Scale id → number of scale items (`grade_scale::load_items()`), for `loadScale`. */
  readonly #scaleItems = new Map<number, number | undefined>();
  /** True once the history of `insert_course_category()` is written (`#logCourseCategoryCreated`). */
  #creationLogged = false;
  /** True while the course item holds Moodle's defaults (gradebook.xml may still bring its values). */
  #courseItemIsDefault = false;
  /** Grade item idnumbers used in the course (Moodle checks `grade_items` of the course before keeping one). */
  readonly idnumbers = new Set<string>();
  readonly #calculations: { id: number; calculation: string }[] = [];
  readonly #letters = new Set<string>();
  #gradedItem = 0;
  #gradedUsers = new Set<number>();
  /** Grades skipped because their user was not restored. */
  skippedGrades = 0;

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /** The course grade category id, made with Moodle's defaults (and the course item) when there is none yet. */
  async courseCategory(): Promise<number> {
    if (this.#courseCategoryId === undefined) {
      await this.insertCourseCategory(COURSE_CATEGORY_DEFAULTS);
      await this.#logCourseCategoryCreated();
      await this.insertCourseItem(COURSE_ITEM_DEFAULTS);
      this.#courseItemIsDefault = true;
    }
    return this.#courseCategoryId!;
  }

  /** Inserts the course grade category (parent NULL, depth 1, path `/<id>/`) from `data`. */
  async insertCourseCategory(data: Readonly<Record<string, unknown>>): Promise<number> {
    const { rows, state } = this.#ctx;
    const id = await rows.reserveId('grade_categories');
    await rows.insert(
      'grade_categories',
      {
        timecreated: state.now,
        timemodified: state.now,
        ...data,
        courseid: state.courseId,
        parent: null,
        depth: 1,
        path: `/${id}/`,
      },
      id,
    );
    this.#courseCategoryId = id;
    return id;
  }

  /** The course item id, if made. */
  get courseItemId(): number | undefined {
    return this.#courseItemId;
  }

  /** Inserts the course grade item (itemtype `course`, iteminstance = course category) from `data`. */
  async insertCourseItem(data: Readonly<Record<string, unknown>>): Promise<number> {
    const { state } = this.#ctx;
    const id = await this.insertItem(
      {
        timecreated: state.now,
        timemodified: state.now,
        ...data,
        courseid: state.courseId,
        categoryid: null,
        itemtype: 'course',
        iteminstance: this.#courseCategoryId,
        // Course and category totals are recomputed by Moodle (`needsupdate`), as its restore marks them.
        needsupdate: 1,
      },
      this.#courseItemReservedId,
    );
    this.#courseItemId = id;
    return id;
  }

  /**
   * The backup's course item (gradebook.xml): updates a course item made with defaults, as Moodle updates
   * the one it made, or inserts it; `undefined` when the backup's course item was already restored.
   */
  async restoreCourseItem(data: Readonly<Record<string, unknown>>): Promise<number | undefined> {
    const id = this.#courseItemId;
    if (id === undefined) return this.insertCourseItem(data);
    if (!this.#courseItemIsDefault) return undefined;
    this.#courseItemIsDefault = false;
    const { id: _oldId, ...changes } = data;
    await this.#ctx.rows.update('grade_items', id, {
      ...changes,
      courseid: this.#ctx.state.courseId,
      categoryid: null,
      itemtype: 'course',
      iteminstance: this.#courseCategoryId,
      needsupdate: 1,
    });
    if (hasItemReferences(changes.calculation as string | null))
      this.#calculations.push({ id, calculation: changes.calculation as string });
    return id;
  }

  /** Inserts a grade item row (with `id` when reserved); remembers its idnumber and any calculation to rewrite at the end. */
  async insertItem(row: Readonly<Record<string, unknown>>, id?: number): Promise<number> {
    id = await this.#ctx.rows.insert('grade_items', row, id);
    const idnumber = text(row.idnumber);
    if (idnumber !== '') this.idnumbers.add(idnumber);
    if (hasItemReferences(row.calculation as string | null))
      this.#calculations.push({ id, calculation: row.calculation as string });
    return id;
  }

  /**
   * Inserts an activity's grade item as `restore_activity_grades_structure_step::process_grade_item()` does:
   * `grade_item::insert('restore')` files it under the course category (making it first, as
   * `grade_category::fetch_course_category()`), places it last (`sortorder` = MAX(sortorder) + 1), logs the
   * insert, then `force_regrading()` sets `needsupdate` = 1; `update('restore')` puts the backup's `sortorder`
   * back and logs the update (`lib/grade/grade_item.php`). `row` holds the item's final values (the backup's
   * sortorder and needsupdate, the final category); the history rows get the values of each moment: the course
   * category (gradebook.xml moves the item later with `$DB`, no history) and the calculation as in the backup
   * (its `##gi##` rewrite is a `$DB` update too).
   */
  async insertActivityItem(row: Readonly<Record<string, unknown>>): Promise<number> {
    const courseCategory = await this.courseCategory();
    await this.#logCourseCategoryCreated();
    const item = await this.loadScale({ ...row, needsupdate: 1 });
    const id = await this.insertItem(item);
    const history = { ...item, categoryid: courseCategory };
    await writeGradeHistory(
      this.#ctx,
      'grade_items',
      id,
      {
        ...history,
        sortorder: this.#maxSortorder + 1,
        // What the backup says until force_regrading() runs after the insert (the class default 1 when absent).
        needsupdate: row.needsupdate ?? 1,
      },
      GradeHistoryAction.Insert,
      'restore',
    );
    await writeGradeHistory(this.#ctx, 'grade_items', id, history, GradeHistoryAction.Update, 'restore');
    this.#maxSortorder = Math.max(this.#maxSortorder, num(row.sortorder));
    return id;
  }

  /**
   * `grade_item::load_scale()`, run by `insert()` and `update()`: no `scaleid` unless the item is graded with a
   * scale; with a scale, `grademax` = its number of items and `grademin` = 1.
   */
  async loadScale<T extends Readonly<Record<string, unknown>>>(row: T): Promise<T> {
    if (num(row.gradetype, 1) !== GRADE_TYPE_SCALE)
      return row.scaleid === null || row.scaleid === undefined ? row : { ...row, scaleid: null };
    const scaleid = row.scaleid === null || row.scaleid === undefined ? 0 : num(row.scaleid);
    if (scaleid === 0) return row;
    if (!this.#scaleItems.has(scaleid)) {
      const [scale] = await this.#ctx.rows.select('scale', { id: scaleid });
      // grade_scale::load_items(): explode(',', scale), items trimmed.
      this.#scaleItems.set(scaleid, scale ? text(scale.scale).split(',').length : undefined);
    }
    const count = this.#scaleItems.get(scaleid);
    return count === undefined ? row : { ...row, grademax: count, grademin: 1 };
  }

  /** A scale, outcome or user id remapped; NULL when the backup has none or it was not restored. */
  mapped(itemname: 'scale' | 'outcome' | 'user', value: unknown): number | null {
    return this.#ctx.ids.get(itemname, text(value)) ?? null;
  }

  /**
   * Inserts one grade of a restored item (`process_grade_grade()` of both steps): skipped when its user was
   * not restored or the user already has a grade for the item; `usermodified` remapped (NULL when not
   * restored); other dates kept.
   * - activity step: `rawscaleid` = `get_mappingid('scale', rawscaleid)`, whose "not found" `false` is stored as
   *   0 (also when the backup has NULL); the grade goes through `grade_grade::insert('restore')`, which logs it
   *   in `grade_grades_history` (action insert, source `restore`);
   * - gradebook.xml step (`$DB->insert_record()`, no history): `locktime` shifted; Moodle copies `rawscaleid`
   *   as it is — 0 and NULL stay, another id is remapped (NULL when its scale was not restored) because the
   *   engine keeps no source-site id.
   */
  async insertGrade(data: XmlObject, itemId: number, step: GradeStep): Promise<void> {
    const { ids, rows } = this.#ctx;
    const userId = ids.get('user', text(data.userid));
    if (userId === undefined) {
      this.skippedGrades++;
      return;
    }
    if (itemId !== this.#gradedItem) {
      this.#gradedItem = itemId;
      this.#gradedUsers = new Set();
    }
    if (this.#gradedUsers.has(userId)) return;
    this.#gradedUsers.add(userId);
    const activity = step === 'activity';
    const rawscaleid = ids.get('scale', text(data.rawscaleid)) ?? (activity ? 0 : keptEmptyId(data.rawscaleid));
    const row = {
      ...data,
      itemid: itemId,
      userid: userId,
      usermodified: this.mapped('user', data.usermodified),
      rawscaleid,
      locktime: activity ? num(data.locktime) : (this.#ctx.shiftDate(data.locktime) ?? 0),
    };
    const id = await rows.insert('grade_grades', row);
    if (activity) await writeGradeHistory(this.#ctx, 'grade_grades', id, row, GradeHistoryAction.Insert, 'restore');
    const oldId = num(data.id, NaN);
    if (Number.isFinite(oldId)) {
      ids.set('grade_grades', oldId, id);
      ids.set('grade_grade', oldId, id);
    }
  }

  /** Inserts a grade letter of a context unless the same (context, boundary, letter) exists (Moodle's `record_exists` check). */
  async insertLetter(data: XmlObject, contextId: number): Promise<void> {
    const key = `${contextId}|${num(data.lowerboundary)}|${text(data.letter)}`;
    if (this.#letters.has(key)) return;
    this.#letters.add(key);
    await this.#ctx.rows.insert('grade_letters', { ...data, contextid: contextId });
  }

  /**
   * Makes the course item when the course category has none (Moodle never has a course category without
   * its course item), then rewrites `##gi<old>##` references of calculations now that every item is mapped.
   */
  async finish(): Promise<void> {
    if (this.#courseCategoryId !== undefined && this.#courseItemId === undefined)
      await this.insertCourseItem(COURSE_ITEM_DEFAULTS);
    const newIds = this.#ctx.ids.entries('grade_item');
    for (const { id, calculation } of this.#calculations) {
      const rewritten = rewriteCalculation(calculation, newIds);
      if (rewritten !== calculation) await this.#ctx.rows.update('grade_items', id, { calculation: rewritten });
    }
  }

  /**
   * Moodle's history of the course category's creation, `grade_category::insert_course_category()`: the
   * category inserted with the site defaults (`parent::insert('system')`, path NULL, depth 0), then
   * `update('system')`, which first makes the course item (`load_grade_item()` → `grade_item::insert('system')`,
   * sortorder 1, needsupdate 1) and then logs the category with its path and depth 1. The backup's values come
   * later through `$DB->update_record()` (gradebook.xml step), without history. Once; reserves the course
   * item's id when it is not written yet, as Moodle's course item precedes the activity items.
   */
  async #logCourseCategoryCreated(): Promise<void> {
    const id = this.#courseCategoryId;
    if (this.#creationLogged || id === undefined) return;
    this.#creationLogged = true;
    const { rows, state } = this.#ctx;
    this.#courseItemReservedId = this.#courseItemId ?? (await rows.reserveId('grade_items'));
    this.#maxSortorder = Math.max(this.#maxSortorder, 1);
    const category = { ...COURSE_CATEGORY_DEFAULTS, courseid: state.courseId, parent: null };
    await writeGradeHistory(
      this.#ctx,
      'grade_categories',
      id,
      { ...category, path: null, depth: 0 },
      GradeHistoryAction.Insert,
      'system',
    );
    await writeGradeHistory(
      this.#ctx,
      'grade_items',
      this.#courseItemReservedId,
      {
        ...COURSE_ITEM_DEFAULTS,
        courseid: state.courseId,
        categoryid: null,
        iteminstance: id,
        needsupdate: 1,
      },
      GradeHistoryAction.Insert,
      'system',
    );
    await writeGradeHistory(
      this.#ctx,
      'grade_categories',
      id,
      { ...category, path: `/${id}/`, depth: 1 },
      GradeHistoryAction.Update,
      'system',
    );
  }
}

// Internal helpers

/** 0 and NULL as they are (Moodle copies them); any other id NULL (a source-site id is never kept). */
function keptEmptyId(value: unknown): number | null {
  return text(value).trim() !== '' && Number(value) === 0 ? 0 : null;
}
