/**
 * Moodle's regrade of the restored course: `restore_gradebook_structure_step::after_execute()` ends with
 * `grade_regrade_final_grades($courseid)` (`lib/gradelib.php`), so a course restored with its gradebook.xml
 * comes back with its totals, natural weights and maximums recomputed and every `needsupdate` cleared.
 *
 * This module is that regrade over plain rows (`grade_items`, `grade_categories`, `grade_grades`), with the
 * reads and writes behind a small {@link RegradeStore} so it runs without a storage adapter (unit tests use
 * {@link memoryRegradeStore}); `regrade-stage.ts` wires it to the restore's rows. It follows, in order:
 * - `grade_regrade_final_grades()`: every category, deepest first, runs `pre_regrade_final_grades()`
 *   (`grade_category::auto_update_weights()` then `auto_update_max()`, natural aggregation only); then the
 *   items are regraded in dependency order (`grade_item::depends_on()`), each by
 *   `grade_item::regrade_final_grades()`, and marked done with `regrading_finished()` (needsupdate = 0,
 *   written without history) and `check_locktime()`; at the end `grade_grade::check_locktime_all()`.
 * - raw items (`mod` items, not calculated, no outcome): `finalgrade = adjust_raw_grade(rawgrade, rawgrademin,
 *   rawgrademax)` for grades neither locked nor overridden (`grade_item::adjust_raw_grade`, `bounded_grade`);
 * - course and category items: `grade_category::generate_grades()` → `aggregate_grades()` per user (the users
 *   with a grade on a child item or on the category item), `aggregate_values_and_adjust_bounds()` for the nine
 *   core aggregations, `apply_limit_rules()` (drop lowest / keep highest), `set_usedinaggregation()`.
 * Site settings are those of a fresh Moodle 4.3 ({@link DEFAULT_REGRADE_SETTINGS}); the course's own
 * `minmaxtouse` grade setting wins over the site's, as in `grade_grade::get_grade_min_and_max()`.
 *
 * Grade rows Moodle writes through `grade_grade::insert()` / `update()` (`grade_object`) get a
 * `grade_grades_history` row (action 1 insert / 2 update, with the source Moodle passes: `system` for the rows
 * `aggregate_grades()` inserts and for raw regrades, `aggregation` for totals, `locktime`); items updated through
 * `grade_item::update()` get a `grade_items_history` row (`aggregation` from `auto_update_max()`, no source from
 * `auto_update_weights()`). The store decides whether it keeps them.
 *
 * - calculated items: `grade_item::compute()` / `use_formula()` with Moodle's formula evaluator (`evalmath.ts`);
 *   an item whose formula fails for a user is left for regrading (`force_regrading()`), with what depends on it.
 *
 * Departures: a formula drawing random numbers (`rand_int`, `rand_float`, seeded with `microtime()` in Moodle)
 * is not evaluated: its grades stay as restored and it, and every total depending on it, keep `needsupdate` = 1,
 * so Moodle recomputes them the first time the gradebook is used. The gradebook "calculations freeze" of pre-3.1
 * backups (`gradebook_calculations_freeze_<courseid>`) is not modelled: the current algorithms are used.
 */
import { CalcFormula } from './evalmath.ts';

/** A row as read from or written to a table. */
export type RegradeRow = Record<string, string | number | null>;

/** Moodle's aggregation constants (`lib/grade/constants.php`). */
export const Aggregation = {
  MEAN: 0,
  MEDIAN: 2,
  MIN: 4,
  MAX: 6,
  MODE: 8,
  WEIGHTED_MEAN: 10,
  WEIGHTED_MEAN2: 11,
  EXTRACREDIT_MEAN: 12,
  SUM: 13,
} as const;

/** `GRADE_TYPE_*` (`lib/grade/constants.php`). */
const GRADE_TYPE_NONE = 0;
const GRADE_TYPE_VALUE = 1;
const GRADE_TYPE_SCALE = 2;
const GRADE_TYPE_TEXT = 3;
/** `GRADE_MIN_MAX_FROM_GRADE_GRADE` (`lib/grade/constants.php`); `GRADE_MIN_MAX_FROM_GRADE_ITEM` is 1. */
const MIN_MAX_FROM_GRADE_GRADE = 2;
/** `FORMAT_PLAIN`: what Moodle 4.3 writes in `feedbackformat` / `informationformat` of the grade rows it inserts. */
const FORMAT_PLAIN = 2;
/** `grade_object` history actions (`GRADE_HISTORY_INSERT`, `GRADE_HISTORY_UPDATE`). */
const HISTORY_INSERT = 1;
const HISTORY_UPDATE = 2;
/** `grade_grade::$required_fields` minus `id`: what `generate_grades()` and raw regrades load and write back. */
const GRADE_REQUIRED = [
  'itemid',
  'userid',
  'rawgrade',
  'rawgrademax',
  'rawgrademin',
  'rawscaleid',
  'usermodified',
  'finalgrade',
  'hidden',
  'locked',
  'locktime',
  'exported',
  'overridden',
  'excluded',
  'timecreated',
  'timemodified',
  'aggregationstatus',
  'aggregationweight',
] as const;
/**
 * `grade_grade::$required_fields` of a grade row: what Moodle loads (no feedback text). Written as one literal so
 * every grade shares one shape with its fields inside the object: a course's grades can all be held at once
 * (a category waits for its children's), and a grade costs about 200 bytes this way against 1 KB built field by
 * field (a property store of its own).
 */
function requiredFields(row: RegradeRow): RegradeRow {
  return {
    id: row.id ?? null,
    itemid: row.itemid ?? null,
    userid: row.userid ?? null,
    rawgrade: row.rawgrade ?? null,
    rawgrademax: row.rawgrademax ?? null,
    rawgrademin: row.rawgrademin ?? null,
    rawscaleid: row.rawscaleid ?? null,
    usermodified: row.usermodified ?? null,
    finalgrade: row.finalgrade ?? null,
    hidden: row.hidden ?? null,
    locked: row.locked ?? null,
    locktime: row.locktime ?? null,
    exported: row.exported ?? null,
    overridden: row.overridden ?? null,
    excluded: row.excluded ?? null,
    timecreated: row.timecreated ?? null,
    timemodified: row.timemodified ?? null,
    aggregationstatus: row.aggregationstatus ?? null,
    aggregationweight: row.aggregationweight ?? null,
  } satisfies Record<'id' | (typeof GRADE_REQUIRED)[number], unknown>;
}

/** Modules with a `<mod>_rescale_activity_grades()` callback in core 4.3: `adjust_raw_grade()` does not rescale their grades. */
const MANUALLY_RESCALED = new Set(['assign', 'quiz']);

/** The site settings the regrade reads (`$CFG`), and the course's `minmaxtouse`. */
export interface RegradeSettings {
  /** `grade_minmaxtouse` (1 = from the grade item, 2 = from the grade); the course's grade setting overrides it. */
  readonly minmaxtouse: number;
  /** `$CFG->grade_includescalesinaggregation`. */
  readonly includeScalesInAggregation: boolean;
  /** `$CFG->enableoutcomes`. */
  readonly enableOutcomes: boolean;
  /** `$CFG->unlimitedgrades`. */
  readonly unlimitedGrades: boolean;
  /** `$CFG->gradeoverhundredprocentmax`. */
  readonly overHundredPercentMax: number;
  /** Unix time "now" (`time()`), for `timemodified`, lock times and history. */
  readonly now: number;
  /** `$USER->id` during the restore (history `loggeduser`). */
  readonly loggedUser: number;
}

/** A fresh Moodle 4.3's settings (`admin/settings/grades.php`, `lib/grade/constants.php`). */
export const DEFAULT_REGRADE_SETTINGS: Omit<RegradeSettings, 'now' | 'loggedUser'> = {
  minmaxtouse: 1,
  includeScalesInAggregation: true,
  enableOutcomes: false,
  unlimitedGrades: false,
  overHundredPercentMax: 10,
};

