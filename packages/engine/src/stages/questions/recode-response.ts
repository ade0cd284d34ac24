/**
 * Recoding of question attempt step data: the response variables that name answer or sub-question ids are
 * rewritten to the ids of the restored (or matched) question, as Moodle's qtype restorers do.
 *
 * Follows `restore_questions_activity_structure_step::restore_question_attempt_step_worker()` and
 * `questions_recode_response_data()` (`backup/moodle2/restore_stepslib.php`, 4.x): every step's response goes
 * through `restore_qtype_<qtype>_plugin::recode_response($newquestionid, $sequencenumber, $response)` of the
 * question's type; the base class (`restore_qtype_plugin::recode_response()`) returns it unchanged. The core
 * types that override it (4.3):
 * - multichoice (`restore_qtype_multichoice_plugin::recode_choice_order()`): `_order`, a comma list of
 *   `question_answer` ids; ids without a mapping are dropped;
 * - calculatedmulti (`restore_qtype_calculatedmulti_plugin::recode_response()`): delegates to multichoice;
 * - match (`restore_qtype_match_plugin::recode_match_sub_order()`): `_stemorder` and `_choiceorder`, comma lists
 *   of `qtype_match_subquestions` ids; ids without a mapping are dropped;
 * - multianswer (`restore_qtype_multianswer_plugin::recode_response()`): for each position i (from 1) of the new
 *   question's `question_multianswer.sequence`, the variables carrying the `sub<i>_` prefix
 *   (`question_attempt_step_subquestion_adapter::remove_prefix()`) are recoded by the sub-question's own type
 *   (read from the questions whose `parent` is the new question) and written back under `add_prefix()` of the
 *   recoded name.
 * randomsamatch, ddwtos, gapselect, ddimageortext and ddmarker keep the base behaviour in 4.x: their orders hold
 * choice numbers, not ids (randomsamatch only recodes 2.0 `question_states` answers, `recode_legacy_state_answer()`).
 * Matched questions (not created by this restore) use the mappings onto their existing answers and sub-questions,
 * which the questions stage sets, and their existing multianswer sequence, as Moodle does.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { text } from '../support.ts';

/** A step's response: variable name → value, in order (a PHP array: overwriting keeps a key's position). */
export type StepResponse = Map<string, string | null>;

/** What recoding needs of one restored question. */
interface QuestionFacts {
  readonly qtype: string;
  /** multianswer: the sub-question of each `sequence` position (undefined where the position names no child). */
  readonly subquestions?: ReadonlyArray<{ readonly id: number; readonly qtype: string } | undefined>;
}

/** How deep multianswer questions are followed into their sub-questions (core types nest one level). */
const MAX_DEPTH = 4;

