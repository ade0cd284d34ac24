/**
 * Quiz attempt step data points at the restored question's ids: the response variables that name answers or
 * sub-questions are recoded as each qtype restorer's `recode_response()` does (see
 * `packages/engine/src/stages/questions/recode-response.ts`). Checked rule by rule on small inputs, against
 * Moodle 4.3's own restore of gen_s_users (oracle queries), and on gen_allmods_users restored into a store that
 * already holds rows (so old and new ids differ), with and without its questions matched to existing ones, plus a
 * copy of it given multianswer and calculatedmulti attempts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import type { RestoreContext } from '../../src/pipeline/context.ts';
import { IdMap } from '../../src/restore/id-map.ts';
import { QTYPE_HANDLERS } from '../../src/stages/questions/qtype-plugins.ts';
import {
  addPrefix,
  removePrefix,
  ResponseRecoder,
  type StepResponse,
} from '../../src/stages/questions/recode-response.ts';
import {
  compareWithOracle,
  MOODLE_CLI_RESTORE,
  readOracleQueries,
  readOracleValues,
  runOracleQueries,
} from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';

const temp = mkdtempSync(join(tmpdir(), 'mbz-responses-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('recode_response() rules', () => {
  /** A context whose id map and rows are given. */
  function fakeContext(tables: Record<string, Row[]>, mappings: Array<[string, number, number]>): RestoreContext {
    const ids = new IdMap();
    for (const [itemname, oldId, newId] of mappings) ids.set(itemname, oldId, newId);
    const select = async (table: string, where: Record<string, unknown> = {}, options: { limit?: number } = {}) =>
      (tables[table] ?? [])
        .filter((r) => Object.entries(where).every(([k, v]) => r[k] === v))
        .slice(0, options.limit ?? Infinity);
    return { ids, rows: { select } } as unknown as RestoreContext;
  }

  const response = (entries: Record<string, string | null>): StepResponse => new Map(Object.entries(entries));
  const QUESTIONS: Row[] = [
    { id: 100, qtype: 'multichoice', parent: 0 },
    { id: 101, qtype: 'calculatedmulti', parent: 0 },
    { id: 102, qtype: 'match', parent: 0 },
    { id: 103, qtype: 'multianswer', parent: 0 },
    { id: 104, qtype: 'shortanswer', parent: 103 },
    { id: 105, qtype: 'multichoice', parent: 103 },
    { id: 106, qtype: 'multichoice', parent: 103 },
    { id: 107, qtype: 'multianswer', parent: 0 },
    ...['randomsamatch', 'ddwtos', 'gapselect', 'ddimageortext', 'ddmarker', 'truefalse'].map((qtype, i) => ({
      id: 200 + i,
      qtype,
      parent: 0,
    })),
  ];
  const MAPPINGS: Array<[string, number, number]> = [
    ['question_answer', 1, 501],
    ['question_answer', 2, 502],
    ['question_answer', 3, 503],
    ['qtype_match_subquestions', 1, 701],
    ['qtype_match_subquestions', 2, 702],
    ['question', 1, 901],
    ['question', 2, 902],
  ];

  async function recoder(tables: Record<string, Row[]> = {}): Promise<ResponseRecoder> {
    const r = new ResponseRecoder(fakeContext({ question: QUESTIONS, ...tables }, MAPPINGS));
    for (const q of QUESTIONS) await r.load(Number(q.id));
    return r;
  }

  it('multichoice: _order names the new answers, unmapped ids are dropped, other variables are kept', async () => {
    const r = await recoder();
    expect(r.recodes(100)).toBe(true);
    const out = r.recode('multichoice', 100, 0, response({ _order: '3,1,9,2', answer: '2', _stemorder: '1,2' }));
    expect([...out]).toEqual([
      ['_order', '503,501,502'],
      ['answer', '2'],
      ['_stemorder', '1,2'],
    ]);
    // Every step is recoded (Moodle does not look at the sequence number).
    expect(r.recode('multichoice', 100, 3, response({ _order: '2' })).get('_order')).toBe('502');
    expect(r.recode('multichoice', 100, 0, response({ _order: null })).get('_order')).toBe('');
  });

  it('calculatedmulti: recoded as multichoice', async () => {
    const r = await recoder();
    expect(r.recode('calculatedmulti', 101, 0, response({ _order: '2,1', _var: '3' })).get('_order')).toBe('502,501');
  });

  it('match: _stemorder and _choiceorder name the new sub-questions; _order is not touched', async () => {
    const r = await recoder();
    const out = r.recode(
      'match',
      102,
      0,
      response({ _stemorder: '2,1', _choiceorder: '1,2,8', _order: '1,2', sub0: '1' }),
    );
    expect(Object.fromEntries(out)).toEqual({
      _stemorder: '702,701',
      _choiceorder: '701,702',
      _order: '1,2',
      sub0: '1',
    });
  });

  it('types whose restorer keeps the base recode_response() leave the response as it is', async () => {
    const r = await recoder();
    for (const q of QUESTIONS.filter((x) => Number(x.id) >= 200)) {
      const input = response({
        _order: '1,2',
        _stemorder: '1,2',
        _choiceorder: '1,2',
        _choiceorder1: '1,2',
        _choice_1: 'x',
      });
      expect(r.recodes(Number(q.id))).toBe(false);
      expect(Object.fromEntries(r.recode(String(q.qtype), Number(q.id), 0, input))).toEqual(Object.fromEntries(input));
    }
  });

  it('multianswer: sub<i>_ variables are recoded by the type of the i-th question of the sequence', async () => {
    const r = await recoder({
      question_multianswer: [
        { question: 103, sequence: '104,105,,106' },
        { question: 107, sequence: '' },
      ],
    });
    expect(r.recodes(103)).toBe(true);
    const out = r.recode(
      'multianswer',
      103,
      0,
      response({
        _sub1_order: '1,2', // shortanswer: kept
        _sub2_order: '2,3,1',
        sub2_answer: '1',
        _sub3_order: '1', // the sequence names no question here: kept
        _sub4_order: '3',
        _sub40_order: '1', // another prefix
        _order: '1',
        '-finish': '1',
      }),
    );
    expect(Object.fromEntries(out)).toEqual({
      _sub1_order: '1,2',
      _sub2_order: '502,503,501',
      sub2_answer: '1',
      _sub3_order: '1',
      _sub4_order: '503',
      _sub40_order: '1',
      _order: '1',
      '-finish': '1',
    });
    // An empty sequence: nothing recoded.
    expect(r.recode('multianswer', 107, 0, response({ _sub1_order: '1' })).get('_sub1_order')).toBe('1');
  });

  it('question_attempt_step_subquestion_adapter prefixes, including the names add_prefix() does not give back', () => {
    expect(removePrefix('_sub1_order', 'sub1_')).toBe('_order');
    expect(removePrefix('sub1_answer', 'sub1_')).toBe('answer');
    expect(removePrefix('-sub1_x', 'sub1_')).toBe('-x');
    expect(removePrefix('-_sub1_x', 'sub1_')).toBe('-_x');
    expect(removePrefix('sub10_answer', 'sub1_')).toBeNull();
    expect(removePrefix('_order', 'sub1_')).toBeNull();
    expect(addPrefix('_order', 'sub1_')).toBe('_sub1_order');
    expect(addPrefix('-_x', 'sub1_')).toBe('-sub1__x');
    expect(addPrefix('!_x', 'sub1_')).toBe('-_sub1_x');
  });

  it("multianswer: a name add_prefix() does not give back gets a second variable, as in Moodle's array", async () => {
    const r = await recoder({ question_multianswer: [{ question: 103, sequence: '104' }] });
    const out = r.recode('multianswer', 103, 0, response({ '-_sub1_x': '5' }));
    expect([...out]).toEqual([
      ['-_sub1_x', '5'],
      ['-sub1__x', '5'],
    ]);
  });
});

