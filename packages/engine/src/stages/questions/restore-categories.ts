/**
 * Question categories: where each bank goes, which categories match existing ones, and the rows of the others.
 * Follows `restore_dbops::precheck_categories_and_questions()` / `prechek_precheck_qbanks_by_level()` /
 * `restore_find_best_target_context()` for the targets and `restore_create_categories_and_questions::
 * process_question_category()` + `after_execute()` for the rows (4.x, `backup/util/dbops/restore_dbops.class.php`,
 * `backup/moodle2/restore_stepslib.php`):
 * - a bank (the categories of one source context) is handled whole, by level system → category → course → module;
 *   system → the system context (id 1); course category → the one course-category ancestor holding categories with
 *   the same stamps, else the course context with a warning per category (Moodle's `qcategory2coursefallback`);
 *   course and module → the new course context (module banks are moved to their module later, see
 *   `move-module-banks.ts`);
 * - a category matches an existing one by `stamp` in the target context as it was before the restore; a match is
 *   mapped, the others are created;
 * - since 3.5 each bank has one "top" category (parent 0): it is never copied but mapped onto the target context's top
 *   category, which is created when missing (`question_get_top_category($contextid, true)`); categories of pre-3.5
 *   backups that are top-level get that top category as parent, the top being created when the first of them is;
 * - a created category's parent is recoded as `after_execute()` does (see {@link recodedParent}, including its
 *   old-id/new-id mix-up for pre-3.5 top-level categories); a stamp already used in the context is replaced by a new
 *   one (`make_unique_id_code()`), a used `idnumber` is dropped.
 * The restoring user is the store's admin, so the capability checks that make Moodle fall back or fail always pass.
 * Departure: more than one top category in a 3.5+ bank is a warning here (Moodle refuses the restore).
 */
import { randomInt } from 'node:crypto';
import type { RestoreContext, RestoredQuestionBank } from '../../pipeline/context.ts';
import type { Row } from '../../storage/storage-adapter.ts';
import { ContextLevel } from '../support.ts';
import type { QuestionFormat } from './backup-version.ts';
import type { BackupCategory } from './questions-xml.ts';

/** What became of one backup category. */
export interface RestoredCategory {
  readonly source: BackupCategory;
  readonly newId: number;
  readonly contextId: number;
  /** True when this restore inserted the row (a created "top" included). */
  readonly created: boolean;
  /** True when it matched an existing category by stamp (its questions are matched too). */
  readonly matched: boolean;
}

/** Maps or creates the included categories (document order) and records the banks in `ctx.state.questionBanks`. */
export async function restoreCategories(
  ctx: RestoreContext,
  categories: readonly BackupCategory[],
  format: QuestionFormat,
): Promise<Map<number, RestoredCategory>> {
  const targets = await bankTargets(ctx, categories);
  const contexts = new ContextCategories(ctx);
  for (const target of new Set(targets.values())) await contexts.load(target);

  // Decide with the rows as they were before the restore (Moodle's precheck runs before anything is created).
  const restored = new Map<number, RestoredCategory>();
  const toCreate: Array<{ source: BackupCategory; id: number; contextId: number; rawParent: number }> = [];
  for (const source of categories) {
    const contextId = targets.get(source.oldContextId)!;
    const match = contexts.byStamp(contextId, source.stamp);
    if (match !== undefined) {
      restored.set(source.oldId, { source, newId: match, contextId, created: false, matched: true });
    } else if (!format.before35 && source.parent === 0) {
      const top = await contexts.top(contextId);
      restored.set(source.oldId, { source, newId: top.id, contextId, created: top.created, matched: false });
    } else {
      // process_question_category(): a pre-3.5 top-level category gets `$data->parent = question_get_top_category(
      // $contextid, true)->id`, the top being created right then (so ids follow Moodle's insertion order).
      const rawParent = format.before35 && source.parent === 0 ? (await contexts.top(contextId)).id : source.parent;
      const id = await ctx.rows.reserveId('question_categories');
      toCreate.push({ source, id, contextId, rawParent });
      restored.set(source.oldId, { source, newId: id, contextId, created: true, matched: false });
    }
  }
  for (const { source, id, contextId, rawParent } of toCreate) {
    await ctx.rows.insert(
      'question_categories',
      {
        name: source.name,
        contextid: contextId,
        info: source.info,
        infoformat: source.infoformat,
        stamp: contexts.freeStamp(contextId, source.stamp),
        parent: await recodedParent(rawParent, contextId, restored, contexts),
        sortorder: source.sortorder,
        idnumber: contexts.freeIdnumber(contextId, source.idnumber),
      },
      id,
    );
  }
  for (const [oldId, category] of restored) {
    ctx.ids.set('question_category', oldId, category.newId);
    if (category.created) ctx.ids.set('question_category_created', oldId, category.newId);
  }
  recordBanks(ctx, categories, restored, format);
  return restored;
}

