/**
 * mod_quiz behaviour beyond the spec (`mod/quiz/backup/moodle2/restore_quiz_stepslib.php` and the question
 * parts of `backup/moodle2/restore_stepslib.php`):
 * - `process_quiz()` upgrades of old backups: `attempts_number`, `preferredbehaviour` from `optionflags`,
 *   `browsersecurity` from `popup`/`safebrowser`, default `overduehandling` and `reviewmaxmarks`; pre-4.0
 *   `completionpass` moves to `course_modules.completionpassgrade`.
 * - `process_quiz_question_instance()`: old field names (`question`, `grade`); no `slot` (pre-2.7) → slot and
 *   page from the quiz's `questions` layout, an instance not in the layout is dropped; backups older than
 *   module version 2022020300 (pre-4.0) get the `question_references` / `question_set_references` row
 *   `process_quiz_question_legacy_instance()` makes from the restored question, with the slot's random-question
 *   tags in the filter condition (`process_quiz_slot_tags()`); written after the file, once the tags are known.
 * - Attempts ↔ usages (`process_quiz_attempt()` + `inform_new_usage_id()`): an attempt is held until its
 *   `question_usage` is written, then inserted with `uniqueid` = the new usage id; an attempt without a usage is
 *   never written. Attempt defaults (`timecheckstate`, `gradednotificationsenttime`, `state`).
 * - Question attempts: missing `variant`/`maxfraction` → 1.
 * - Step data (`restore_question_attempt_step_worker()` → `questions_recode_response_data()`): each response
 *   variable is recoded by the question type's `recode_response()` (`../questions/recode-response.ts`), so that
 *   choice and sub-question orders name the restored answers and sub-questions. Core recoders work key by key, so
 *   each variable is recoded on its own; a multianswer name that `add_prefix()` does not give back unchanged adds
 *   the extra row Moodle's array would get.
 * - Set references: the question category inside `filtercondition` is remapped.
 * - `after_execute()`: a quiz without a restored section gets the default `quiz_sections` row.
 *
 * Not reproduced: the Safe Exam Browser tables (not in the schema), the 2.0 `review` bit field, Moodle 2.0 legacy
 * attempts (states/sessions), deleting the old random questions after restore. A usage whose attempt is
 * skipped (unmapped user) is not written either (Moodle writes it, unreferenced).
 */
import type { XmlRecord } from '../../xml/types.ts';
import { ResponseRecoder } from '../questions/recode-response.ts';
import { num, text } from '../support.ts';
import type { ActivityRun, ModuleHooks } from './module-run.ts';

const INSTANCE = '/activity/quiz';
const SLOT = '/activity/quiz/question_instances/question_instance';
const SET_REFERENCE = `${SLOT}/question_set_reference`;
const SLOT_TAG = `${SLOT}/tags/tag`;
const SECTION = '/activity/quiz/sections/section';
const ATTEMPT = '/activity/quiz/attempts/attempt';
const USAGE = `${ATTEMPT}/question_usage`;
const QUESTION_ATTEMPT = `${USAGE}/question_attempts/question_attempt`;
const STEP_DATA = `${QUESTION_ATTEMPT}/steps/step/response/variable`;

/** `mod_quiz\question\display_options` DURING | IMMEDIATELY_AFTER | LATER_WHILE_OPEN | AFTER_CLOSE. */
const ALL_REVIEW_TIMES = 0x10000 | 0x01000 | 0x00100 | 0x00010;
/** First quiz module version with question references (4.0). */
const REFERENCES_VERSION = 2022020300;