/** Where the regrade reads grades and writes its changes. */
export interface RegradeStore {
  /** Every grade row of an item (all columns). */
  grades(itemId: number): Promise<RegradeRow[]>;
  /** Inserts a grade row; returns its id. */
  insertGrade(row: RegradeRow): Promise<number>;
  /** Updates columns of a grade row. */
  updateGrade(id: number, changes: RegradeRow): Promise<void>;
  /** Updates columns of a grade item. */
  updateItem(id: number, changes: RegradeRow): Promise<void>;
  /** A `grade_grades_history` row (`grade_object::insert/update`). */
  gradeHistory(row: RegradeRow): Promise<void>;
  /** A `grade_items_history` row (`grade_item::update`). */
  itemHistory(row: RegradeRow): Promise<void>;
}

/** What the regrade did. */
export interface RegradeSummary {
  readonly insertedGrades: number;
  readonly updatedGrades: number;
  readonly updatedItems: number;
  /** Items left with `needsupdate` = 1 (failed or random formulas and what depends on them, dependency cycles). */
  readonly pendingItems: readonly number[];
}

/**
 * Regrades a course as `grade_regrade_final_grades()` does after a restore. `items` and `categories` are
 * the course's rows (all columns); they are updated in place with what is written.
 */
export async function regradeCourse(
  items: RegradeRow[],
  categories: RegradeRow[],
  store: RegradeStore,
  settings: RegradeSettings,
): Promise<RegradeSummary> {
  const run = new CourseRegrade(items, categories, store, settings);
  return run.run();
}

// ---------------------------------------------------------------------------------------------------------
// PHP's numeric helpers

/** `grade_floatval()` (`lib/gradelib.php`): null stays null, numbers are rounded to 5 decimals. */
export function gradeFloatval(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  return phpRound(Number(value), 5);
}

/** `grade_floats_different()`. */
export function gradeFloatsDifferent(a: unknown, b: unknown): boolean {
  return gradeFloatval(a) !== gradeFloatval(b);
}

/** PHP's `round($value, $places)`: half away from zero, after pre-rounding to 15 significant digits. */
export function phpRound(value: number, places = 0): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** places;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 ? -rounded : rounded;
}

/** `(string) $float` in PHP 8 (`precision` = 14), used where PHP compares values as strings. */
function phpString(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(14)));
}

/** `grade_grade::standardise_score()`. */
export function standardiseScore(
  raw: number | null,
  sourceMin: number,
  sourceMax: number,
  targetMin: number,
  targetMax: number,
): number | null {
  if (raw === null) return null;
  if (sourceMax === sourceMin || targetMin === targetMax) return targetMax;
  const factor = (raw - sourceMin) / (sourceMax - sourceMin);
  return factor * (targetMax - targetMin) + targetMin;
}

/** `bounded_number()` (`lib/moodlelib.php`). */
function boundedNumber(min: number, value: number, max: number): number {
  if (value < min) return min;
  if (value > max) return max;
  return value;
}

function num(value: unknown, fallback = 0): number {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

function numOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** PHP's `empty()` on a column value. */
function empty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === '0' || value === 0;
}

/** Stable sort of [id, value] pairs by value (PHP 8's `asort` / `arsort` with SORT_NUMERIC are stable). */
function sortEntries(entries: [number, number][], descending = false): void {
  entries.sort((a, b) => (descending ? b[1] - a[1] : a[1] - b[1]));
}

// ---------------------------------------------------------------------------------------------------------
// Items and categories

/** A grade item with the accessors `grade_item` has. */
class Item {
  constructor(readonly row: RegradeRow) {}
  get id(): number {
    return num(this.row.id);
  }
  get itemtype(): string {
    return String(this.row.itemtype ?? '');
  }
  get gradetype(): number {
    return num(this.row.gradetype, GRADE_TYPE_VALUE);
  }
  get grademax(): number {
    return num(this.row.grademax, 100);
  }
  get grademin(): number {
    return num(this.row.grademin);
  }
  get aggregationcoef(): number {
    return num(this.row.aggregationcoef);
  }
  get aggregationcoef2(): number {
    return num(this.row.aggregationcoef2);
  }
  get weightoverride(): number {
    return num(this.row.weightoverride);
  }
  get categoryid(): number | null {
    return numOrNull(this.row.categoryid);
  }
  get iteminstance(): number | null {
    return numOrNull(this.row.iteminstance);
  }
  get sortorder(): number {
    return num(this.row.sortorder);
  }
  /** `is_course_item() || is_category_item()`. */
  get isAggregate(): boolean {
    return this.itemtype === 'course' || this.itemtype === 'category';
  }
  /** `is_calculated()`. */
  get isCalculated(): boolean {
    return !empty(this.row.calculation);
  }
  /** `is_outcome_item()`. */
  get isOutcome(): boolean {
    return !empty(this.row.outcomeid);
  }
  /** `is_locked()` (no user). */
  get isLocked(): boolean {
    return !empty(this.row.locked);
  }
  /** `is_raw_used()`: a module's item, neither calculated nor an outcome. */
  get isRawUsed(): boolean {
    return this.itemtype === 'mod' && !this.isCalculated && !this.isOutcome;
  }
}

/** A grade category. */
class Category {
  constructor(readonly row: RegradeRow) {}
  get id(): number {
    return num(this.row.id);
  }
  get parent(): number | null {
    return empty(this.row.parent) ? null : num(this.row.parent);
  }
  get depth(): number {
    return num(this.row.depth);
  }
  get aggregation(): number {
    return num(this.row.aggregation);
  }
  get keephigh(): number {
    return num(this.row.keephigh);
  }
  get droplow(): number {
    return num(this.row.droplow);
  }
  get aggregateonlygraded(): boolean {
    return !empty(this.row.aggregateonlygraded);
  }
  get aggregateoutcomes(): boolean {
    return !empty(this.row.aggregateoutcomes);
  }
  /** `is_extracredit_used()`. */
  get extraCreditUsed(): boolean {
    const a = this.aggregation;
    return a === Aggregation.WEIGHTED_MEAN2 || a === Aggregation.EXTRACREDIT_MEAN || a === Aggregation.SUM;
  }
}

/** A child of a category as `grade_category::get_children()` lists it. */
interface Child {
  readonly type: 'item' | 'category';
  /** The item, or the category's own grade item. */
  readonly item: Item;
}

/** The category item's grademin / grademax as `aggregate_grades()` leaves them between users. */
interface ItemBounds {
  grademin: number;
  grademax: number;
}

/** Result of aggregating one user's values. */
interface Aggregated {
  grade: number | null;
  grademin: number;
  grademax: number;
}

// ---------------------------------------------------------------------------------------------------------
// The regrade

class CourseRegrade {
  readonly #items: Item[];
  readonly #itemsById = new Map<number, Item>();
  readonly #categories: Category[];
  readonly #categoriesById = new Map<number, Category>();
  /** Category id → its grade item (course item for the course category). */
  readonly #categoryItem = new Map<number, Item>();
  readonly #store: RegradeStore;
  readonly #settings: RegradeSettings;
  /** Grade rows loaded, per item then user; dropped once the item's parent category has used them. */
  readonly #grades = new Map<number, Map<number, RegradeRow>>();
  /** Grades whose `locktime` has passed but are not locked (`check_locktime_all`). */
  readonly #lockDue = new Map<number, { readonly row: RegradeRow; readonly grade: RegradeRow }>();
  /** Users with grades in the course (`compute()`'s pre-creation), read when a calculated item needs them. */
  #users: ReadonlySet<number> | undefined;
  #inserted = 0;
  #updatedGrades = 0;
  #updatedItems = 0;