/** A new category stamp, as Moodle's `make_unique_id_code()`: host + yymmddHHMMSS + 6 random characters. */
export function uniqueIdCode(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${pad(now.getFullYear() % 100)}${pad(now.getMonth() + 1)}${pad(now.getDate())}${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let random = '';
  for (let i = 0; i < 6; i++) random += chars[randomInt(chars.length)];
  return `unknownhost+${stamp}+${random}`;
}

// Internal helpers

/** The categories of the contexts banks go to: the rows before the restore plus the ones it creates. */
class ContextCategories {
  readonly #ctx: RestoreContext;
  readonly #before = new Map<number, Row[]>();
  readonly #stamps = new Map<number, Set<string>>();
  readonly #idnumbers = new Map<number, Set<string>>();
  readonly #tops = new Map<number, { id: number; created: boolean }>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  async load(contextId: number): Promise<void> {
    if (this.#before.has(contextId)) return;
    const rows = await this.#ctx.rows.select('question_categories', { contextid: contextId });
    this.#before.set(contextId, rows);
    this.#stamps.set(contextId, new Set(rows.map((r) => String(r.stamp))));
    this.#idnumbers.set(
      contextId,
      new Set(rows.filter((r) => r.idnumber !== null && r.idnumber !== '').map((r) => String(r.idnumber))),
    );
  }

  byStamp(contextId: number, stamp: string): number | undefined {
    const row = this.#before.get(contextId)?.find((r) => r.stamp === stamp);
    return row ? Number(row.id) : undefined;
  }

  /** `question_get_top_category($contextid, true)`. */
  async top(contextId: number): Promise<{ id: number; created: boolean }> {
    const known = this.#tops.get(contextId);
    if (known) return { id: known.id, created: false };
    await this.load(contextId);
    const existing = this.#before
      .get(contextId)!
      .filter((r) => Number(r.parent) === 0)
      .sort((a, b) => Number(a.id) - Number(b.id))[0];
    let top: { id: number; created: boolean };
    if (existing) {
      top = { id: Number(existing.id), created: false };
    } else {
      const stamp = this.freeStamp(contextId, uniqueIdCode());
      const id = await this.#ctx.rows.insert('question_categories', {
        name: 'top',
        contextid: contextId,
        info: '',
        infoformat: 0,
        stamp,
        parent: 0,
        sortorder: 0,
        idnumber: null,
      });
      top = { id, created: true };
    }
    this.#tops.set(contextId, top);
    return top;
  }

  freeStamp(contextId: number, stamp: string): string {
    const used = this.#stamps.get(contextId)!;
    let free = stamp;
    while (free === '' || used.has(free)) free = uniqueIdCode();
    used.add(free);
    return free;
  }

  freeIdnumber(contextId: number, idnumber: string | null): string | null {
    if (idnumber === null) return null;
    const used = this.#idnumbers.get(contextId)!;
    if (used.has(idnumber)) return null;
    used.add(idnumber);
    return idnumber;
  }
}

