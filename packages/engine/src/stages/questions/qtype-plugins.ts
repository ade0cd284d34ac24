/**
 * Question-type data of the core types whose tables the engine's schema has, one handler per type, after each
 * type's `question/type/<qtype>/backup/moodle2/restore_qtype_<qtype>_plugin.class.php` (4.x): answers first (other
 * rows point at them), then the type's own options. Rows are created only for questions the restore created;
 * for matched questions only the id mappings are made (answers, match subquestions), as Moodle does.
 * Any other question type (STACK, CodeRunner, gapfill, drag-and-drop onto image …) keeps its core `question`
 * row, hints and tags; its plugin data is skipped (the stage warns once per type).
 * Departure: multianswer's fix-up of `shuffleanswers` on wrapped multichoice subquestions
 * (`after_execute_question()`) is not done; the subquestions keep the options they were backed up with.
 */
import { list, num, text } from '../support.ts';
import {
  insertOptions,
  restoreAnswers,
  restoreDatasets,
  restoreNumericalOptions,
  restoreNumericalUnits,
  type QuestionScope,
} from './qtype-common.ts';

/** Restores one question type's data. */
export type QtypeHandler = (q: QuestionScope) => Promise<void>;

/** FORMAT_HTML. */
const HTML = 1;
/** Combined feedback fields added in Moodle 2.1, missing from older backups. */
const FEEDBACK_DEFAULTS = {
  correctfeedback: '',
  correctfeedbackformat: HTML,
  partiallycorrectfeedback: '',
  partiallycorrectfeedbackformat: HTML,
  incorrectfeedback: '',
  incorrectfeedbackformat: HTML,
  shownumcorrect: 0,
};

const calculated: QtypeHandler = async (q) => {
  await restoreAnswers(q);
  await restoreNumericalOptions(q);
  await restoreNumericalUnits(q);
  await restoreDatasets(q);
  if (!q.created) return;
  for (const r of list(q.plugin.calculated_records, 'calculated_record')) {
    await insertOptions(q, 'question_calculated', { ...r, answer: mappedAnswer(q, r.answer) }, 'question');
  }
  for (const o of list(q.plugin.calculated_options, 'calculated_option'))
    await insertOptions(q, 'question_calculated_options', o, 'question');
};

/** Handlers by question type name (`question.qtype`). */
export const QTYPE_HANDLERS: ReadonlyMap<string, QtypeHandler> = new Map<string, QtypeHandler>([
  [
    'truefalse',
    async (q) => {
      await restoreAnswers(q);
      for (const tf of list(q.plugin, 'truefalse')) {
        await insertOptions(
          q,
          'question_truefalse',
          { ...tf, trueanswer: mappedAnswer(q, tf.trueanswer), falseanswer: mappedAnswer(q, tf.falseanswer) },
          'question',
        );
      }
    },
  ],
  [
    'multichoice',
    async (q) => {
      await restoreAnswers(q);
      // Old backups may repeat the options row; the table allows one per question.
      const [options] = list(q.plugin, 'multichoice');
      await insertOptions(q, 'qtype_multichoice_options', options, 'questionid');
    },
  ],
  [
    'shortanswer',
    async (q) => {
      await restoreAnswers(q);
      for (const o of list(q.plugin, 'shortanswer'))
        await insertOptions(q, 'qtype_shortanswer_options', o, 'questionid');
    },
  ],
  [
    'numerical',
    async (q) => {
      await restoreAnswers(q);
      await restoreNumericalOptions(q);
      await restoreNumericalUnits(q);
      if (!q.created) return;
      for (const r of list(q.plugin.numerical_records, 'numerical_record')) {
        await insertOptions(q, 'question_numerical', { ...r, answer: mappedAnswer(q, r.answer) }, 'question');
      }
    },
  ],
  ['calculated', calculated],
  ['calculatedsimple', calculated],
  ['calculatedmulti', calculated],
  [
    'match',
    async (q) => {
      const [options] = list(q.plugin, 'matchoptions');
      await insertOptions(q, 'qtype_match_options', options, 'questionid', FEEDBACK_DEFAULTS);
      await restoreMatchSubquestions(q);
    },
  ],
  [
    'essay',
    async (q) => {
      // Questions from backups without essay options get Moodle's defaults (`after_execute_question()`).
      const [options] = list(q.plugin, 'essay');
      await insertOptions(q, 'qtype_essay_options', options ?? {}, 'questionid', {
        responseformat: 'editor',
        responserequired: 1,
        responsefieldlines: 15,
        minwordlimit: null,
        maxwordlimit: null,
        attachments: 0,
        attachmentsrequired: 0,
        graderinfo: '',
        graderinfoformat: HTML,
        responsetemplate: '',
        responsetemplateformat: HTML,
      });
    },
  ],
  [
    'ddwtos',
    async (q) => {
      await restoreAnswers(q);
      for (const o of list(q.plugin, 'ddwtos'))
        await insertOptions(q, 'question_ddwtos', o, 'questionid', FEEDBACK_DEFAULTS);
    },
  ],
  [
    'gapselect',
    async (q) => {
      await restoreAnswers(q);
      for (const o of [...list(q.plugin, 'selectgap'), ...list(q.plugin, 'gapselect')]) {
        await insertOptions(q, 'question_gapselect', o, 'questionid', FEEDBACK_DEFAULTS);
      }
    },
  ],
  [
    'randomsamatch',
    async (q) => {
      for (const o of list(q.plugin, 'randomsamatch'))
        await insertOptions(q, 'qtype_randomsamatch_options', o, 'questionid', FEEDBACK_DEFAULTS);
    },
  ],
  [
    'multianswer',
    async (q) => {
      await restoreAnswers(q);
      if (!q.created) return;
      // The sequence lists subquestion ids, recoded once every question exists.
      for (const o of list(q.plugin, 'multianswer'))
        q.deferred.multianswer.push({ questionId: q.questionId, row: { ...o } });
    },
  ],
  ['random', async () => undefined],
  ['description', async () => undefined],
]);