  constructor(items: RegradeRow[], categories: RegradeRow[], store: RegradeStore, settings: RegradeSettings) {
    // grade_item::fetch_all() and grade_category::fetch_all() return rows by id.
    this.#items = items.map((r) => new Item(r)).sort((a, b) => a.id - b.id);
    for (const item of this.#items) this.#itemsById.set(item.id, item);
    this.#categories = categories.map((r) => new Category(r)).sort((a, b) => a.id - b.id);
    for (const category of this.#categories) this.#categoriesById.set(category.id, category);
    for (const item of this.#items) {
      if (item.isAggregate && item.iteminstance !== null && !this.#categoryItem.has(item.iteminstance))
        this.#categoryItem.set(item.iteminstance, item);
    }
    this.#store = store;
    this.#settings = settings;
  }

  async run(): Promise<RegradeSummary> {
    // grade_regrade_final_grades(): categories' pre-regrade, deepest first (krsort by depth, then by id).
    const byDepth = [...this.#categories].sort((a, b) => b.depth - a.depth || a.id - b.id);
    for (const category of byDepth) {
      await this.#autoUpdateWeights(category);
      await this.#autoUpdateMax(category);
    }

    // Every item of a restored course needs an update: course, category and calculated items always do, module
    // items were inserted with grade_item::insert(), which calls force_regrading(), and gradebook.xml's items are
    // flagged by restore_gradebook_structure_step::after_execute().
    const dependsOn = new Map<number, number[]>();
    for (const item of this.#items) dependsOn.set(item.id, this.#dependsOn(item));
    const final = new Set<number>();
    const pending = new Set<number>();
    const errors = new Set<number>();
    let failed = 0;
    while (final.size < this.#items.length) {
      let count = 0;
      for (const item of this.#items) {
        if (final.has(item.id)) continue;
        const deps = dependsOn.get(item.id)!;
        if (deps.some((d) => !final.has(d))) continue;
        if (errors.has(item.id)) continue;
        const result = await this.#regradeItem(item, deps);
        if (result === 'error') {
          // force_regrading(): the item (and the course item) stay flagged; it is not final, so neither is anything
          // depending on it. Moodle retries it on the next passes with the same outcome.
          errors.add(item.id);
          if (num(item.row.needsupdate) !== 1) await this.#setItem(item, { needsupdate: 1 }, undefined);
          continue;
        }
        final.add(item.id);
        count++;
        if (result === 'done' && !deps.some((d) => pending.has(d))) {
          // regrading_finished(): needsupdate = 0 with set_field (no history); then check_locktime().
          if (num(item.row.needsupdate) !== 0) await this.#setItem(item, { needsupdate: 0 }, undefined);
          await this.#checkLocktime(item);
        } else {
          pending.add(item.id);
          if (num(item.row.needsupdate) !== 1) await this.#setItem(item, { needsupdate: 1 }, undefined);
        }
      }
      failed = count === 0 ? failed + 1 : 0;
      if (failed > 1) {
        // A dependency cycle (or a reference to a missing item): Moodle leaves these for regrading.
        for (const item of this.#items) {
          if (final.has(item.id)) continue;
          pending.add(item.id);
          if (num(item.row.needsupdate) !== 1) await this.#setItem(item, { needsupdate: 1 }, undefined);
          final.add(item.id);
        }
      }
    }
    // force_regrading() also flags the course item: Moodle would regrade again on next use.
    if (pending.size > 0) {
      const courseItem = this.#items.find((i) => i.itemtype === 'course');
      if (courseItem && !pending.has(courseItem.id)) {
        pending.add(courseItem.id);
        await this.#setItem(courseItem, { needsupdate: 1 }, undefined);
      }
    } else {
      await this.#checkLocktimeAll();
    }
    this.#grades.clear();
    return {
      insertedGrades: this.#inserted,
      updatedGrades: this.#updatedGrades,
      updatedItems: this.#updatedItems,
      pendingItems: [...pending],
    };
  }

  // --- structure ---------------------------------------------------------------------------------------

  /** `grade_category::get_children()`: items of the category and its sub-categories, by sortorder. */
  #children(category: Category): Child[] {
    const slots = new Map<number, Child>();
    const place = (sortorder: number, child: Child) => {
      while (slots.has(sortorder)) sortorder++;
      slots.set(sortorder, child);
    };
    for (const item of this.#items) {
      if (item.isAggregate || item.categoryid !== category.id) continue;
      place(item.sortorder, { type: 'item', item });
    }
    for (const sub of this.#categories) {
      if (sub.parent !== category.id) continue;
      const item = this.#categoryItem.get(sub.id);
      if (item) place(item.sortorder, { type: 'category', item });
    }
    return [...slots.entries()].sort((a, b) => a[0] - b[0]).map(([, child]) => child);
  }

  /** `grade_item::depends_on()`. */
  #dependsOn(item: Item): number[] {
    if (item.isLocked) return [];
    if (item.isCalculated) {
      const ids = new Set<number>();
      for (const m of String(item.row.calculation).matchAll(/##gi(\d+)##/g)) ids.add(Number(m[1]));
      return [...ids];
    }
    if (!item.isAggregate) return [];
    const category = item.iteminstance !== null ? this.#categoriesById.get(item.iteminstance) : undefined;
    if (!category) return [];
    if (item.gradetype !== GRADE_TYPE_VALUE && item.gradetype !== GRADE_TYPE_SCALE) return [];
    const typeOk = (i: Item) =>
      i.gradetype === GRADE_TYPE_VALUE ||
      (this.#settings.includeScalesInAggregation && i.gradetype === GRADE_TYPE_SCALE);
    // Outcome items are left out only when outcomes are enabled and the category does not aggregate them.
    const outcomeOk = (i: Item) => !this.#settings.enableOutcomes || category.aggregateoutcomes || !i.isOutcome;
    const ids: number[] = [];
    for (const child of this.#items) {
      if (!typeOk(child) || !outcomeOk(child)) continue;
      if (!child.isAggregate && child.categoryid === category.id) ids.push(child.id);
      else if (
        child.isAggregate &&
        child.iteminstance !== null &&
        this.#categoriesById.get(child.iteminstance)?.parent === category.id
      )
        ids.push(child.id);
    }
    return ids;
  }

  /** `grade_category::can_apply_limit_rules()`. */
  #canApplyLimitRules(category: Category): boolean {
    if (category.aggregation !== Aggregation.SUM) return true;
    let lastWeight: number | null = null;
    let lastMax: number | null = null;
    for (const child of this.#children(category)) {
      if (child.type === 'category') return false;
      if (child.item.aggregationcoef > 0) return false;
      if (lastWeight !== null && lastWeight !== child.item.aggregationcoef2) return false;
      if (lastMax !== null && lastMax !== child.item.grademax) return false;
      lastWeight = child.item.aggregationcoef2;
      lastMax = child.item.grademax;
    }
    return true;
  }

  /** `grade_category::apply_limit_rules()`: drops the lowest or keeps the highest values; returns the kept entries. */
  #applyLimitRules(category: Category, values: [number, number][]): [number, number][] {
    const extraUsed = category.extraCreditUsed;
    const coef = (id: number) => this.#itemsById.get(id)?.aggregationcoef ?? 0;
    const max = (id: number) => this.#itemsById.get(id)?.grademax ?? 0;
    let entries = [...values];
    if (category.droplow > 0) {
      sortEntries(entries);
      let dropped = 0;
      let droppedSomething = true;
      while (dropped < category.droplow && droppedSomething) {
        droppedSomething = false;
        if (entries.length === 0) break;
        let originalIndex = -1;
        let found: number | null = null;
        let foundMax = 0;
        for (let k = 0; k < entries.length; k++) {
          const id = entries[k]![0];
          if (!extraUsed || coef(id) <= 0) {
            originalIndex = k;
            found = id;
            foundMax = max(id);
            break;
          }
        }
        if (found === null) break;
        // Among the next items with the same value, drop the one with the highest grademax.
        const foundValue = entries[originalIndex]![1];
        for (let k = originalIndex + 1; k < entries.length; k++) {
          const [id, value] = entries[k]!;
          if (foundValue !== value) break;
          if (extraUsed && coef(id) > 0) continue;
          if (foundMax < max(id)) {
            foundMax = max(id);
            found = id;
          }
        }
        const drop = found;
        entries = entries.filter(([id]) => id !== drop);
        dropped++;
        droppedSomething = true;
      }
    } else if (category.keephigh > 0) {
      sortEntries(entries, true);
      let kept = 0;
      entries = entries.filter(([id]) => {
        if (extraUsed && coef(id) > 0) return true;
        if (kept < category.keephigh) {
          kept++;
          return true;
        }
        return false;
      });
    }
    return entries;
  }

  // --- pre-regrade -------------------------------------------------------------------------------------

  /** `grade_category::auto_update_weights()` (natural aggregation). */
  async #autoUpdateWeights(category: Category): Promise<void> {
    if (category.aggregation !== Aggregation.SUM) return;
    const { includeScalesInAggregation } = this.#settings;
    const children = this.#children(category);
    const skipped = (item: Item) =>
      item.gradetype === GRADE_TYPE_NONE ||
      item.gradetype === GRADE_TYPE_TEXT ||
      (!category.aggregateoutcomes && item.isOutcome) ||
      (!includeScalesInAggregation && item.gradetype === GRADE_TYPE_SCALE);
    let totalGrademax = 0;
    let totalOverriddenWeight = 0;
    let totalOverriddenGrademax = 0;
    let automaticPresent = false;
    const overrides = new Map<number, { extracredit: number; weight: number; weightoverride: number }>();
    for (const { item } of children) {
      if (skipped(item)) continue;
      overrides.set(item.id, {
        extracredit: Math.trunc(item.aggregationcoef),
        weight: item.aggregationcoef2,
        weightoverride: Math.trunc(item.weightoverride),
      });
      if (!item.weightoverride && item.aggregationcoef === 0) automaticPresent = true;
      if (item.aggregationcoef > 0) continue;
      if (item.weightoverride > 0 && item.aggregationcoef2 <= 0) continue;
      totalGrademax += item.grademax;
      if (item.weightoverride > 0) {
        totalOverriddenWeight += item.aggregationcoef2;
        totalOverriddenGrademax += item.grademax;
      }
    }
    let normaliseTotal = 0;
    let overriddenTotal = 0;
    for (const detail of overrides.values()) {
      if (!detail.extracredit) normaliseTotal += detail.weight;
      if (detail.weightoverride && !detail.extracredit && detail.weight > 0) overriddenTotal += detail.weight;
    }
    let requiresNormalising = false;
    if (overriddenTotal > 1) {
      requiresNormalising = true;
      normaliseTotal = overriddenTotal;
    }
    const totalNonOverriddenGrademax = totalGrademax - totalOverriddenGrademax;
    for (const { item } of children) {
      if (skipped(item)) continue;
      if (item.aggregationcoef > 0 && item.weightoverride) continue;
      const previous = item.aggregationcoef2;
      let weight = previous;
      if (item.aggregationcoef > 0 && !item.weightoverride) {
        weight = totalGrademax ? item.grademax / totalGrademax : 0;
      } else if (!item.weightoverride) {
        weight =
          totalOverriddenWeight >= 1 || totalNonOverriddenGrademax === 0 || item.grademax === 0
            ? 0
            : (item.grademax / totalNonOverriddenGrademax) * (1 - totalOverriddenWeight);
      } else if (
        (!automaticPresent && normaliseTotal !== 1) ||
        requiresNormalising ||
        overrides.get(item.id)!.weight < 0
      ) {
        weight =
          normaliseTotal === 0 || overrides.get(item.id)!.weight < 0
            ? 0
            : overrides.get(item.id)!.weight / normaliseTotal;
      }
      if (gradeFloatval(previous) !== gradeFloatval(weight)) {
        // $gradeitem->update() with no source; grade_item::update() stores grade_floatval() values. Every item of a
        // restored course is flagged for regrading at this point (see run()), which its history row records.
        await this.#setItem(item, { aggregationcoef2: gradeFloatval(weight), needsupdate: 1 }, null);
      }
    }
  }

  /** `grade_category::auto_update_max()` (natural aggregation). */
  async #autoUpdateMax(category: Category): Promise<void> {
    if (category.aggregation !== Aggregation.SUM) return;
    const categoryItem = this.#categoryItem.get(category.id);
    if (!categoryItem) return;
    if (categoryItem.isCalculated) return;
    const items = this.#dependsOn(categoryItem)
      .map((id) => this.#itemsById.get(id))
      .filter((i): i is Item => i !== undefined);
    if (items.length === 0) {
      if (categoryItem.grademax !== 0 || categoryItem.gradetype !== GRADE_TYPE_VALUE) {
        await this.#setItem(
          categoryItem,
          { grademax: 0, grademin: 0, gradetype: GRADE_TYPE_VALUE, needsupdate: 1 },
          'aggregation',
        );
      }
      return;
    }
    let maxes: [number, number][] = [];
    for (const item of items) {
      if (item.aggregationcoef > 0) continue; // extra credit does not affect the total
      if (item.aggregationcoef2 <= 0) continue; // nor does an item with a weight of 0
      if (item.gradetype === GRADE_TYPE_VALUE || item.gradetype === GRADE_TYPE_SCALE)
        maxes.push([item.id, item.grademax]);
    }
    if (this.#canApplyLimitRules(category)) maxes = this.#applyLimitRules(category, maxes);
    const max = maxes.reduce((sum, [, m]) => sum + m, 0);
    if (categoryItem.grademax !== max || categoryItem.grademin !== 0 || categoryItem.gradetype !== GRADE_TYPE_VALUE) {
      await this.#setItem(
        categoryItem,
        { grademax: gradeFloatval(max), grademin: 0, gradetype: GRADE_TYPE_VALUE, needsupdate: 1 },
        'aggregation',
      );
    }
  }

  // --- regrading items -------------------------------------------------------------------------------

  /**
   * `grade_item::regrade_final_grades()`: `done`, `error` (a formula failed: Moodle's error string) or `skipped`
   * (a random formula, left for Moodle).
   */
  async #regradeItem(item: Item, deps: number[]): Promise<'done' | 'error' | 'skipped'> {
    if (item.isLocked) return 'done';
    if (item.isCalculated) return this.#compute(item, deps);
    if (item.isOutcome) return 'done';
    if (item.isAggregate) {
      await this.#generateGrades(item, deps);
      return 'done';
    }
    if (!item.isRawUsed) return 'done'; // manual items keep their final grades
    const grades = await this.#gradesOf(item.id);
    for (const grade of grades.values()) {
      if (!empty(grade.locked) || !empty(grade.overridden)) continue;
      const finalgrade = this.#adjustRawGrade(
        item,
        numOrNull(grade.rawgrade),
        num(grade.rawgrademin),
        num(grade.rawgrademax, 100),
      );
      if (gradeFloatsDifferent(grade.finalgrade, finalgrade)) {
        await this.#updateGrade(grade, { finalgrade: gradeFloatval(finalgrade) }, 'system');
      }
    }
    return 'done';
  }