describe('match sub-question mappings of a matched question (restore_qtype_match_plugin::process_match())', () => {
  it("the first row with the same texts, else the last whose cleaned texts equal the backup's, else a warning", async () => {
    const ids = new IdMap();
    const warnings: string[] = [];
    const existing: Row[] = [
      { id: 31, questionid: 7, questiontext: 'Cat', answertext: 'meow' },
      { id: 30, questionid: 7, questiontext: 'Cat', answertext: 'meow' },
      { id: 32, questionid: 7, questiontext: 'Dog\r\nbig\u0007', answertext: 'woof' },
      { id: 33, questionid: 7, questiontext: 'Dog\rbig', answertext: 'woof' },
      { id: 34, questionid: 8, questiontext: 'Owl', answertext: 'hoot' },
    ];
    const ctx = {
      ids,
      rows: {
        select: async (table: string, where: Row) =>
          table === 'qtype_match_subquestions' ? existing.filter((r) => r.questionid === where.questionid) : [],
      },
      warn: (code: string) => warnings.push(code),
    } as unknown as RestoreContext;
    const match = (id: number, questiontext: string, answertext: string) => ({
      id: String(id),
      questiontext,
      answertext,
      questiontextformat: '1',
    });
    await QTYPE_HANDLERS.get('match')!({
      ctx,
      data: { id: '70' },
      plugin: { matches: { match: [match(1, 'Cat', 'meow'), match(2, 'Dog\nbig', 'woof'), match(3, 'Owl', 'hoot')] } },
      questionId: 7,
      created: false,
      deferred: { multianswer: [] },
    });
    expect(ids.get('qtype_match_subquestions', 1)).toBe(30);
    expect(ids.get('qtype_match_subquestions', 2)).toBe(33);
    expect(ids.get('qtype_match_subquestions', 3)).toBeUndefined();
    expect(warnings).toEqual(['question-match-subquestion-not-found']);
  });
});

