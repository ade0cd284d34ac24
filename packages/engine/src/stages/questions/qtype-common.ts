/**
 * The parts of question restore shared by several question types, after `restore_qtype_plugin`
 * (`backup/moodle2/restore_qtype_plugin.class.php`, 4.x): answers (`process_question_answer`), numerical units
 * and options, dataset definitions and items, and hints (`restore_create_categories_and_questions::
 * process_question_hint()`). Each creates rows for a question this restore created and maps ids onto the
 * existing rows of a question it matched (by answer or hint text, as Moodle does).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { list, num, text } from '../support.ts';

/** Work done after every question is in place (multianswer sequences name other questions). */
export interface DeferredQuestionWork {
  readonly multianswer: Array<{ readonly questionId: number; readonly row: Record<string, unknown> }>;
}

/** One question being restored, as the question-type code sees it. */
export interface QuestionScope {
  readonly ctx: RestoreContext;
  /** The `<question>` element. */
  readonly data: XmlObject;
  /** The question type's `plugin_qtype_<qtype>_question` element (empty when absent). */
  readonly plugin: XmlObject;
  /** New id of the question (created or matched). */
  readonly questionId: number;
  /** True when this restore created the question; false when it matched an existing one. */
  readonly created: boolean;
  readonly deferred: DeferredQuestionWork;
}

/** `question_answers` of the question; item name `question_answer`. */
export async function restoreAnswers(q: QuestionScope): Promise<void> {
  const answers = list(q.plugin.answers, 'answer');
  if (answers.length === 0) return;
  if (q.created) {
    for (const a of answers) {
      const id = await q.ctx.rows.insert('question_answers', {
        question: q.questionId,
        answer: text(a.answertext),
        answerformat: num(a.answerformat),
        fraction: fixFraction(a.fraction),
        feedback: text(a.feedback),
        feedbackformat: num(a.feedbackformat),
      });
      q.ctx.ids.set('question_answer', num(a.id), id);
    }
    return;
  }
  const existing = await q.ctx.rows.select('question_answers', { question: q.questionId });
  const byText = new Map(existing.map((r) => [normalise(String(r.answer ?? '')), Number(r.id)]));
  for (const a of answers) {
    const id = byText.get(normalise(text(a.answertext)));
    if (id === undefined) {
      q.ctx.warn(
        'question-answer-not-found',
        `Question ${q.questionId} of this site matches backup question ${text(q.data.id)} but has no answer "${text(a.answertext).slice(0, 80)}"; the answer is not mapped.`,
        'questions.xml',
      );
      continue;
    }
    q.ctx.ids.set('question_answer', num(a.id), id);
  }
}

/** `question_hints` of the question; item name `question_hint`. */
export async function restoreHints(q: QuestionScope): Promise<void> {
  const hints = list(q.data.question_hints, 'question_hint');
  if (hints.length === 0) return;
  if (q.created) {
    for (const h of hints) {
      const id = await q.ctx.rows.insert('question_hints', {
        questionid: q.questionId,
        hint: text(h.hint),
        hintformat: num(h.hintformat),
        shownumcorrect: h.shownumcorrect ?? null,
        clearwrong: h.clearwrong ?? null,
        options: h.options ?? null,
      });
      q.ctx.ids.set('question_hint', num(h.id), id);
    }
    return;
  }
  const existing = await q.ctx.rows.select('question_hints', { questionid: q.questionId });
  const byText = new Map(existing.map((r) => [normalise(String(r.hint ?? '')), Number(r.id)]));
  for (const h of hints) {
    const id = byText.get(normalise(text(h.hint)));
    if (id === undefined) {
      q.ctx.warn(
        'question-hint-not-found',
        `Question ${q.questionId} of this site matches backup question ${text(q.data.id)} but lacks one of its hints; the hint is not mapped.`,
        'questions.xml',
      );
      continue;
    }
    q.ctx.ids.set('question_hint', num(h.id), id);
  }
}

