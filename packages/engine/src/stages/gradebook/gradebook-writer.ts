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
 * once when gradebook.xml is restored, and the same defaults otherwise.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num, text } from '../support.ts';
import { hasItemReferences, rewriteCalculation } from './calculation.ts';

/** Moodle's defaults for a new course grade category (`$CFG->grade_aggregation` = natural, 13; `grade_aggregateonlygraded` = 1). */
const COURSE_CATEGORY_DEFAULTS = { fullname: '?', aggregation: 13, keephigh: 0, droplow: 0, aggregateonlygraded: 1, aggregateoutcomes: 0, hidden: 0 };

/** Moodle's defaults of a course grade item made with the course category (`grade_item` class defaults). */
const COURSE_ITEM_DEFAULTS = {
  itemtype: 'course', gradetype: 1, grademax: 100, grademin: 0, gradepass: 0, multfactor: 1, plusfactor: 0,
  aggregationcoef: 0, aggregationcoef2: 0, weightoverride: 0, sortorder: 1, display: 0, hidden: 0, locked: 0, locktime: 0,
};

/** Builds the new course's gradebook rows. */
export class GradebookWriter {
  readonly #ctx: RestoreContext;
  #courseCategoryId: number | undefined;
  #courseItemId: number | undefined;
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
      await this.insertCourseItem(COURSE_ITEM_DEFAULTS);
      this.#courseItemIsDefault = true;
    }
    return this.#courseCategoryId!;
  }

  /** Inserts the course grade category (parent NULL, depth 1, path `/<id>/`) from `data`. */
  async insertCourseCategory(data: Readonly<Record<string, unknown>>): Promise<number> {
    const { rows, state } = this.#ctx;
    const id = await rows.reserveId('grade_categories');
    await rows.insert('grade_categories', {
      timecreated: state.now,
      timemodified: state.now,
      ...data,
      courseid: state.courseId,
      parent: null,
      depth: 1,
      path: `/${id}/`,
    }, id);
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
    const id = await this.insertItem({
      timecreated: state.now,
      timemodified: state.now,
      ...data,
      courseid: state.courseId,
      categoryid: null,
      itemtype: 'course',
      iteminstance: this.#courseCategoryId,
      // Course and category totals are recomputed by Moodle (`needsupdate`), as its restore marks them.
      needsupdate: 1,
    });
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
    if (hasItemReferences(changes.calculation as string | null)) this.#calculations.push({ id, calculation: changes.calculation as string });
    return id;
  }

  /** Inserts a grade item row; remembers its idnumber and any calculation to rewrite at the end. */
  async insertItem(row: Readonly<Record<string, unknown>>): Promise<number> {
    const id = await this.#ctx.rows.insert('grade_items', row);
    const idnumber = text(row.idnumber);
    if (idnumber !== '') this.idnumbers.add(idnumber);
    if (hasItemReferences(row.calculation as string | null)) this.#calculations.push({ id, calculation: row.calculation as string });
    return id;
  }

  /** A scale, outcome or user id remapped; NULL when the backup has none or it was not restored. */
  mapped(itemname: 'scale' | 'outcome' | 'user', value: unknown): number | null {
    return this.#ctx.ids.get(itemname, text(value)) ?? null;
  }

  /**
   * Inserts one grade of a restored item (`process_grade_grade()` of both steps): skipped when its user was
   * not restored or the user already has a grade for the item; `usermodified` and `rawscaleid` remapped
   * (NULL when not restored); `locktime` shifted when `shiftLocktime` (gradebook.xml), other dates kept.
   */
  async insertGrade(data: XmlObject, itemId: number, shiftLocktime: boolean): Promise<void> {
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
    const id = await rows.insert('grade_grades', {
      ...data,
      itemid: itemId,
      userid: userId,
      usermodified: this.mapped('user', data.usermodified),
      rawscaleid: ids.get('scale', text(data.rawscaleid)) ?? null,
      locktime: shiftLocktime ? (this.#ctx.shiftDate(data.locktime) ?? 0) : num(data.locktime),
    });
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
    if (this.#courseCategoryId !== undefined && this.#courseItemId === undefined) await this.insertCourseItem(COURSE_ITEM_DEFAULTS);
    const newIds = this.#ctx.ids.entries('grade_item');
    for (const { id, calculation } of this.#calculations) {
      const rewritten = rewriteCalculation(calculation, newIds);
      if (rewritten !== calculation) await this.#ctx.rows.update('grade_items', id, { calculation: rewritten });
    }
  }
}