/** What the hooks remember while the file is read. */
interface QuizScratch {
  layout: string;
  shuffle: number;
  sectionCreated: boolean;
  /** Pre-4.0 slots waiting for their question reference (written at the end, with the slot's tags). */
  readonly legacySlots: Map<
    XmlRecord,
    { slotId: number; questionId: string; includingSubcategories: number; tags: string[] }
  >;
  readonly heldAttempts: Map<XmlRecord, { id: number; row: Record<string, unknown> }>;
  /** Recodes step data; knows the restored questions attempted. */
  readonly recoder: ResponseRecoder;
  /** Per question_attempt record: the restored question it is an attempt at. */
  readonly attemptQuestions: WeakMap<XmlRecord, number>;
  /** Per step variable record: the rows the recoding adds besides it (rare, see the header). */
  readonly extraStepData: WeakMap<XmlRecord, Array<[string, string | null]>>;
  unmappedWarned: boolean;
}

export const quizHooks: ModuleHooks = {
  handles: [SLOT_TAG],
  paths: {
    [INSTANCE]: {
      prepare({ run, record, row }) {
        const data = record.data;
        const scratch = scratchOf(run);
        scratch.layout = text(data.questions);
        scratch.shuffle = num(data.shufflequestions) !== 0 ? 1 : 0;
        if (data.attempts === undefined && data.attempts_number !== undefined) row.attempts = data.attempts_number;
        if (data.preferredbehaviour === undefined) {
          const adaptive = (num(data.optionflags) & 1) !== 0;
          row.preferredbehaviour = adaptive
            ? num(data.penaltyscheme) !== 0
              ? 'adaptive'
              : 'adaptivenopenalty'
            : 'deferredfeedback';
        }
        if (data.browsersecurity === undefined) row.browsersecurity = num(data.popup) === 1 ? 'securewindow' : '-';
        else if (data.browsersecurity === 'safebrowser') row.browsersecurity = '-';
        if (data.overduehandling === undefined) row.overduehandling = 'autosubmit';
        if (data.reviewmaxmarks === undefined) row.reviewmaxmarks = ALL_REVIEW_TIMES;
        if (text(data.completionpass) !== '' && num(data.completionpass) !== 0)
          run.cmChanges.completionpassgrade = num(data.completionpass);
      },
    },
    [SLOT]: {
      prepare({ run, record, row }) {
        const data = record.data;
        if (row.maxmark === undefined && data.grade !== undefined) row.maxmark = data.grade;
        if (data.slot !== undefined) return true;
        const placed = placeInLayout(scratchOf(run).layout, text(data.questionid ?? data.question));
        if (!placed) return false;
        row.slot = placed.slot;
        row.page = placed.page;
        return true;
      },
      after({ run, record }, id) {
        if (run.moduleVersion >= REFERENCES_VERSION) return;
        const questionId = text(record.data.questionid ?? record.data.question);
        scratchOf(run).legacySlots.set(record, {
          slotId: id,
          questionId,
          includingSubcategories: num(record.data.includingsubcategories),
          tags: [],
        });
      },
    },
    [SLOT_TAG]: {
      // process_quiz_slot_tags(): "tagid,tagname" appended to the set reference's filtercondition.tags.
      async insert({ run, record }) {
        const slot = record.parent ? scratchOf(run).legacySlots.get(record.parent) : undefined;
        if (slot) slot.tags.push(await slotTag(run, record.data.tagid, text(record.data.tagname)));
        return undefined;
      },
    },
    [SET_REFERENCE]: {
      prepare({ run, row }) {
        if (typeof row.filtercondition === 'string')
          row.filtercondition = remapFilterCondition(run, row.filtercondition, row.questionscontextid);
      },
    },
    [SECTION]: {
      after({ run }) {
        scratchOf(run).sectionCreated = true;
      },
    },
    [ATTEMPT]: {
      prepare({ row }) {
        if (row.timecheckstate === null || row.timecheckstate === undefined || row.timecheckstate === '')
          row.timecheckstate = 0;
        if (row.gradednotificationsenttime === undefined) row.gradednotificationsenttime = row.timefinish ?? 0;
        if (row.state === undefined) row.state = num(row.timefinish) > 0 ? 'finished' : 'inprogress';
      },
      async insert({ run, record, row }) {
        const id = await run.ctx.rows.reserveId('quiz_attempts');
        scratchOf(run).heldAttempts.set(record, { id, row });
        return id;
      },
    },
    [USAGE]: {
      async after({ run, record }, usageId) {
        const held = record.parent ? scratchOf(run).heldAttempts.get(record.parent) : undefined;
        if (!held || !record.parent) return;
        scratchOf(run).heldAttempts.delete(record.parent);
        await run.ctx.rows.insert('quiz_attempts', { ...held.row, uniqueid: usageId }, held.id);
      },
    },
    [QUESTION_ATTEMPT]: {
      prepare({ row }) {
        if (row.variant === undefined || row.variant === null) row.variant = 1;
        if (row.maxfraction === undefined || row.maxfraction === null) row.maxfraction = 1;
      },
      // restore_question_attempt_worker(): $this->qtypes / $this->newquestionids of the new attempt, for its steps.
      async after({ run, record }) {
        const scratch = scratchOf(run);
        const questionId = run.ctx.ids.get('question', text(record.data.questionid));
        if (questionId === undefined) {
          if (!scratch.unmappedWarned) {
            scratch.unmappedWarned = true;
            run.ctx.warn(
              'question-response-not-recoded',
              `An attempt in ${run.key} is at question ${text(record.data.questionid)}, which was not restored; its step data keeps the backup's ids.`,
              run.entry,
            );
          }
          return;
        }
        scratch.attemptQuestions.set(record, questionId);
        await scratch.recoder.load(questionId);
      },
    },
    [STEP_DATA]: {
      // restore_question_attempt_step_worker(): the response goes through questions_recode_response_data().
      prepare({ run, record, row }) {
        const step = record.parent;
        const scratch = scratchOf(run);
        const questionId = step?.parent ? scratch.attemptQuestions.get(step.parent) : undefined;
        if (!step || questionId === undefined || !scratch.recoder.recodes(questionId)) return;
        const name = text(row.name);
        const value = row.value === undefined || row.value === null ? null : text(row.value);
        const recoded = scratch.recoder.recode(
          scratch.recoder.qtypeOf(questionId),
          questionId,
          num(step.data.sequencenumber),
          new Map([[name, value]]),
        );
        row.value = recoded.get(name) ?? null;
        if (recoded.size > 1)
          scratch.extraStepData.set(
            record,
            [...recoded].filter(([n]) => n !== name),
          );
      },
      async after({ run, record, row }) {
        const extra = scratchOf(run).extraStepData.get(record);
        if (!extra) return;
        for (const [name, value] of extra)
          await run.ctx.rows.insert('question_attempt_step_data', { attemptstepid: row.attemptstepid, name, value });
      },
    },
  },
  async finish(run) {
    const scratch = scratchOf(run);
    for (const slot of scratch.legacySlots.values()) await legacyReference(run, slot);
    if (run.instanceId !== undefined && !scratch.sectionCreated) {
      await run.ctx.rows.insert('quiz_sections', {
        quizid: run.instanceId,
        firstslot: 1,
        heading: '',
        shufflequestions: scratch.shuffle,
      });
    }
  },
};