describe.skipIf(!hasShared())('step data of restored quizzes', () => {
  it("gen_s_users: the multichoice orders and the other step data equal Moodle 4.3's restore", async () => {
    const path = join(temp, 'gen_s_users.sqlite');
    const storage = createSqliteStorage({ path });
    await storage.open();
    const result = await restore(generatedFixture('gen_s_users.mbz'), { storage, options: MOODLE_CLI_RESTORE }).finally(
      () => storage.close(),
    );
    const names = ['question_attempt_step_order', 'question_attempt_step_data'];
    const queries = Object.fromEntries(Object.entries(readOracleQueries()).filter(([name]) => names.includes(name)));
    const ours = runOracleQueries(path, result.courseid, queries);
    expect(ours.question_attempt_step_order!.rows.length).toBeGreaterThan(0);
    const moodle = readOracleValues('gen_s_users.values.json');
    const differences = compareWithOracle(ours, {
      ...moodle,
      queries: Object.fromEntries(names.map((n) => [n, moodle.queries[n]!])),
    });
    expect(differences.map((d) => `${d.query}: Moodle ${d.moodleRows}, ours ${d.ourRows}`)).toEqual([]);
  }, 120_000);

  describe('gen_allmods_users (7 questions of 6 types, 10 attempts)', () => {
    const crafted = join(temp, 'allmods-crafted.mbz');
    const systemBank = join(temp, 'allmods-system.mbz');
    beforeAll(() => {
      craft(crafted, { extraQuestions: true });
      craft(systemBank, { systemBank: true });
    });

    it('every recoded order names answers or sub-questions of the attempted question, none dropped', async () => {
      const path = generatedFixture('gen_allmods_users.mbz');
      const storage = createMemoryStorage();
      await storage.open();
      // A first restore fills the tables, so the second one's new ids differ from the backup's.
      await restore(path, { storage, options: { users: 1 } });
      const result = await restore(path, { storage, options: { users: 1 } });
      const backupOrders = orderLists(quizXml(path));
      const ours = await stepData(storage, result.courseid);
      const orders = ours.filter((d) => ORDER_NAMES.has(d.name));
      expect(orders.map((d) => d.name).sort()).toEqual(backupOrders.map((o) => o.name).sort());
      expect(orders.length).toBe(30);
      for (const d of orders) {
        const pool = d.qtype === 'match' ? d.subquestionIds : d.answerIds;
        const ids = d.value.split(',').map(Number);
        expect(
          ids.every((id) => pool.has(id)),
          `${d.qtype} ${d.name} ${d.value}`,
        ).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
      }
      // Same lengths as in the backup, position by position (answers listed in the same order).
      const lengths = (list: Array<{ name: string; value: string }>) =>
        list.map((o) => `${o.name}:${o.value.split(',').length}`).sort();
      expect(lengths(orders)).toEqual(lengths(backupOrders));
    });

    it('questions matched to existing ones: the step data names the existing answers and sub-questions', async () => {
      const storage = createMemoryStorage();
      await storage.open();
      // A course bank copy first, so that the ids of the system bank differ from the backup's.
      await restore(generatedFixture('gen_allmods_users.mbz'), { storage, options: { users: 1 } });
      const first = await restore(systemBank, { storage, options: { users: 1 } });
      const questionsBefore = (await storage.select('question')).length;
      const answersBefore = (await storage.select('question_answers')).length;
      const second = await restore(systemBank, { storage, options: { users: 1 } });
      // The second restore created no question: it matched the first one's (system bank, same stamps).
      expect((await storage.select('question')).length).toBe(questionsBefore);
      expect((await storage.select('question_answers')).length).toBe(answersBefore);
      const key = (d: StepDatum) => `${d.username}|${d.attempt}|${d.slot}|${d.sequencenumber}|${d.name}|${d.value}`;
      const a = (await stepData(storage, first.courseid)).filter((d) => ORDER_NAMES.has(d.name));
      const b = (await stepData(storage, second.courseid)).filter((d) => ORDER_NAMES.has(d.name));
      expect(a).toHaveLength(30);
      expect(b.map(key).sort()).toEqual(a.map(key).sort());
      for (const d of b)
        expect(
          d.value.split(',').every((id) => (d.qtype === 'match' ? d.subquestionIds : d.answerIds).has(Number(id))),
        ).toBe(true);
    });

    it('multianswer sub-questions by sequence position, calculatedmulti as multichoice', async () => {
      const storage = createMemoryStorage();
      await storage.open();
      await restore(generatedFixture('gen_allmods_users.mbz'), { storage, options: { users: 1 } });
      const result = await restore(crafted, { storage, options: { users: 1 } });
      const questions = await storage.select('question');
      const byName = (name: string) => questions.find((q) => q.name === name)!;
      const answersOf = new Map(
        (await storage.select('question_answers')).map((a) => [`${a.question}|${a.answer}`, a.id]),
      );
      const answerId = (question: Row, text: string) => Number(answersOf.get(`${question.id}|${text}`));
      const cloze = byName('Crafted cloze');
      const clozeChoice = byName('Crafted cloze choice');
      const calcMulti = byName('Crafted calculatedmulti');
      // Moodle keeps the position of a sequence entry that names no restored question.
      const [multianswer] = await storage.select('question_multianswer', { question: Number(cloze.id) });
      expect(multianswer!.sequence).toBe(`,${clozeChoice.id}`);
      const data = (await stepData(storage, result.courseid)).filter(
        (d) => d.questionid === cloze.id || d.questionid === calcMulti.id,
      );
      const value = (name: string) => data.find((d) => d.name === name)?.value;
      expect(value('_sub2_order')).toBe(
        [answerId(clozeChoice, 'gamma'), answerId(clozeChoice, 'alpha'), answerId(clozeChoice, 'beta')].join(','),
      );
      expect(value('_sub1_order')).toBe('5,6');
      expect(value('sub2_answer')).toBe('1');
      expect(value('_order')).toBe([answerId(calcMulti, '{a} + 2'), answerId(calcMulti, '{a} + 1')].join(','));
    });
  });
});