// Internal helpers

function mappedAnswer(q: QuestionScope, oldId: unknown): number {
  return q.ctx.ids.get('question_answer', text(oldId)) ?? 0;
}

/**
 * `qtype_match_subquestions`; item name `qtype_match_subquestions` (used to recode attempts' `_stemorder` and
 * `_choiceorder`). A matched question's sub-questions are found as `restore_qtype_match_plugin::process_match()`
 * does: by question, question text and answer text (the first such row), else (MDL-36683) the last row whose texts,
 * cleaned of control characters and with normalised line endings, equal the backup's.
 */
async function restoreMatchSubquestions(q: QuestionScope): Promise<void> {
  const matches = list(q.plugin.matches, 'match');
  let exact: Map<string, number> | undefined;
  let cleaned: Map<string, number> | undefined;
  for (const m of matches) {
    let id: number | undefined;
    if (q.created) {
      id = await insertOptions(q, 'qtype_match_subquestions', m, 'questionid', { questiontextformat: 0 });
    } else {
      if (!exact || !cleaned) {
        exact = new Map();
        cleaned = new Map();
        const rows = (await q.ctx.rows.select('qtype_match_subquestions', { questionid: q.questionId })).sort(
          (a, b) => Number(a.id) - Number(b.id),
        );
        for (const r of rows) {
          const key = `${String(r.questiontext)}\u0000${String(r.answertext)}`;
          if (!exact.has(key)) exact.set(key, Number(r.id));
          cleaned.set(
            `${cleanMatchText(String(r.questiontext))}\u0000${cleanMatchText(String(r.answertext))}`,
            Number(r.id),
          );
        }
      }
      const key = `${text(m.questiontext)}\u0000${text(m.answertext)}`;
      id = exact.get(key) ?? cleaned.get(key);
      if (id === undefined) {
        q.ctx.warn(
          'question-match-subquestion-not-found',
          `Question ${q.questionId} of this site matches backup question ${text(q.data.id)} but lacks one of its match sub-questions; it is not mapped.`,
          'questions.xml',
        );
      }
    }
    if (id !== undefined) q.ctx.ids.set('qtype_match_subquestions', num(m.id), id);
  }
}

/** The clean-up `process_match()` applies to existing sub-question texts: control characters removed, line endings normalised. */
function cleanMatchText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\r\n|\r/g, '\n');
}
