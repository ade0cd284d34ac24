/**
 * The course question bank: a `top` category, a default category and, for larger sizes, a few
 * more categories under it, each holding questions of three core types (truefalse, shortanswer,
 * multichoice) in Moodle 4.x's entry → version → question layout.
 *
 * Like a real course bank, categories live in the course context (contextlevel 50) and their
 * `stamp` values follow Moodle's `make_unique_id_code()` shape (`host+yymmddhhmmss+random6`).
 */
import type { IdSequence, IdTable } from './ids.ts';
import { createRng } from './prng.ts';
import type { QuestionCategoryInfo, QuestionInfo } from './model-types.ts';

/** Questions per extra category when the bank grows. */
const QUESTIONS_PER_CATEGORY = 20;
/** Number of answers per question type (truefalse: True/False; shortanswer: 3; multichoice: 4). */
export const ANSWER_COUNT: Readonly<Record<QuestionInfo['qtype'], number>> = {
  truefalse: 2,
  shortanswer: 3,
  multichoice: 4,
};
/** Hints per question type (only multichoice has hints here, as in Moodle's test questions). */
export const HINT_COUNT: Readonly<Record<QuestionInfo['qtype'], number>> = {
  truefalse: 0,
  shortanswer: 0,
  multichoice: 2,
};

const QTYPES: readonly QuestionInfo['qtype'][] = ['truefalse', 'shortanswer', 'multichoice'];

/** Builds the categories (top first) and the questions. */
export function buildQuestionBank(
  seed: number,
  questionCount: number,
  shortname: string,
  ids: Record<IdTable, IdSequence>,
  created: number,
): { categories: QuestionCategoryInfo[]; questions: QuestionInfo[] } {
  const rng = createRng(seed, 'question-bank');
  const stamp = (): string => `moodle.example.org+${formatStampTime(created)}+${randomCode(rng)}`;
  const top: QuestionCategoryInfo = {
    id: ids.questionCategory.next(),
    name: 'top',
    parent: 0,
    sortorder: 0,
    stamp: stamp(),
    info: '',
  };
  const categories: QuestionCategoryInfo[] = [top];
  const extra = Math.max(1, Math.ceil(questionCount / QUESTIONS_PER_CATEGORY));
  for (let c = 0; c < extra; c++) {
    categories.push({
      id: ids.questionCategory.next(),
      name: c === 0 ? `Default for ${shortname}` : `Topic ${c} questions`,
      parent: top.id,
      sortorder: 999,
      stamp: stamp(),
      info:
        c === 0
          ? `The default category for questions shared in context '${shortname}'.`
          : `<p>Questions about topic ${c} &amp; friends.</p>`,
    });
  }
  const questions: QuestionInfo[] = [];
  for (let i = 0; i < questionCount; i++) {
    const qtype = QTYPES[i % QTYPES.length] ?? 'truefalse';
    const category = categories[1 + (i % extra)] ?? top;
    questions.push({
      index: i,
      categoryId: category.id,
      entryId: ids.questionBankEntry.next(),
      versionId: ids.questionVersion.next(),
      id: ids.question.next(),
      qtype,
      name: `${QTYPE_LABEL[qtype]} ${Math.floor(i / QTYPES.length) + 1}`,
      firstAnswerId: ids.questionAnswer.take(ANSWER_COUNT[qtype]),
      optionsId: ids.qtypeOptions.next(),
      firstHintId: ids.questionHint.take(HINT_COUNT[qtype]),
      stamp: stamp(),
    });
  }
  return { categories, questions };
}

/** The fixed content of each question type: text, answers (text, fraction, feedback). */
export const QUESTION_CONTENT: Readonly<
  Record<
    QuestionInfo['qtype'],
    { text: string; feedback: string; answers: readonly (readonly [string, number, string])[] }
  >
> = {
  truefalse: {
    text: 'The answer is true.',
    feedback: 'You should have selected true.',
    answers: [
      ['True', 1, 'This is the right answer.'],
      ['False', 0, 'This is the wrong answer.'],
    ],
  },
  shortanswer: {
    text: 'Name an amphibian: __________',
    feedback: 'Generalfeedback: frog or toad would have been OK.',
    answers: [
      ['frog', 1, 'Frog is a very good answer.'],
      ['toad', 0.8, 'Toad is an OK good answer.'],
      ['*', 0, 'That is a bad answer.'],
    ],
  },
  multichoice: {
    text: 'Which is the oddest number?',
    feedback: 'The oddest number is One.',
    answers: [
      ['One', 1, 'One is the oddest.'],
      ['Two', 0, 'Two is even.'],
      ['Three', 0, 'Three is odd.'],
      ['Four', 0, 'Four is even.'],
    ],
  },
};

// Internal helpers

const QTYPE_LABEL: Readonly<Record<QuestionInfo['qtype'], string>> = {
  truefalse: 'TF',
  shortanswer: 'SA',
  multichoice: 'MC',
};
const CODE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomCode(rng: ReturnType<typeof createRng>): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += CODE_CHARS.charAt(rng.int(0, CODE_CHARS.length - 1));
  return out;
}

function formatStampTime(unix: number): string {
  const d = new Date(unix * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