/** Target context per source context (bank). */
async function bankTargets(ctx: RestoreContext, categories: readonly BackupCategory[]): Promise<Map<number, number>> {
  const banks = new Map<number, BackupCategory[]>();
  for (const c of categories) {
    let bank = banks.get(c.oldContextId);
    if (!bank) banks.set(c.oldContextId, (bank = []));
    bank.push(c);
  }
  const targets = new Map<number, number>();
  const course = ctx.state.courseContextId;
  for (const [oldContextId, bank] of banks) {
    const level = bank[0]!.contextLevel;
    if (level === ContextLevel.System) {
      targets.set(oldContextId, 1);
    } else if (level === ContextLevel.Category) {
      const target = await categoryTarget(ctx, bank);
      if (target === undefined) {
        for (const c of bank) {
          ctx.warn(
            'question-category-to-course',
            `Question category "${c.name}" of a course-category question bank in the backup matches no category of this site; it is created in the course context.`,
            'questions.xml',
          );
        }
      }
      targets.set(oldContextId, target ?? course);
    } else {
      if (level !== ContextLevel.Course && level !== ContextLevel.Module) {
        ctx.warn(
          'question-bank-unknown-level',
          `The question bank of context ${oldContextId} has context level ${level}; its categories are created in the course context.`,
          'questions.xml',
        );
      }
      targets.set(oldContextId, course);
    }
  }
  return targets;
}

/** The single course-category ancestor of the course holding categories with the bank's stamps, if exactly one does. */
async function categoryTarget(ctx: RestoreContext, bank: readonly BackupCategory[]): Promise<number | undefined> {
  const stamps = new Set(bank.map((c) => c.stamp));
  const ancestors = ctx.state.courseContextPath
    .split('/')
    .filter(Boolean)
    .map(Number)
    .slice(0, -1)
    .filter((id) => id !== 1);
  const matching: number[] = [];
  for (const contextId of ancestors) {
    const rows = await ctx.rows.select('question_categories', { contextid: contextId });
    if (rows.some((r) => stamps.has(String(r.stamp)))) matching.push(contextId);
  }
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * `restore_create_categories_and_questions::after_execute()`: the stored parent is looked up as an OLD category id in
 * the `question_category` mappings; a mapped parent in the same context (module banks still sit in the course
 * context then) becomes the parent, otherwise a non-zero parent that is not the context's top becomes the top.
 * For a pre-3.5 top-level category the stored parent is already the NEW id of the context's top, and Moodle still
 * looks it up as an old id: when the backup has a category whose old id equals that new id, the category is parented
 * under that category's copy (Moodle then moves a module bank's categories away, leaving e.g. the course's default
 * category under a module's category). Which categories this hits depends on the target's id sequence, in Moodle as
 * here; on a store whose `question_categories` ids run as Moodle's do, the result is Moodle's.
 */
async function recodedParent(
  rawParent: number,
  contextId: number,
  restored: Map<number, RestoredCategory>,
  contexts: ContextCategories,
): Promise<number> {
  const mapped = rawParent === 0 ? undefined : restored.get(rawParent);
  if (mapped && mapped.contextId === contextId) return mapped.newId;
  if (rawParent === 0) return 0;
  return (await contexts.top(contextId)).id;
}

function recordBanks(
  ctx: RestoreContext,
  categories: readonly BackupCategory[],
  restored: Map<number, RestoredCategory>,
  format: QuestionFormat,
): void {
  for (const source of categories) {
    const category = restored.get(source.oldId)!;
    let bank: RestoredQuestionBank | undefined = ctx.state.questionBanks.get(source.oldContextId);
    if (!bank) {
      bank = {
        contextLevel: source.contextLevel,
        newContextId: category.contextId,
        categories: [],
        createdQuestionIds: [],
        qtypes: new Set(),
      };
      ctx.state.questionBanks.set(source.oldContextId, bank);
    }
    bank.categories.push({
      oldId: source.oldId,
      newId: category.newId,
      topLevel: source.parent === 0,
      created: category.created,
    });
  }
  if (format.before35) return;
  for (const [oldContextId, bank] of ctx.state.questionBanks) {
    const tops = bank.categories.filter((c) => c.topLevel).length;
    if (tops > 1) {
      ctx.warn(
        'question-bank-multiple-tops',
        `The question bank of context ${oldContextId} has ${tops} top-level categories (a Moodle 3.5+ bank has one); they share one "top" category.`,
        'questions.xml',
      );
    }
  }
}