  /** `grade_item::compute()` and `use_formula()`: the formula over each user's final grades of the items it uses. */
  async #compute(item: Item, used: number[]): Promise<'done' | 'error' | 'skipped'> {
    const text = String(item.row.calculation).replace(/##(gi\d+)##/g, '$1');
    if (text.includes('[[')) return 'error'; // a missing item
    const formula = new CalcFormula(text);
    if (formula.random) return 'skipped';
    // Precreate the grades of users with grades in the course but none for this item.
    const own = await this.#gradesOf(item.id);
    for (const userid of await this.#courseUsers()) {
      if (!own.has(userid)) own.set(userid, await this.#insertGrade({ itemid: item.id, userid }));
    }
    // Only items of this course are read (`gi.courseid = ?`).
    const usedGrades = new Map<number, Map<number, RegradeRow>>();
    for (const id of used) if (id !== item.id && this.#itemsById.has(id)) usedGrades.set(id, await this.#gradesOf(id));
    const users = new Set<number>(own.keys());
    for (const grades of usedGrades.values()) for (const userid of grades.keys()) users.add(userid);
    let ok = true;
    for (const userid of [...users].sort((a, b) => a - b)) {
      // Not graded (null) counts as 0, "the spreadsheet way"; the item's own grade is not a parameter.
      const params: Record<string, number> = {};
      let allInputsNull = true;
      for (const id of used) {
        const row = id === item.id ? own.get(userid) : usedGrades.get(id)?.get(userid);
        const value = row ? numOrNull(row.finalgrade) : null;
        params[`gi${id}`] = value ?? 0;
        if (value !== null && id !== item.id) allInputsNull = false;
      }
      delete params[`gi${item.id}`];
      // The grade of a calculated item has the item's min and max as its raw min and max.
      let grade = own.get(userid);
      let rawChanged = false;
      if (!grade) {
        grade = await this.#insertGrade({
          itemid: item.id,
          userid,
          rawgrademax: item.grademax,
          rawgrademin: item.grademin,
        });
        own.set(userid, grade);
        rawChanged = true;
      } else if (num(grade.rawgrademax, 100) !== item.grademax || num(grade.rawgrademin) !== item.grademin) {
        rawChanged = true;
      }
      const oldFinal = numOrNull(grade.finalgrade);
      if (!empty(grade.locked) || !empty(grade.overridden)) continue;
      let finalgrade: number | null = null;
      if (!allInputsNull) {
        const result = formula.evaluate(params);
        if (result === false) ok = false;
        else finalgrade = this.#boundedGrade(item, { grademin: item.grademin, grademax: item.grademax }, result);
      }
      if (gradeFloatsDifferent(finalgrade, oldFinal) || rawChanged) {
        const changes: RegradeRow = { finalgrade: gradeFloatval(finalgrade), timemodified: this.#settings.now };
        if (rawChanged)
          Object.assign(changes, {
            rawgrademax: gradeFloatval(item.grademax),
            rawgrademin: gradeFloatval(item.grademin),
          });
        await this.#updateGrade(grade, changes, 'compute');
      }
    }
    return ok ? 'done' : 'error';
  }

  /** Users with a grade on any item of the course (read once; the regrade only adds grades for them). */
  async #courseUsers(): Promise<ReadonlySet<number>> {
    if (!this.#users) {
      const users = new Set<number>();
      for (const item of this.#items) {
        const cached = this.#grades.get(item.id);
        if (cached) for (const userid of cached.keys()) users.add(userid);
        else for (const row of await this.#store.grades(item.id)) users.add(num(row.userid));
      }
      this.#users = users;
    }
    return this.#users;
  }

  /** `grade_item::adjust_raw_grade()`. */
  #adjustRawGrade(item: Item, rawgrade: number | null, rawmin: number, rawmax: number): number | null {
    if (rawgrade === null) return null;
    const manuallyRescaled = MANUALLY_RESCALED.has(String(item.row.itemmodule ?? ''));
    if (item.gradetype === GRADE_TYPE_VALUE) {
      if (item.grademax < item.grademin) return null;
      if (item.grademax === item.grademin) return item.grademax;
      let grade = rawgrade;
      if (!manuallyRescaled && (rawmin !== item.grademin || rawmax !== item.grademax)) {
        grade = standardiseScore(grade, rawmin, rawmax, item.grademin, item.grademax)!;
      }
      grade *= num(item.row.multfactor, 1);
      grade += num(item.row.plusfactor);
      return this.#boundedGrade(item, { grademin: item.grademin, grademax: item.grademax }, grade);
    }
    if (item.gradetype === GRADE_TYPE_SCALE) {
      if (item.grademax < 0) return null;
      if (item.grademax === 0) return item.grademax;
      let grade = rawgrade;
      if (!manuallyRescaled && (rawmin !== item.grademin || rawmax !== item.grademax)) {
        grade = standardiseScore(grade, rawmin, rawmax, item.grademin, item.grademax)!;
      }
      return this.#boundedGrade(item, { grademin: item.grademin, grademax: item.grademax }, grade);
    }
    return null;
  }