// Internal helpers

function scratchOf(run: ActivityRun): QuizScratch {
  let scratch = run.scratch.get('quiz') as QuizScratch | undefined;
  if (!scratch) {
    scratch = {
      layout: '',
      shuffle: 0,
      sectionCreated: false,
      legacySlots: new Map(),
      heldAttempts: new Map(),
      recoder: new ResponseRecoder(run.ctx),
      attemptQuestions: new WeakMap(),
      extraStepData: new WeakMap(),
      unmappedWarned: false,
    };
    run.scratch.set('quiz', scratch);
  }
  return scratch;
}

/** Slot and page of a question in a pre-2.7 layout (`1,2,0,3,0`: 0 ends a page). */
function placeInLayout(layout: string, questionId: string): { slot: number; page: number } | undefined {
  let page = 1;
  let slot = 1;
  for (const item of layout.split(',')) {
    if (item.trim() === '') continue;
    if (Number(item) === 0) {
      page += 1;
      continue;
    }
    if (questionId !== '' && Number(item) === Number(questionId)) return { slot, page };
    slot += 1;
  }
  return undefined;
}

/** `process_quiz_question_legacy_instance()`: the reference a pre-4.0 slot gets from its restored question. */
async function legacyReference(
  run: ActivityRun,
  {
    slotId,
    questionId: oldQuestionId,
    includingSubcategories,
    tags,
  }: { slotId: number; questionId: string; includingSubcategories: number; tags: string[] },
): Promise<void> {
  const { ctx } = run;
  const questionId = ctx.ids.get('question', oldQuestionId);
  if (questionId === undefined) {
    ctx.warn(
      'quiz-question-missing',
      `Quiz slot ${slotId} refers to question ${oldQuestionId}, which was not restored; the slot has no question.`,
      run.entry,
    );
    return;
  }
  const [question] = await ctx.rows.select('question', { id: questionId }, { limit: 1 });
  const [version] = await ctx.rows.select('question_versions', { questionid: questionId }, { limit: 1 });
  const [entry] = version
    ? await ctx.rows.select('question_bank_entries', { id: Number(version.questionbankentryid) }, { limit: 1 })
    : [];
  const [category] = entry
    ? await ctx.rows.select('question_categories', { id: Number(entry.questioncategoryid) }, { limit: 1 })
    : [];
  if (!question || !entry) {
    ctx.warn(
      'quiz-question-missing',
      `Quiz slot ${slotId} refers to question ${oldQuestionId}, whose bank entry was not restored.`,
      run.entry,
    );
    return;
  }
  const base = { usingcontextid: run.contextId, component: 'mod_quiz', questionarea: 'slot', itemid: slotId };
  if (question.qtype === 'random') {
    await ctx.rows.insert('question_set_references', {
      ...base,
      questionscontextid: category ? Number(category.contextid) : 0,
      filtercondition: JSON.stringify({
        questioncategoryid: Number(entry.questioncategoryid),
        includingsubcategories: includingSubcategories,
        ...(tags.length > 0 ? { tags } : {}),
      }),
    });
  } else {
    await ctx.rows.insert('question_references', { ...base, questionbankentryid: Number(entry.id), version: null });
  }
}