// Internal helpers

const ORDER_NAMES = new Set(['_order', '_stemorder', '_choiceorder']);

interface StepDatum {
  username: string;
  attempt: number;
  slot: number;
  sequencenumber: number;
  questionid: number;
  qtype: string;
  name: string;
  value: string;
  answerIds: Set<number>;
  subquestionIds: Set<number>;
}

/** The step data of the quiz attempts of one course, with what each names. */
async function stepData(storage: StorageAdapter, courseid: number): Promise<StepDatum[]> {
  const quizzes = new Set((await storage.select('quiz', { course: courseid })).map((q) => q.id));
  const attempts = (await storage.select('quiz_attempts')).filter((a) => quizzes.has(a.quiz));
  const usages = new Map(attempts.map((a) => [a.uniqueid, a]));
  const users = new Map((await storage.select('user')).map((u) => [u.id, String(u.username)]));
  const questions = new Map((await storage.select('question')).map((q) => [q.id, q]));
  const answers = await storage.select('question_answers');
  const subquestions = await storage.select('qtype_match_subquestions');
  const qas = new Map(
    (await storage.select('question_attempts')).filter((qa) => usages.has(qa.questionusageid)).map((qa) => [qa.id, qa]),
  );
  const steps = new Map(
    (await storage.select('question_attempt_steps')).filter((s) => qas.has(s.questionattemptid)).map((s) => [s.id, s]),
  );
  const out: StepDatum[] = [];
  for (const d of await storage.select('question_attempt_step_data')) {
    const step = steps.get(d.attemptstepid);
    if (!step) continue;
    const qa = qas.get(step.questionattemptid)!;
    const attempt = usages.get(qa.questionusageid)!;
    const question = questions.get(qa.questionid);
    out.push({
      username: users.get(attempt.userid) ?? '',
      attempt: Number(attempt.attempt),
      slot: Number(qa.slot),
      sequencenumber: Number(step.sequencenumber),
      questionid: Number(qa.questionid),
      qtype: String(question?.qtype),
      name: String(d.name),
      value: String(d.value),
      answerIds: new Set(answers.filter((a) => a.question === qa.questionid).map((a) => Number(a.id))),
      subquestionIds: new Set(subquestions.filter((s) => s.questionid === qa.questionid).map((s) => Number(s.id))),
    });
  }
  return out;
}