  /** `grade_item::bounded_grade()`, with the item's grademin / grademax as given (`aggregate_grades` changes them). */
  #boundedGrade(item: Item, bounds: ItemBounds, value: number | null): number | null {
    if (value === null) return null;
    if (item.gradetype === GRADE_TYPE_SCALE) {
      return Math.trunc(boundedNumber(bounds.grademin, phpRound(value + 0.00001), bounds.grademax));
    }
    let grademax = bounds.grademax;
    const maxcoef = this.#settings.overHundredPercentMax;
    if (this.#settings.unlimitedGrades) {
      grademax *= maxcoef;
    } else if (item.isAggregate) {
      const category = item.iteminstance !== null ? this.#categoriesById.get(item.iteminstance) : undefined;
      if (category && category.aggregation >= 100) grademax *= maxcoef;
    }
    return boundedNumber(bounds.grademin, value, grademax);
  }

  /** `grade_category::generate_grades()`. */
  async #generateGrades(categoryItem: Item, deps: number[]): Promise<void> {
    const category =
      categoryItem.iteminstance !== null ? this.#categoriesById.get(categoryItem.iteminstance) : undefined;
    if (!category || categoryItem.isLocked) return;
    const items = new Map<number, Item>();
    for (const id of deps) {
      const item = this.#itemsById.get(id);
      if (item) items.set(id, item);
    }
    const childGrades = new Map<number, Map<number, RegradeRow>>();
    for (const id of items.keys()) childGrades.set(id, await this.#gradesOf(id));
    const own = await this.#gradesOf(categoryItem.id);
    // set_usedinaggregation() also touches the grades of the category's other items (text, none …).
    const others = new Map<number, Map<number, RegradeRow>>();
    for (const item of this.#items) {
      if (item.categoryid === category.id && !items.has(item.id)) others.set(item.id, await this.#gradesOf(item.id));
    }
    const users = new Set<number>(own.keys());
    for (const grades of childGrades.values()) for (const userid of grades.keys()) users.add(userid);
    const bounds: ItemBounds = { grademin: categoryItem.grademin, grademax: categoryItem.grademax };
    const canApplyLimitRules = this.#canApplyLimitRules(category);
    for (const userid of [...users].sort((a, b) => a - b)) {
      await this.#aggregateGrades(
        category,
        categoryItem,
        bounds,
        items,
        childGrades,
        own,
        others,
        userid,
        canApplyLimitRules,
      );
    }
    // Every child's grades have been used by their only parent.
    for (const id of items.keys()) this.#grades.delete(id);
    for (const id of others.keys()) this.#grades.delete(id);
  }

  /** `grade_category::aggregate_grades()` for one user. */
  async #aggregateGrades(
    category: Category,
    categoryItem: Item,
    bounds: ItemBounds,
    items: Map<number, Item>,
    childGrades: Map<number, Map<number, RegradeRow>>,
    own: Map<number, RegradeRow>,
    others: Map<number, Map<number, RegradeRow>>,
    userid: number,
    canApplyLimitRules: boolean,
  ): Promise<void> {
    const minmaxFromGrade = this.#settings.minmaxtouse === MIN_MAX_FROM_GRADE_GRADE;
    // The user's values, in item order; min / max per grade (`grade_grade::get_grade_min/max()`).
    const values = new Map<number, number | null>();
    const excluded = new Set<number>();
    const minOverrides = new Map<number, number>();
    const maxOverrides = new Map<number, number>();
    for (const [itemid, grades] of childGrades) {
      const grade = grades.get(userid);
      if (!grade) continue;
      const item = items.get(itemid)!;
      values.set(itemid, numOrNull(grade.finalgrade));
      const fromGrade = (item.isAggregate && !item.isCalculated) || minmaxFromGrade;
      minOverrides.set(itemid, fromGrade ? num(grade.rawgrademin) : item.grademin);
      maxOverrides.set(itemid, fromGrade ? num(grade.rawgrademax, 100) : item.grademax);
      if (!empty(grade.excluded)) excluded.add(itemid);
    }

    let grade = own.get(userid);
    let oldFinal: number | null;
    if (grade) {
      oldFinal = numOrNull(grade.finalgrade);
    } else {
      // Insert the final grade; it will be needed later anyway.
      grade = await this.#insertGrade({ itemid: categoryItem.id, userid });
      own.set(userid, grade);
      oldFinal = null;
    }
    // No need to recalculate locked or overridden grades.
    if (!empty(grade.locked) || categoryItem.isLocked || !empty(grade.overridden)) return;

    // Make sure a grade exists for every child item (set_usedinaggregation() updates them). Only this user's
    // aggregation uses them: they are not added to the items' loaded grades, which would otherwise grow to
    // users × items rows until the category is done (5,000 users × 36 items: ~25 MB).
    const userGrades = new Map<number, RegradeRow>();
    for (const [itemid, item] of items) {
      const loaded = childGrades.get(itemid)!.get(userid);
      userGrades.set(
        itemid,
        loaded ?? (await this.#insertGrade({ itemid, userid, rawgrademin: item.grademin, rawgrademax: item.grademax })),
      );
    }
    for (const [itemid, grades] of others) {
      const grade = grades.get(userid);
      if (grade) userGrades.set(itemid, grade);
    }

    const novalue = new Set<number>();
    const dropped = new Set<number>();
    const extracredit = new Set<number>();
    const usedWeights = new Map<number, number>();
    const setUsed = () => this.#setUsedInAggregation(category, userGrades, usedWeights, novalue, dropped, extracredit);

    const gradetype = categoryItem.gradetype;
    if (values.size === 0 || items.size === 0 || (gradetype !== GRADE_TYPE_VALUE && gradetype !== GRADE_TYPE_SCALE)) {
      if (oldFinal !== null)
        await this.#updateGrade(grade, { finalgrade: null, timemodified: this.#settings.now }, 'aggregation');
      for (const itemid of values.keys()) dropped.add(itemid);
      await setUsed();
      return;
    }

    // Normalise the values to 0…1; ungraded items are not used with "aggregate only graded".
    for (const [itemid, v] of values) {
      if (v === null && category.aggregateonlygraded) {
        values.delete(itemid);
        novalue.add(itemid);
        continue;
      }
      if (excluded.has(itemid)) {
        values.delete(itemid);
        dropped.add(itemid);
        continue;
      }
      const item = items.get(itemid)!;
      const min = minOverrides.get(itemid) ?? item.grademin;
      const max = maxOverrides.get(itemid) ?? item.grademax;
      // Natural: grademin is taken as 0 to keep negative grades.
      values.set(
        itemid,
        category.aggregation === Aggregation.SUM
          ? standardiseScore(v, 0, max, 0, 1)
          : standardiseScore(v, min, max, 0, 1),
      );
    }
    let allNull = true;
    for (const v of values.values()) if (v !== null) allNull = false;

    // Items with no value (no grade, or a null one: PHP's isset()) and not excluded: 0, or "no value" with
    // "aggregate only graded".
    for (const itemid of items.keys()) {
      if ((values.get(itemid) ?? null) !== null || excluded.has(itemid)) continue;
      if (!category.aggregateonlygraded) values.set(itemid, 0);
      else novalue.add(itemid);
    }

    let entries = [...values] as [number, number][];
    const allValues = [...entries];
    if (canApplyLimitRules) entries = this.#applyLimitRules(category, entries);
    // array_diff($allvalues, $grade_values) compares the values as strings, not the keys.
    const keptValues = new Set(entries.map(([, v]) => phpString(v)));
    for (const [itemid, v] of allValues) if (!keptValues.has(phpString(v))) dropped.add(itemid);
    for (const [itemid] of entries) {
      if (category.extraCreditUsed && items.get(itemid)!.aggregationcoef > 0) extracredit.add(itemid);
    }
    sortEntries(entries);

    if (entries.length === 0) {
      if (oldFinal !== null)
        await this.#updateGrade(grade, { finalgrade: null, timemodified: this.#settings.now }, 'aggregation');
      await setUsed();
      return;
    }

    const result = this.#aggregateValues(
      category,
      categoryItem,
      bounds,
      entries,
      items,
      usedWeights,
      minOverrides,
      maxOverrides,
    );
    // Set the actual grademin and max to bind the grade properly (the item keeps them for the next user).
    bounds.grademin = result.grademin;
    bounds.grademax = result.grademax;
    // Natural shows the range from 0 for categories, but the grade is bound allowing negative values.
    const rangeMin = category.aggregation === Aggregation.SUM ? 0 : result.grademin;
    let finalgrade: number | null = null;
    if (!allNull)
      finalgrade = this.#boundedGrade(
        categoryItem,
        bounds,
        standardiseScore(result.grade, 0, 1, rangeMin, result.grademax),
      );
    const changes: RegradeRow = {};
    if (
      gradeFloatsDifferent(finalgrade, oldFinal) ||
      gradeFloatsDifferent(result.grademax, grade.rawgrademax) ||
      gradeFloatsDifferent(rangeMin, grade.rawgrademin)
    ) {
      changes.finalgrade = gradeFloatval(finalgrade);
      changes.rawgrademin = gradeFloatval(rangeMin);
      changes.rawgrademax = gradeFloatval(result.grademax);
      changes.timemodified = this.#settings.now;
      await this.#updateGrade(grade, changes, 'aggregation');
    }
    await setUsed();
  }

  /** `grade_category::aggregate_values_and_adjust_bounds()`; fills `weights`. */
  #aggregateValues(
    category: Category,
    categoryItem: Item,
    bounds: ItemBounds,
    entries: [number, number][],
    items: Map<number, Item>,
    weights: Map<number, number>,
    minOverrides: Map<number, number>,
    maxOverrides: Map<number, number>,
  ): Aggregated {
    let grademin = bounds.grademin;
    let grademax = bounds.grademax;
    const item = (id: number) => items.get(id)!;
    let agg: number | null;
    switch (category.aggregation) {
      case Aggregation.MEDIAN: {
        // The middle value; the median gets 100 % (or two get 50 %).
        const n = entries.length;
        const half = Math.trunc(n / 2);
        entries.forEach(([id], k) => {
          if (n % 2 === 0 && (k === half - 1 || k === half)) weights.set(id, 0.5);
          else if (n % 2 !== 0 && k === Math.trunc(n / 2 - 0.5)) weights.set(id, 1);
          else weights.set(id, 0);
        });
        agg = n % 2 === 0 ? (entries[half - 1]![1] + entries[half]![1]) / 2 : entries[Math.trunc(n / 2 - 0.5)]![1];
        break;
      }
      case Aggregation.MIN:
        for (const [id] of entries) weights.set(id, 0);
        weights.set(entries[0]![0], 1);
        agg = entries[0]![1];
        break;
      case Aggregation.MAX:
        for (const [id] of entries) weights.set(id, 0);
        weights.set(entries[entries.length - 1]![0], 1);
        agg = entries[entries.length - 1]![1];
        break;
      case Aggregation.MODE: {
        // Values are counted as strings (array_count_values); the highest of the most frequent wins.
        const freq = new Map<string, number>();
        for (const [id, v] of entries) {
          weights.set(id, 0);
          const key = phpString(v);
          freq.set(key, (freq.get(key) ?? 0) + 1);
        }
        const top = Math.max(...freq.values());
        const modes = [...freq.entries()].filter(([, c]) => c === top).map(([k]) => Number(k));
        agg = Math.max(...modes);
        if (top > 0) for (const [id, v] of entries) if (v === agg) weights.set(id, 1 / top);
        break;
      }
      case Aggregation.WEIGHTED_MEAN: {
        let weightsum = 0;
        let sum = 0;
        for (const [id, v] of entries) {
          const coef = item(id).aggregationcoef;
          weights.set(id, coef);
          if (coef <= 0) continue;
          weightsum += coef;
          sum += coef * v;
        }
        if (weightsum === 0) {
          agg = null;
        } else {
          agg = sum / weightsum;
          for (const [id, w] of weights) weights.set(id, w / weightsum);
        }
        break;
      }
      case Aggregation.WEIGHTED_MEAN2: {
        // Simple weighted mean: the weight is the item's range; extra credit items are added on top.
        let weightsum = 0;
        let sum: number | null = null;
        for (const [id, v] of entries) {
          if (item(id).aggregationcoef > 0) continue;
          const weight = item(id).grademax - item(id).grademin;
          if (weight <= 0) continue;
          weightsum += weight;
          sum = (sum ?? 0) + weight * v;
        }
        for (const [id, v] of entries) {
          if (item(id).aggregationcoef <= 0) continue;
          const weight = item(id).grademax - item(id).grademin;
          if (weight <= 0) {
            weights.set(id, 0);
            continue;
          }
          const oldsum = sum ?? 0;
          sum = oldsum + weight * v;
          if (weightsum <= 0) {
            weights.set(id, 0);
            continue;
          }
          weights.set(
            id,
            this.#extraCreditWeight(
              categoryItem,
              bounds,
              grademin,
              grademax,
              oldsum / weightsum,
              sum / weightsum,
              v,
              weight / weightsum,
            ),
          );
        }
        agg = weightsum === 0 ? sum : (sum ?? 0) / weightsum;
        for (const [id] of entries) {
          if (item(id).aggregationcoef > 0) continue;
          weights.set(id, weightsum > 0 ? (item(id).grademax - item(id).grademin) / weightsum : 0);
        }
        break;
      }
      case Aggregation.EXTRACREDIT_MEAN: {
        let n = 0;
        let sum: number | null = null;
        for (const [id, v] of entries) {
          if (item(id).aggregationcoef === 0) {
            n += 1;
            sum = (sum ?? 0) + v;
            weights.set(id, 1);
          }
        }
        for (const [id, v] of entries) {
          const coef = item(id).aggregationcoef;
          if (coef <= 0) continue;
          const oldsum = sum ?? 0;
          sum = oldsum + coef * v;
          if (n <= 0) continue;
          weights.set(
            id,
            this.#extraCreditWeight(categoryItem, bounds, grademin, grademax, oldsum / n, sum / n, v, 1 / n),
          );
        }
        if (n > 0) {
          for (const [id] of entries) {
            if (item(id).aggregationcoef > 0) continue;
            if (weights.get(id)) weights.set(id, 1 / n);
          }
        }
        agg = n === 0 ? sum : (sum ?? 0) / n;
        break;
      }
      case Aggregation.SUM: {
        // Natural: points add up; weights are the items' share of the points, or their overridden weight.
        let sum = 0;
        let sumweights = 0;
        grademin = 0;
        grademax = 0;
        const extra = new Set<number>();
        const userMax = (id: number) => maxOverrides.get(id) ?? item(id).grademax;
        for (const [id] of entries) {
          const min = minOverrides.get(id) ?? item(id).grademin;
          if (item(id).aggregationcoef > 0) extra.add(id);
          if (!extra.has(id) && item(id).aggregationcoef2 > 0) {
            grademin += min;
            grademax += userMax(id);
            sumweights += item(id).aggregationcoef2;
          }
        }
        const userWeights = new Map<number, number>();
        let totalOverriddenWeight = 0;
        let totalOverriddenGrademax = 0;
        for (const [id] of entries) {
          if (!item(id).weightoverride) continue;
          if (item(id).aggregationcoef2 <= 0) {
            userWeights.set(id, 0);
            continue;
          }
          userWeights.set(id, sumweights ? item(id).aggregationcoef2 / sumweights : 0);
          if (extra.has(id)) continue; // extra credit items do not affect totals
          totalOverriddenWeight += userWeights.get(id)!;
          totalOverriddenGrademax += userMax(id);
        }
        const nonOverriddenPoints = grademax - totalOverriddenGrademax;
        for (const [id] of entries) {
          if (item(id).weightoverride || extra.has(id)) continue;
          if (nonOverriddenPoints > 0) {
            userWeights.set(id, (userMax(id) / nonOverriddenPoints) * (1 - totalOverriddenWeight));
          } else {
            userWeights.set(id, 0);
            // Items with a weight of 0 do not count for the grade max (only when the weight was changed to 0).
            if (item(id).aggregationcoef2 > 0) grademax -= userMax(id);
          }
        }
        for (const [id] of entries) {
          if (!item(id).weightoverride && extra.has(id)) userWeights.set(id, grademax ? userMax(id) / grademax : 0);
        }
        for (const [id, v] of entries) {
          if (extra.has(id)) continue;
          sum += v * userWeights.get(id)! * grademax;
          weights.set(id, userWeights.get(id)!);
        }
        // Extra credit items may contribute less than their weight when the total is bounded; bounded_grade()
        // uses the category item's bounds as the previous user left them.
        for (const [id, v] of entries) {
          if (!extra.has(id)) continue;
          const oldsum = sum;
          const weighted = v * userWeights.get(id)! * grademax;
          sum += weighted;
          if (grademax <= 0) {
            weights.set(id, userWeights.get(id)!);
            continue;
          }
          const oldFinal = this.#boundedGrade(categoryItem, bounds, oldsum)!;
          const newFinal = this.#boundedGrade(categoryItem, bounds, sum)!;
          const diff = newFinal - oldFinal;
          if (diff <= 0) weights.set(id, 0);
          else if (diff < weighted) weights.set(id, diff / (v * grademax));
          else weights.set(id, userWeights.get(id)!);
        }
        if (grademax > 0) {
          agg = sum / grademax;
        } else {
          // Every item of the category is extra credit.
          agg = sum;
          grademax = sum;
        }
        break;
      }
      default: {
        // Aggregation.MEAN, and any aggregation core does not offer (grade_category::aggregate_values_and_adjust_bounds).
        const n = entries.length;
        const sum = entries.reduce((s, [, v]) => s + v, 0);
        agg = sum / n;
        for (const [id] of entries) weights.set(id, 1 / n);
        break;
      }
    }
    return { grade: agg, grademin, grademax };
  }

  /** The weight of an extra credit item in simple weighted mean / mean with extra credit (same rule in both). */
  #extraCreditWeight(
    categoryItem: Item,
    bounds: ItemBounds,
    grademin: number,
    grademax: number,
    oldgrade: number,
    grade: number,
    value: number,
    normal: number,
  ): number {
    const normOld = standardiseScore(oldgrade, 0, 1, grademin, grademax)!;
    const normNew = standardiseScore(grade, 0, 1, grademin, grademax)!;
    const boundedOld = this.#boundedGrade(categoryItem, bounds, normOld)!;
    const boundedNew = this.#boundedGrade(categoryItem, bounds, normNew)!;
    if (boundedNew - boundedOld <= 0) return 0; // nothing was added
    if (boundedNew < normNew) {
      // The grade was bounded: only part of the item counted.
      const diff = boundedNew - normOld;
      return standardiseScore(diff, grademin, grademax, 0, 1)! / value;
    }
    return normal;
  }

  /** `grade_category::set_usedinaggregation()`: each grade's aggregation status and weight. */
  async #setUsedInAggregation(
    category: Category,
    userGrades: ReadonlyMap<number, RegradeRow>,
    usedWeights: Map<number, number>,
    novalue: Set<number>,
    dropped: Set<number>,
    extracredit: Set<number>,
  ): Promise<void> {
    // The user's grades on the category's items and on every item given a status.
    const scope = new Map<number, RegradeRow>();
    const flagged = new Set<number>([...usedWeights.keys(), ...novalue, ...dropped, ...extracredit]);
    for (const [itemid, grade] of userGrades) {
      const item = this.#itemsById.get(itemid)!;
      if (item.categoryid !== category.id && !flagged.has(itemid)) continue;
      scope.set(itemid, grade);
    }
    for (const [itemid, grade] of scope) {
      let status: string;
      let weight: number | null;
      const current = numOrNull(grade.aggregationweight);
      if (novalue.has(itemid)) [status, weight] = ['novalue', 0];
      else if (dropped.has(itemid)) [status, weight] = ['dropped', 0];
      else if (extracredit.has(itemid))
        [status, weight] = ['extra', usedWeights.has(itemid) ? usedWeights.get(itemid)! : current];
      else if (usedWeights.has(itemid)) [status, weight] = ['used', usedWeights.get(itemid)!];
      else [status, weight] = ['unknown', 0];
      if (grade.aggregationstatus === status && !gradeFloatsDifferent(current, weight)) continue;
      // Written with plain SQL (no history, timemodified unchanged); the column keeps 5 decimals.
      const changes: RegradeRow = { aggregationstatus: status, aggregationweight: gradeFloatval(weight) };
      Object.assign(grade, changes);
      await this.#store.updateGrade(num(grade.id), changes);
      this.#updatedGrades++;
    }
  }

  // --- locking -------------------------------------------------------------------------------------------

  /** `grade_item::check_locktime()`. */
  async #checkLocktime(item: Item): Promise<void> {
    if (item.isLocked) return;
    const locktime = num(item.row.locktime);
    if (locktime && locktime < this.#settings.now)
      await this.#setItem(item, { locked: this.#settings.now }, 'locktime');
  }

  /** `grade_grade::check_locktime_all()`: grades whose lock time has passed are locked. */
  async #checkLocktimeAll(): Promise<void> {
    for (const { row, grade: current } of this.#lockDue.values()) {
      // The whole row as it is now (check_locktime_all() reads it back from the database).
      const grade = Object.assign(row, current);
      if (!empty(grade.locked)) continue;
      // Loaded with every column (get_recordset_select), so the history row is whole.
      await this.#updateGrade(grade, { locked: this.#settings.now }, 'locktime', true);
    }
  }

  // --- reading and writing -------------------------------------------------------------------------------

  /** The grades of an item by user (loaded once, until their parent category has used them). */
  async #gradesOf(itemId: number): Promise<Map<number, RegradeRow>> {
    let grades = this.#grades.get(itemId);
    if (!grades) {
      grades = new Map();
      for (const row of await this.#store.grades(itemId)) {
        const grade = requiredFields(row);
        grades.set(num(row.userid), grade);
        const locktime = num(row.locktime);
        if (empty(row.locked) && locktime > 0 && locktime < this.#settings.now)
          this.#lockDue.set(num(row.id), { row, grade });
      }
      this.#grades.set(itemId, grades);
    }
    return grades;
  }

  /**
   * `grade_item::update()` (stamps `timemodified`, logs the whole item), or `regrading_finished()`'s set_field when
   * `source` is undefined (no history).
   */
  async #setItem(item: Item, changes: RegradeRow, source: string | null | undefined): Promise<void> {
    if (source !== undefined) changes = { ...changes, timemodified: this.#settings.now };
    Object.assign(item.row, changes);
    await this.#store.updateItem(item.id, changes);
    this.#updatedItems++;
    if (source === undefined) return;
    // grade_object::update() writes the whole item to grade_items_history.
    const { id, timecreated: _created, ...data } = item.row;
    await this.#store.itemHistory({
      ...data,
      action: HISTORY_UPDATE,
      oldid: id!,
      source,
      timemodified: this.#settings.now,
      loggeduser: this.#settings.loggedUser,
    });
  }

  /** `new grade_grade($params, false)` + `insert('system')`, with its history row. */
  async #insertGrade(params: RegradeRow): Promise<RegradeRow> {
    const row: RegradeRow = {
      rawgrade: null,
      rawgrademax: 100,
      rawgrademin: 0,
      rawscaleid: null,
      usermodified: null,
      finalgrade: null,
      hidden: 0,
      locked: 0,
      locktime: 0,
      exported: 0,
      overridden: 0,
      excluded: 0,
      feedback: null,
      feedbackformat: FORMAT_PLAIN,
      information: null,
      informationformat: FORMAT_PLAIN,
      timecreated: null,
      timemodified: null,
      aggregationstatus: 'unknown',
      aggregationweight: null,
      ...params,
    };
    row.id = await this.#store.insertGrade(row);
    INSERTED.add(row);
    this.#inserted++;
    await this.#gradeHistory(row, HISTORY_INSERT, 'system', true);
    return row;
  }

  /**
   * `grade_grade::update($source)`; `full` when the object holds every column (a grade this regrade inserted),
   * otherwise only `grade_grade::$required_fields` go to the history row, as Moodle loaded only those.
   */
  async #updateGrade(grade: RegradeRow, changes: RegradeRow, source: string, full = false): Promise<void> {
    Object.assign(grade, changes);
    await this.#store.updateGrade(num(grade.id), changes);
    this.#updatedGrades++;
    await this.#gradeHistory(grade, HISTORY_UPDATE, source, full || INSERTED.has(grade));
  }

  async #gradeHistory(grade: RegradeRow, action: number, source: string, full: boolean): Promise<void> {
    const data: RegradeRow = {};
    for (const column of GRADE_REQUIRED) data[column] = grade[column] ?? null;
    if (full) {
      for (const column of ['feedback', 'feedbackformat', 'information', 'informationformat'] as const)
        data[column] = grade[column] ?? null;
    }
    delete data.timecreated;
    delete data.aggregationstatus;
    delete data.aggregationweight;
    await this.#store.gradeHistory({
      ...data,
      action,
      oldid: grade.id!,
      source,
      timemodified: this.#settings.now,
      loggeduser: this.#settings.loggedUser,
    });
  }
}