/** Recodes the step data of attempts at restored questions; load a question before recoding its responses. */
export class ResponseRecoder {
  readonly #ctx: RestoreContext;
  readonly #facts = new Map<number, QuestionFacts | null>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /** Reads (once) what recoding the responses to this restored question needs: its type, and a multianswer's sub-questions. */
  async load(questionId: number, depth = 0): Promise<void> {
    if (this.#facts.has(questionId) || depth > MAX_DEPTH) return;
    const rows = this.#ctx.rows;
    const [question] = await rows.select('question', { id: questionId }, { limit: 1 });
    if (!question) {
      this.#facts.set(questionId, null);
      return;
    }
    const qtype = text(question.qtype);
    if (qtype !== 'multianswer') {
      this.#facts.set(questionId, { qtype });
      return;
    }
    // restore_qtype_multianswer_plugin::recode_response(): get_records_menu('question', ['parent' => $questionid])
    // and the sequence of the question's question_multianswer row.
    const children = new Map(
      (await rows.select('question', { parent: questionId })).map((r) => [Number(r.id), text(r.qtype)]),
    );
    const [options] = await rows.select('question_multianswer', { question: questionId }, { limit: 1 });
    const subquestions = text(options?.sequence)
      .split(',')
      .map((id) => {
        const subId = Number(id.trim());
        const subQtype = id.trim() === '' ? undefined : children.get(subId);
        return subQtype === undefined ? undefined : { id: subId, qtype: subQtype };
      });
    this.#facts.set(questionId, { qtype, subquestions });
    for (const sub of subquestions) if (sub && sub.id !== questionId) await this.load(sub.id, depth + 1);
  }

  /** The qtype of a loaded question (undefined when it is not loaded or does not exist). */
  qtypeOf(questionId: number): string | undefined {
    return this.#facts.get(questionId)?.qtype;
  }

  /** True when responses to this question may need recoding (so that callers can skip the others cheaply). */
  recodes(questionId: number): boolean {
    const qtype = this.qtypeOf(questionId);
    return qtype !== undefined && RECODING_QTYPES.has(qtype);
  }

  /**
   * `questions_recode_response_data($qtype, $newquestionid, $sequencenumber, $response)`: the response recoded
   * by the question type's restorer (a new map; the input is not changed).
   */
  recode(
    qtype: string | undefined,
    questionId: number,
    sequencenumber: number,
    response: StepResponse,
    depth = 0,
  ): StepResponse {
    const out = new Map(response);
    switch (qtype) {
      case 'multichoice':
        this.#recodeList(out, '_order', 'question_answer');
        break;
      case 'calculatedmulti':
        // restore_qtype_calculatedmulti_plugin::recode_response(): questions_recode_response_data('multichoice', …).
        return this.recode('multichoice', questionId, sequencenumber, response, depth);
      case 'match':
        this.#recodeList(out, '_stemorder', 'qtype_match_subquestions');
        this.#recodeList(out, '_choiceorder', 'qtype_match_subquestions');
        break;
      case 'multianswer':
        if (depth < MAX_DEPTH) this.#recodeMultianswer(out, questionId, sequencenumber, depth);
        break;
      default:
        break;
    }
    return out;
  }

  /** `recode_choice_order()` / `recode_match_sub_order()`: each id of the comma list mapped; unmapped ids dropped. */
  #recodeList(response: StepResponse, name: string, itemname: string): void {
    if (!response.has(name)) return;
    const mapped: number[] = [];
    for (const id of text(response.get(name)).split(',')) {
      const newId = id.trim() === '' ? undefined : this.#ctx.ids.get(itemname, id.trim());
      if (newId) mapped.push(newId);
    }
    response.set(name, mapped.join(','));
  }

  /** `restore_qtype_multianswer_plugin::recode_response()`. */
  #recodeMultianswer(response: StepResponse, questionId: number, sequencenumber: number, depth: number): void {
    const facts = this.#facts.get(questionId);
    // No sequence row: explode(',', false) gives one position naming no question.
    const subquestions = facts?.subquestions ?? [undefined];
    const original = [...response];
    subquestions.forEach((sub, key) => {
      const prefix = `sub${key + 1}_`;
      const subResponse: StepResponse = new Map();
      for (const [name, value] of original) {
        const subName = removePrefix(name, prefix);
        // filter_array(): `if ($name = $this->remove_prefix($fullname))`.
        if (phpTruthy(subName)) subResponse.set(subName, value);
      }
      const recoded = sub ? this.recode(sub.qtype, sub.id, sequencenumber, subResponse, depth + 1) : subResponse;
      for (const [name, value] of recoded) response.set(addPrefix(name, prefix), value);
    });
  }
}

/** Question types whose restorer overrides `recode_response()` (see the header). */
const RECODING_QTYPES: ReadonlySet<string> = new Set(['multichoice', 'calculatedmulti', 'match', 'multianswer']);

/** `question_attempt_step_subquestion_adapter::remove_prefix()`: `null` when the name lacks the prefix. */
export function removePrefix(name: string, prefix: string): string | null {
  // The regex is ~^(-?_?)<prefix>(.*)$~: try the longest lead first, as PCRE's greedy optionals do, then backtrack.
  for (const lead of leadsOf(/^-?_?/.exec(name)![0])) {
    if (name.startsWith(prefix, lead.length)) return lead + name.slice(lead.length + prefix.length);
  }
  return null;
}

/** `question_attempt_step_subquestion_adapter::add_prefix()`. */
export function addPrefix(name: string, prefix: string): string {
  if (name.startsWith('!_')) return `-_${prefix}${name.slice(2)}`;
  if (name.startsWith('-')) return `-${prefix}${name.slice(1)}`;
  if (name.startsWith('_')) return `_${prefix}${name.slice(1)}`;
  return prefix + name;
}

/** The ways `-?_?` can match at the start of a name beginning with `lead`, longest first. */
function leadsOf(lead: string): string[] {
  switch (lead) {
    case '-_':
      return ['-_', '-', ''];
    case '-':
      return ['-', ''];
    case '_':
      return ['_', ''];
    default:
      return [''];
  }
}

/** The PHP truthiness `filter_array()` applies to a stripped name (`''` and `'0'` are dropped). */
function phpTruthy(name: string | null): name is string {
  return name !== null && name !== '' && name !== '0';
}