/** The quiz.xml of gen_allmods_users (or of a copy). */
function quizXml(mbz: string): string {
  const dir = join(temp, `read-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('tar', ['-xzf', mbz, '-C', dir]);
  const quiz = readdirSync(join(dir, 'activities')).find((d) => d.startsWith('quiz_'))!;
  const xml = readFileSync(join(dir, 'activities', quiz, 'quiz.xml'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return xml;
}

/** The order variables of a quiz.xml, read with plain text matching. */
function orderLists(xml: string): Array<{ name: string; value: string }> {
  return [...xml.matchAll(/<name>(_order|_stemorder|_choiceorder)<\/name>\s*<value>([^<]*)<\/value>/g)].map((m) => ({
    name: m[1]!,
    value: m[2]!,
  }));
}

/**
 * A copy of gen_allmods_users: with `systemBank`, its question categories are a system bank (so a second restore
 * on the same site matches its questions); with `extraQuestions`, its bank gets a cloze question (sequence naming a
 * missing question, then a multichoice sub-question) and a calculatedmulti question, and its first attempt an
 * attempt at each.
 */
function craft(out: string, options: { systemBank?: boolean; extraQuestions?: boolean }): void {
  const dir = join(temp, `craft-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('tar', ['-xzf', generatedFixture('gen_allmods_users.mbz'), '-C', dir]);
  let questions = readFileSync(join(dir, 'questions.xml'), 'utf8');
  if (options.systemBank)
    questions = questions.replaceAll('<contextlevel>50</contextlevel>', '<contextlevel>10</contextlevel>');
  if (options.extraQuestions) {
    const at = questions.indexOf('<question_bank_entry id="1">');
    expect(at).toBeGreaterThan(0);
    questions = questions.slice(0, at) + EXTRA_ENTRIES + questions.slice(at);
    const quizDir = readdirSync(join(dir, 'activities')).find((d) => d.startsWith('quiz_'))!;
    const quizPath = join(dir, 'activities', quizDir, 'quiz.xml');
    const quiz = readFileSync(quizPath, 'utf8');
    const attemptsAt = quiz.indexOf('<question_attempts>') + '<question_attempts>'.length;
    expect(attemptsAt).toBeGreaterThan(100);
    writeFileSync(quizPath, quiz.slice(0, attemptsAt) + EXTRA_ATTEMPTS + quiz.slice(attemptsAt));
  }
  writeFileSync(join(dir, 'questions.xml'), questions);
  rmSync(out, { force: true });
  execFileSync('tar', ['-czf', out, '-C', dir, ...readdirSync(dir)]);
  rmSync(dir, { recursive: true, force: true });
}

function xmlQuestion(id: number, name: string, qtype: string, parent: number, plugin: string): string {
  return `<question id="${id}"><parent>${parent}</parent><name>${name}</name><questiontext>Text of ${name}</questiontext><questiontextformat>1</questiontextformat>
<generalfeedback></generalfeedback><generalfeedbackformat>1</generalfeedbackformat><defaultmark>1.0000000</defaultmark><penalty>0.3333333</penalty>
<qtype>${qtype}</qtype><length>1</length><stamp>crafted-response+${id}</stamp><timecreated>1700000000</timecreated><timemodified>1700000000</timemodified>
<createdby>2</createdby><modifiedby>2</modifiedby><plugin_qtype_${qtype}_question>${plugin}</plugin_qtype_${qtype}_question><question_hints></question_hints><tags></tags></question>`;
}

function xmlEntry(id: number, question: string): string {
  return `<question_bank_entry id="${id}"><questioncategoryid>2</questioncategoryid><idnumber>$@NULL@$</idnumber><ownerid>2</ownerid><question_version>
<question_versions id="${id}"><version>1</version><status>ready</status><questions>${question}</questions></question_versions></question_version></question_bank_entry>`;
}

function xmlAnswers(list: Array<[number, string]>): string {
  return `<answers>${list
    .map(
      ([id, text], i) =>
        `<answer id="${id}"><answertext>${text}</answertext><answerformat>0</answerformat><fraction>${i === 0 ? '1.0000000' : '0.0000000'}</fraction><feedback></feedback><feedbackformat>1</feedbackformat></answer>`,
    )
    .join('')}</answers>`;
}

const MC_OPTIONS = `<multichoice id="9001"><layout>0</layout><single>1</single><shuffleanswers>1</shuffleanswers><correctfeedback></correctfeedback><correctfeedbackformat>1</correctfeedbackformat>
<partiallycorrectfeedback></partiallycorrectfeedback><partiallycorrectfeedbackformat>1</partiallycorrectfeedbackformat><incorrectfeedback></incorrectfeedback><incorrectfeedbackformat>1</incorrectfeedbackformat>
<answernumbering>abc</answernumbering><shownumcorrect>0</shownumcorrect><showstandardinstruction>0</showstandardinstruction></multichoice>`;

const EXTRA_ENTRIES = [
  xmlEntry(
    9001,
    xmlQuestion(
      9001,
      'Crafted cloze',
      'multianswer',
      0,
      `<answers></answers><multianswer id="9001"><question>9001</question><sequence>9003,9002</sequence></multianswer>`,
    ),
  ),
  xmlEntry(
    9002,
    xmlQuestion(
      9002,
      'Crafted cloze choice',
      'multichoice',
      9001,
      xmlAnswers([
        [9101, 'alpha'],
        [9102, 'beta'],
        [9103, 'gamma'],
      ]) + MC_OPTIONS,
    ),
  ),
  xmlEntry(
    9005,
    xmlQuestion(
      9005,
      'Crafted calculatedmulti',
      'calculatedmulti',
      0,
      `${xmlAnswers([
        [9201, '{a} + 1'],
        [9202, '{a} + 2'],
      ])}
<calculated_records><calculated_record id="9201"><answer>9201</answer><tolerance>0.01</tolerance><tolerancetype>1</tolerancetype><correctanswerlength>2</correctanswerlength><correctanswerformat>1</correctanswerformat></calculated_record></calculated_records>`,
    ),
  ),
].join('\n');

function xmlAttempt(id: number, questionid: number, slot: number, variables: Record<string, string>): string {
  return `<question_attempt id="${id}"><slot>${slot}</slot><behaviour>deferredfeedback</behaviour><questionid>${questionid}</questionid><variant>1</variant>
<maxmark>1.0000000</maxmark><minfraction>0.0000000</minfraction><maxfraction>1.0000000</maxfraction><flagged>0</flagged><questionsummary></questionsummary>
<rightanswer></rightanswer><responsesummary></responsesummary><timemodified>1796417053</timemodified><steps><step id="${id}"><sequencenumber>0</sequencenumber>
<state>todo</state><fraction>$@NULL@$</fraction><timecreated>1796417053</timecreated><userid>4</userid><response>${Object.entries(
    variables,
  )
    .map(([name, value]) => `<variable><name>${name}</name><value>${value}</value></variable>`)
    .join('')}</response></step></steps></question_attempt>`;
}

const EXTRA_ATTEMPTS = [
  xmlAttempt(9001, 9001, 8, { _sub1_order: '5,6', _sub2_order: '9103,9101,9102', sub2_answer: '1' }),
  xmlAttempt(9002, 9005, 9, { _order: '9202,9201,77777' }),
].join('\n');