/** `"tagid,tagname"` of a pre-4.0 slot tag: same site → the tag with that id; else the tag with that name; else no id. */
async function slotTag(run: ActivityRun, oldTagId: unknown, tagname: string): Promise<string> {
  const { ctx } = run;
  if (ctx.state.sameSite && num(oldTagId) > 0) {
    const [tag] = await ctx.rows.select('tag', { id: num(oldTagId) }, { limit: 1 });
    if (tag) return `${String(tag.id)},${String(tag.name)}`;
  }
  const [byName] = tagname === '' ? [] : await ctx.rows.select('tag', { name: tagname.toLowerCase() }, { limit: 1 });
  return byName ? `${String(byName.id)},${tagname}` : `,${tagname}`;
}

/** Remaps the question category inside a set reference's `filtercondition` (pre-4.3 and 4.3+ shapes). */
function remapFilterCondition(run: ActivityRun, json: string, questionsContextId: unknown): string {
  let condition: Record<string, unknown>;
  try {
    condition = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const category = (old: unknown): number | false => run.ctx.ids.get('question_category', old as string) ?? false;
  if (condition.questioncategoryid !== undefined) condition.questioncategoryid = category(condition.questioncategoryid);
  const filter = condition.filter as Record<string, { values?: unknown[] }> | undefined;
  if (filter?.category?.values && filter.category.values.length > 0)
    filter.category.values[0] = category(filter.category.values[0]);
  if (typeof condition.cat === 'string') {
    const mapped = category(condition.cat.split(',')[0]);
    condition.cat = `${mapped === false ? '' : mapped},${String(questionsContextId ?? '')}`;
  }
  return JSON.stringify(condition);
}
