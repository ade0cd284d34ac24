/**
 * Moves module-level question banks from the course context to their module's context, once the activities exist:
 * Moodle's final-task step `restore_move_module_questions_categories` (`backup/moodle2/restore_stepslib.php`, 4.x).
 * The module gets its own "top" category (created when missing); a 3.5+ bank's top category, which the questions
 * stage mapped onto the course's top, is remapped onto it and the bank's categories that hung under the course top
 * are re-parented; a pre-3.5 bank's top-level categories get the module top as parent. Tags of the bank's created
 * questions and the `question_set_references` of the module that pick from the moved categories follow the move.
 * Run by the files stage before it restores question files, as Moodle's final task does.
 * A bank whose module was not restored stays in the course context (warning `question-bank-kept-in-course`).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { ContextLevel } from '../support.ts';
import { questionFormat } from './backup-version.ts';
import { uniqueIdCode } from './restore-categories.ts';

/** Moves every module bank whose module context now exists. */
export async function moveModuleQuestionBanks(ctx: RestoreContext): Promise<void> {
  const { before35 } = questionFormat(ctx.manifest);
  for (const [oldContextId, bank] of ctx.state.questionBanks) {
    if (bank.contextLevel !== ContextLevel.Module || bank.newContextId !== ctx.state.courseContextId) continue;
    const moduleContextId = ctx.ids.get('context', oldContextId);
    if (moduleContextId === undefined) {
      ctx.warn(
        'question-bank-kept-in-course',
        `The question bank of module context ${oldContextId} stays in the course context: its activity was not restored.`,
        'questions.xml',
      );
      continue;
    }
    const top = await topCategory(ctx, moduleContextId);
    let courseTop = 0;
    const moved = new Set<number>();
    for (const category of bank.categories) {
      if (!before35 && category.topLevel) {
        courseTop = category.newId;
        category.newId = top;
        ctx.ids.set('question_category', category.oldId, top);
        continue;
      }
      await ctx.rows.update(
        'question_categories',
        category.newId,
        category.topLevel ? { contextid: moduleContextId, parent: top } : { contextid: moduleContextId },
      );
      moved.add(category.newId);
    }
    if (courseTop !== 0) {
      for (const row of await ctx.rows.select('question_categories', {
        contextid: moduleContextId,
        parent: courseTop,
      })) {
        await ctx.rows.update('question_categories', Number(row.id), { parent: top });
      }
    }
    await moveTags(ctx, bank.createdQuestionIds, moduleContextId);
    await moveSetReferences(ctx, moduleContextId, moved);
    bank.newContextId = moduleContextId;
  }
}

// Internal helpers

/** `question_get_top_category($contextid, true)`. */
async function topCategory(ctx: RestoreContext, contextId: number): Promise<number> {
  const [top] = await ctx.rows.select('question_categories', { contextid: contextId, parent: 0 }, { limit: 1 });
  if (top) return Number(top.id);
  return ctx.rows.insert('question_categories', {
    name: 'top',
    contextid: contextId,
    info: '',
    infoformat: 0,
    stamp: uniqueIdCode(),
    parent: 0,
    sortorder: 0,
    idnumber: null,
  });
}

async function moveTags(ctx: RestoreContext, questionIds: readonly number[], contextId: number): Promise<void> {
  if (questionIds.length === 0) return;
  const ids = new Set(questionIds);
  for (const row of await ctx.rows.select('tag_instance', { component: 'core_question', itemtype: 'question' })) {
    if (ids.has(Number(row.itemid)) && Number(row.contextid) !== contextId)
      await ctx.rows.update('tag_instance', Number(row.id), { contextid: contextId });
  }
}

/** Random-question references of the module picking from a moved category now point at the module context. */
async function moveSetReferences(ctx: RestoreContext, contextId: number, moved: ReadonlySet<number>): Promise<void> {
  if (moved.size === 0) return;
  for (const row of await ctx.rows.select('question_set_references', { usingcontextid: contextId })) {
    const category = filterCategory(row.filtercondition);
    if (category !== undefined && moved.has(category) && Number(row.questionscontextid) !== contextId) {
      await ctx.rows.update('question_set_references', Number(row.id), { questionscontextid: contextId });
    }
  }
}

/** The category a filter condition picks from: `questioncategoryid` (4.0–4.2) or `filter.category.values[0]` (4.3+). */
function filterCategory(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const parsed = JSON.parse(value) as {
      questioncategoryid?: unknown;
      filter?: { category?: { values?: unknown[] } };
    };
    const id = Number(parsed.questioncategoryid ?? parsed.filter?.category?.values?.[0]);
    return Number.isFinite(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