/** Grade rows a regrade inserted: Moodle's object holds every column, so their updates are logged whole. */
const INSERTED = new WeakSet<RegradeRow>();

// ---------------------------------------------------------------------------------------------------------
// An in-memory store

/** A {@link RegradeStore} over arrays, for tests and small callers: rows are changed in place. */
export function memoryRegradeStore(
  items: RegradeRow[],
  grades: RegradeRow[],
): RegradeStore & {
  readonly grades: (itemId: number) => Promise<RegradeRow[]>;
  readonly gradeRows: RegradeRow[];
  readonly gradeHistoryRows: RegradeRow[];
  readonly itemHistoryRows: RegradeRow[];
} {
  let nextId = Math.max(0, ...grades.map((g) => num(g.id))) + 1;
  const gradeHistoryRows: RegradeRow[] = [];
  const itemHistoryRows: RegradeRow[] = [];
  return {
    gradeRows: grades,
    gradeHistoryRows,
    itemHistoryRows,
    async grades(itemId) {
      return grades.filter((g) => num(g.itemid) === itemId).sort((a, b) => num(a.id) - num(b.id));
    },
    async insertGrade(row) {
      const id = nextId++;
      grades.push({ ...row, id });
      return id;
    },
    async updateGrade(id, changes) {
      const row = grades.find((g) => num(g.id) === id);
      if (row && !Object.is(row, changes)) Object.assign(row, changes);
    },
    async updateItem(id, changes) {
      const row = items.find((i) => num(i.id) === id);
      if (row) Object.assign(row, changes);
    },
    async gradeHistory(row) {
      gradeHistoryRows.push(row);
    },
    async itemHistory(row) {
      itemHistoryRows.push(row);
    },
  };
}