/** `question_numerical_options` (numerical and calculated types). */
export async function restoreNumericalOptions(q: QuestionScope): Promise<void> {
  if (!q.created) return;
  for (const o of list(q.plugin.numerical_options, 'numerical_option')) {
    await q.ctx.rows.insert('question_numerical_options', { ...o, question: q.questionId });
  }
}

/** `question_numerical_units` (numerical and calculated types); a unit repeated in an old backup is kept once (unique index). */
export async function restoreNumericalUnits(q: QuestionScope): Promise<void> {
  if (!q.created) return;
  const seen = new Set<string>();
  for (const u of list(q.plugin.numerical_units, 'numerical_unit')) {
    const unit = text(u.unit);
    if (seen.has(unit)) continue;
    seen.add(unit);
    await q.ctx.rows.insert('question_numerical_units', { multiplier: u.multiplier, unit, question: q.questionId });
  }
}

/**
 * Dataset definitions and items of calculated questions (`process_question_dataset_definition/_item`): a shared
 * definition (category ≠ 0) is reused when the category already has one with the same name and type and enough
 * items; otherwise it is created (not shared when candidates existed but none had enough items).
 */
export async function restoreDatasets(q: QuestionScope): Promise<void> {
  if (!q.created) return;
  for (const def of list(q.plugin.dataset_definitions, 'dataset_definition')) {
    let category = q.ctx.ids.get('question_category', num(def.category)) ?? 0;
    let definitionId: number | undefined;
    if (category !== 0) {
      const candidates = await q.ctx.rows.select('question_dataset_definitions', {
        category,
        name: text(def.name),
        type: num(def.type),
      });
      const shared = candidates.find((c) => Number(c.itemcount) >= num(def.itemcount));
      if (shared) definitionId = Number(shared.id);
      else if (candidates.length > 0) category = 0;
    }
    if (definitionId === undefined) {
      definitionId = await q.ctx.rows.insert('question_dataset_definitions', {
        category,
        name: text(def.name),
        type: num(def.type),
        options: text(def.options),
        itemcount: num(def.itemcount),
      });
      for (const item of list(def.dataset_items, 'dataset_item')) {
        await q.ctx.rows.insert('question_dataset_items', {
          definition: definitionId,
          itemnumber: num(item.number),
          value: text(item.value),
        });
      }
    }
    await q.ctx.rows.insert('question_datasets', { question: q.questionId, datasetdefinition: definitionId });
  }
}

/** Inserts a qtype options row for a created question, keeping the backup's fields and adding `defaults` for missing ones. */
export async function insertOptions(
  q: QuestionScope,
  table: string,
  element: Readonly<Record<string, unknown>> | undefined,
  key: 'question' | 'questionid',
  defaults: Record<string, unknown> = {},
): Promise<number | undefined> {
  if (!q.created || element === undefined) return undefined;
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(element))
    if (typeof value === 'string' || typeof value === 'number' || value === null) row[name] = value;
  // Fields added after the backup was made (`!isset($data->x)` in the qtype restore plugins).
  for (const [name, value] of Object.entries(defaults))
    if (row[name] === undefined || row[name] === null) row[name] = value;
  row[key] = q.questionId;
  delete row.id;
  return q.ctx.rows.insert(table, row);
}

// Internal helpers

/** Sloppily rounded fractions of old backups (`process_question_answer()`). */
const FRACTION_FIXES: Readonly<Record<string, string>> = {
  '-0.66666': '-0.6666667',
  '-0.33333': '-0.3333333',
  '-0.16666': '-0.1666667',
  '-0.142857': '-0.1428571',
  '0.11111': '0.1111111',
  '0.142857': '0.1428571',
  '0.16666': '0.1666667',
  '0.33333': '0.3333333',
  '0.333333': '0.3333333',
  '0.66666': '0.6666667',
};

function fixFraction(value: unknown): string {
  const raw = text(value);
  return FRACTION_FIXES[raw] ?? (raw === '' ? '0' : raw);
}

/** Control characters removed and line endings normalised, as Moodle compares texts of existing rows. */
function normalise(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/\r\n|\r/g, '\n');
}
