/**
 * The questions stage: categories and questions of questions.xml restored as Moodle does, checked against what
 * Moodle produced (gen_s_users), against the backups' own XML (counted here with plain text matching, not with the
 * engine's reader), and on a crafted backup that exercises every question type the engine restores.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackupSource, restore, type Row, type RestoreResult, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const temp = mkdtempSync(join(tmpdir(), 'mbz-questions-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe.skipIf(!hasShared())('questions stage', () => {
  it('restores the question bank of gen_s_users as Moodle did (2 categories, 14 entries, 14 questions)', async () => {
    const path = generatedFixture('gen_s_users.mbz');
    const expected = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts;
    const { storage, result } = await restoreNew(path);
    expect(result.counts.mdl_question_categories).toBe(expected.question_categories);
    expect(result.counts.mdl_question_bank_entries).toBe(expected.question_bank_entries);
    expect(result.counts.mdl_question).toBe(expected.question);

    const xml = await entryText(path, 'questions.xml');
    expect(result.counts.mdl_question_answers).toBe(count(xml, /<answer id="/g));
    expect(result.counts.mdl_question_hints ?? 0).toBe(count(xml, /<question_hint id="/g));
    expect(result.counts.mdl_question_truefalse ?? 0).toBe(count(xml, /<truefalse id="/g));
    expect(result.counts.mdl_question_versions).toBe(expected.question);
    await expectConsistentBank(storage, result.courseid);
  });

  it('restores every question of the STACK demo (4.1) with its core row only and one unknown-qtype warning', async () => {
    const path = mbzFixture('qtype_stack__samplequestions-STACK-demo.mbz');
    const xml = await entryText(path, 'questions.xml');
    const { storage, result } = await restoreNew(path);
    expect(result.counts.mdl_question).toBe(count(xml, /<question id="/g));
    expect(result.counts.mdl_question_bank_entries).toBe(new Set(xml.match(/<question_bank_entry id="\d+"/g)).size);
    // 3.5+ banks keep their size; a module bank left in the course context loses its top to the course's top.
    const kept = result.warnings.filter((w) => w.code === 'question-bank-kept-in-course').length;
    expect(result.counts.mdl_question_categories).toBe(count(xml, /<question_category id="/g) - kept);
    expect(result.warnings.filter((w) => w.code === 'unknown-qtype')).toHaveLength(1);
    expect(result.warnings.find((w) => w.code === 'unknown-qtype')?.message).toContain('"stack"');
    expect((await storage.select('question', { qtype: 'stack' })).length).toBe(count(xml, /<qtype>stack<\/qtype>/g));
    await expectConsistentBank(storage, result.courseid);
  });

  it('restores a pre-3.5, pre-4.0 bank (CodeRunner 3.1.2): one entry and version per question, top categories created', async () => {
    const path = mbzFixture('qtype_coderunner__tests-fixtures-backuptester_V3.1.2.mbz');
    const xml = await entryText(path, 'questions.xml');
    const { storage, result } = await restoreNew(path);
    const questions = count(xml, /<question id="/g);
    expect(result.counts.mdl_question).toBe(questions);
    expect(result.counts.mdl_question_bank_entries).toBe(questions);
    const versions = await storage.select('question_versions');
    expect(versions.every((v) => v.version === 1)).toBe(true);
    // Every backup category is created, plus one "top" for the course and one for each module bank moved to its module.
    const moduleBanks = new Set(
      [...xml.matchAll(/<contextid>(\d+)<\/contextid>\s*<contextlevel>70</g)].map((m) => m[1]),
    ).size;
    const kept = result.warnings.filter((w) => w.code === 'question-bank-kept-in-course').length;
    expect(result.counts.mdl_question_categories).toBe(count(xml, /<question_category id="/g) + 1 + moduleBanks - kept);
    await expectConsistentBank(storage, result.courseid);
  });

  it('moves module banks to their module context (CodeRunner 4.5.3)', async () => {
    const path = mbzFixture('qtype_coderunner__tests-fixtures-backuptester_V4.5.3.mbz');
    const { storage, result } = await restoreNew(path);
    const kept = result.warnings.filter((w) => w.code === 'question-bank-kept-in-course').length;
    const contexts = new Map((await storage.select('context')).map((c) => [c.id, c]));
    const categories = await storage.select('question_categories');
    const moduleContexts = new Set(
      categories.filter((c) => contexts.get(c.contextid)?.contextlevel === 70).map((c) => c.contextid),
    );
    const cms = new Set((await storage.select('course_modules', { course: result.courseid })).map((cm) => cm.id));
    for (const id of moduleContexts) expect(cms.has(contexts.get(id)!.instanceid)).toBe(true);
    if (kept === 0) expect(moduleContexts.size).toBe(17);
    await expectConsistentBank(storage, result.courseid);
  });

  describe('on a crafted backup with every supported question type', () => {
    const crafted = join(temp, 'crafted.mbz');
    beforeAll(() => craftBackup(crafted));

    it('creates the rows of each type with remapped references', async () => {
      const { storage, result } = await restoreNew(crafted);
      const course = (await storage.select('context', { contextlevel: 50, instanceid: result.courseid }))[0]!;
      const byName = new Map((await storage.select('question')).map((q) => [q.name, q]));
      const q = (name: string) => byName.get(name)! as Row & { id: number; parent: number };

      // Only referenced categories: course top + "Crafted", system top + "System cat"; the unreferenced one is not restored.
      const categories = await storage.select('question_categories');
      expect(categories.map((c) => c.name).sort()).toEqual(['Crafted', 'System cat', 'top', 'top']);
      expect(byName.has('Unreferenced')).toBe(false);
      expect(categories.filter((c) => c.contextid === 1)).toHaveLength(2);
      expect(categories.find((c) => c.name === 'Crafted')).toMatchObject({ contextid: course.id, idnumber: 'cat-a' });
      expect(result.counts.mdl_question).toBe(19);

      // Calculated: answers, units (the repeated one once), options, datasets (two definitions, three items).
      const calc = q('Calc');
      const [calcAnswer] = await storage.select('question_answers', { question: calc.id });
      expect(await storage.select('question_calculated', { question: calc.id })).toEqual([
        expect.objectContaining({ answer: calcAnswer!.id, tolerance: '0.01' }),
      ]);
      expect(await storage.select('question_numerical_units', { question: calc.id })).toHaveLength(1);
      expect(await storage.select('question_calculated_options', { question: calc.id })).toHaveLength(1);
      const datasets = await storage.select('question_datasets', { question: calc.id });
      expect(datasets).toHaveLength(2);
      const definitions = await storage.select('question_dataset_definitions');
      expect(definitions.map((d) => d.id).sort()).toEqual(datasets.map((d) => d.datasetdefinition).sort());
      expect(definitions.find((d) => d.name === 'a')!.category).toBe(categories.find((c) => c.name === 'Crafted')!.id);
      expect(await storage.select('question_dataset_items')).toHaveLength(3);
      expect(await storage.select('question_hints', { questionid: calc.id })).toHaveLength(2);
      expect(calc.penalty).toBe(0.3333333);
      const [entry] = await storage.select('question_bank_entries', {
        id: Number((await storage.select('question_versions', { questionid: calc.id }))[0]!.questionbankentryid),
      });
      expect(entry).toMatchObject({
        idnumber: 'q-calc',
        questioncategoryid: categories.find((c) => c.name === 'Crafted')!.id,
      });

      // Tags: two names (the repeated one once), in the question's category context.
      const tags = await storage.select('tag');
      expect(tags.map((t) => t.name).sort()).toEqual(['algebra', 'geometry']);
      const instances = await storage.select('tag_instance', { itemid: calc.id });
      expect(instances).toHaveLength(2);
      expect(instances.every((i) => i.contextid === course.id && i.component === 'core_question')).toBe(true);

      // Multianswer: the sequence names the new subquestions; parents remapped, also when the child comes first.
      const [cloze] = await storage.select('question_multianswer', { question: q('Cloze').id });
      expect(cloze!.sequence).toBe(`${q('Cloze sub 1').id},${q('Cloze sub 2').id}`);
      expect(q('Cloze sub 1').parent).toBe(q('Cloze').id);
      expect(q('Cloze sub 2').parent).toBe(q('Cloze').id);
      expect(q('Early child').parent).toBe(q('Late parent').id);
      expect((await storage.select('question_multianswer', { question: q('Late parent').id }))[0]!.sequence).toBe(
        String(q('Early child').id),
      );
      expect(await storage.select('qtype_multichoice_options', { questionid: q('Cloze sub 2').id })).toHaveLength(1);
      expect(await storage.select('qtype_shortanswer_options', { questionid: q('Cloze sub 1').id })).toHaveLength(1);

      // Match, gapselect, ddwtos, numerical, essay defaults, random.
      expect(await storage.select('qtype_match_options', { questionid: q('Match').id })).toEqual([
        expect.objectContaining({ correctfeedback: '', correctfeedbackformat: 1 }),
      ]);
      expect(await storage.select('qtype_match_subquestions', { questionid: q('Match').id })).toHaveLength(3);
      expect(await storage.select('question_gapselect', { questionid: q('Gaps').id })).toHaveLength(1);
      expect(await storage.select('question_ddwtos', { questionid: q('Drag').id })).toHaveLength(1);
      const numAnswers = await storage.select('question_answers', { question: q('Num').id });
      expect((await storage.select('question_numerical', { question: q('Num').id }))[0]!.answer).toBe(
        numAnswers[0]!.id,
      );
      expect(await storage.select('question_numerical_options', { question: q('Num').id })).toHaveLength(1);
      expect((await storage.select('qtype_essay_options', { questionid: q('Essay').id }))[0]).toMatchObject({
        responseformat: 'editor',
        responsefieldlines: 15,
        graderinfoformat: 1,
      });
      expect(q('Random').qtype).toBe('random');

      // Two versions of one entry.
      const tfVersions = await storage.select('question_versions', { questionid: q('TF v2').id });
      expect(tfVersions[0]!.version).toBe(2);
      expect(tfVersions[0]!.questionbankentryid).toBe(
        (await storage.select('question_versions', { questionid: q('TF v1').id }))[0]!.questionbankentryid,
      );
      const [tf] = await storage.select('question_truefalse', { question: q('TF v2').id });
      const tfAnswers = (await storage.select('question_answers', { question: q('TF v2').id })).map((a) => a.id);
      expect(tfAnswers).toContain(tf!.trueanswer);
      expect(tfAnswers).toContain(tf!.falseanswer);

      // Unknown types keep their question row, one warning per type.
      expect(byName.get('Stack one')?.qtype).toBe('stack');
      expect(byName.get('Stack two')?.qtype).toBe('stack');
      expect(result.warnings.filter((w) => w.code === 'unknown-qtype')).toHaveLength(1);
      await expectConsistentBank(storage, result.courseid);
    });

    it('maps a system bank restored a second time instead of copying it', async () => {
      const storage = createMemoryStorage();
      await storage.open();
      const first = await restore(crafted, { storage });
      const systemCategories = await storage.select('question_categories', { contextid: 1 });
      const systemQuestion = await storage.select('question', { name: 'System TF' });
      expect(systemQuestion).toHaveLength(1);
      const second = await restore(crafted, { storage });
      expect(await storage.select('question_categories', { contextid: 1 })).toEqual(systemCategories);
      expect(await storage.select('question', { name: 'System TF' })).toEqual(systemQuestion);
      expect(second.counts.mdl_question).toBe(first.counts.mdl_question! - 1);
      expect(second.counts.mdl_question_categories).toBe(first.counts.mdl_question_categories! - 2);
      // The course bank is created again in the new course.
      expect(await storage.select('question', { name: 'Calc' })).toHaveLength(2);
    });
  });
});

// Internal helpers

async function restoreNew(
  path: string,
  options: Record<string, number> = {},
): Promise<{ storage: StorageAdapter; result: RestoreResult }> {
  const storage = createMemoryStorage();
  await storage.open();
  const result = await restore(path, { storage, options });
  return { storage, result };
}

async function entryText(path: string, entry: string): Promise<string> {
  const source = await openBackupSource(path);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await source.open(entry)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await source.close();
  }
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** Every reference of the question tables points at a restored row; each category context has one top category. */
async function expectConsistentBank(storage: StorageAdapter, courseid: number): Promise<void> {
  const categories = await storage.select('question_categories');
  const byId = new Map(categories.map((c) => [c.id, c]));
  const contexts = new Map((await storage.select('context')).map((c) => [c.id, c]));
  const course = [...contexts.values()].find((c) => c.contextlevel === 50 && c.instanceid === courseid)!;
  for (const c of categories) {
    const context = contexts.get(c.contextid)!;
    expect(context).toBeDefined();
    const path = String(context.path);
    if (context.contextlevel !== 10)
      expect(path === String(course.path) || path.startsWith(`${String(course.path)}/`)).toBe(true);
    if (c.parent !== 0) expect(byId.get(c.parent)?.contextid).toBe(c.contextid);
  }
  const tops = new Map<unknown, number>();
  for (const c of categories) if (c.parent === 0) tops.set(c.contextid, (tops.get(c.contextid) ?? 0) + 1);
  expect([...tops.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(categories.map((c) => c.contextid)).size).toBe(tops.size);

  const entries = new Map((await storage.select('question_bank_entries')).map((e) => [e.id, e]));
  for (const e of entries.values()) expect(byId.has(e.questioncategoryid)).toBe(true);
  const questions = new Map((await storage.select('question')).map((q) => [q.id, q]));
  const versions = await storage.select('question_versions');
  expect(new Set(versions.map((v) => v.questionid))).toEqual(new Set(questions.keys()));
  for (const v of versions) expect(entries.has(v.questionbankentryid)).toBe(true);
  for (const q of questions.values()) if (q.parent !== 0) expect(questions.has(q.parent)).toBe(true);
  for (const table of [
    'question_answers',
    'question_numerical',
    'question_truefalse',
    'question_multianswer',
    'question_calculated',
  ]) {
    for (const row of await storage.select(table)) expect(questions.has(row.question as number)).toBe(true);
  }
  const answers = new Map((await storage.select('question_answers')).map((a) => [a.id, a]));
  for (const tf of await storage.select('question_truefalse')) {
    expect(answers.get(tf.trueanswer)?.question).toBe(tf.question);
    expect(answers.get(tf.falseanswer)?.question).toBe(tf.question);
  }
  for (const table of [
    'question_hints',
    'qtype_multichoice_options',
    'qtype_shortanswer_options',
    'qtype_essay_options',
    'qtype_match_subquestions',
  ]) {
    for (const row of await storage.select(table)) expect(questions.has(row.questionid as number)).toBe(true);
  }
}

/**
 * A copy of a small 4.4 course backup (qbank_bulktags) whose questions.xml is replaced by one holding a course bank
 * with every supported question type, a system bank and a category no inforef refers to.
 */
function craftBackup(out: string): void {
  const dir = join(temp, 'crafted');
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('tar', ['-xzf', mbzFixture('qbank_bulktags__tests-fixtures-bulktags_test.mbz'), '-C', dir]);
  writeFileSync(join(dir, 'questions.xml'), CRAFTED_QUESTIONS);
  const inforef = readFileSync(join(dir, 'course', 'inforef.xml'), 'utf8');
  writeFileSync(
    join(dir, 'course', 'inforef.xml'),
    inforef.replace(
      '</question_categoryref>',
      '<question_category><id>2001</id></question_category><question_category><id>2002</id></question_category></question_categoryref>',
    ),
  );
  repack(dir, out);
}

function repack(dir: string, out: string): void {
  rmSync(out, { force: true });
  execFileSync('tar', ['-czf', out, '-C', dir, ...readdirSync(dir)]);
}

function question(
  id: number,
  fields: { name: string; qtype: string; parent?: number; stamp?: string; penalty?: string },
  plugin = '',
  extra = '<question_hints></question_hints><tags></tags>',
): string {
  return `<question id="${id}"><parent>${fields.parent ?? 0}</parent><name>${fields.name}</name><questiontext>Text of ${fields.name}</questiontext>
<questiontextformat>1</questiontextformat><generalfeedback></generalfeedback><generalfeedbackformat>1</generalfeedbackformat><defaultmark>1.0000000</defaultmark>
<penalty>${fields.penalty ?? '0.3333333'}</penalty><qtype>${fields.qtype}</qtype><length>1</length><stamp>${fields.stamp ?? `crafted+${id}`}</stamp>
<timecreated>1700000000</timecreated><timemodified>1700000000</timemodified><createdby>2</createdby><modifiedby>2</modifiedby>
${plugin ? `<plugin_qtype_${fields.qtype}_question>${plugin}</plugin_qtype_${fields.qtype}_question>` : ''}
<plugin_qbank_comment_question><comments></comments></plugin_qbank_comment_question>${extra}</question>`;
}

function entry(id: number, questions: Array<[number, string]>, idnumber = '$@NULL@$'): string {
  return `<question_bank_entry id="${id}"><questioncategoryid>0</questioncategoryid><idnumber>${idnumber}</idnumber><ownerid>2</ownerid><question_version>${questions
    .map(
      ([version, q]) =>
        `<question_versions id="${id * 10 + version}"><version>${version}</version><status>ready</status><questions>${q}</questions></question_versions>`,
    )
    .join('')}</question_version></question_bank_entry>`;
}

function answers(...list: Array<[number, string, string]>): string {
  return `<answers>${list.map(([id, text, fraction]) => `<answer id="${id}"><answertext>${text}</answertext><answerformat>0</answerformat><fraction>${fraction}</fraction><feedback></feedback><feedbackformat>1</feedbackformat></answer>`).join('')}</answers>`;
}

function category(
  id: number,
  name: string,
  contextid: number,
  level: number,
  parent: number,
  body: string,
  idnumber = '$@NULL@$',
): string {
  return `<question_category id="${id}"><name>${name}</name><contextid>${contextid}</contextid><contextlevel>${level}</contextlevel><contextinstanceid>1</contextinstanceid>
<info></info><infoformat>0</infoformat><stamp>crafted-cat-${id}</stamp><parent>${parent}</parent><sortorder>999</sortorder><idnumber>${idnumber}</idnumber>
<question_bank_entries>${body}</question_bank_entries></question_category>`;
}

const FEEDBACK =
  '<correctfeedback></correctfeedback><correctfeedbackformat>1</correctfeedbackformat><partiallycorrectfeedback></partiallycorrectfeedback><partiallycorrectfeedbackformat>1</partiallycorrectfeedbackformat><incorrectfeedback></incorrectfeedback><incorrectfeedbackformat>1</incorrectfeedbackformat><shownumcorrect>0</shownumcorrect>';

const CRAFTED_QUESTIONS = `<?xml version="1.0" encoding="UTF-8"?>
<question_categories>
${category(1118, 'top', 724, 50, 0, '')}
${category(
  1119,
  'Crafted',
  724,
  50,
  1118,
  [
    entry(
      501,
      [
        [
          1,
          question(
            701,
            { name: 'Calc', qtype: 'calculated', penalty: '0.3333' },
            `${answers([801, '{a} + {b}', '1.0000000'])}
<numerical_units><numerical_unit id="1"><multiplier>1</multiplier><unit>m</unit></numerical_unit><numerical_unit id="2"><multiplier>1</multiplier><unit>m</unit></numerical_unit></numerical_units>
<numerical_options><numerical_option id="1"><showunits>3</showunits><unitsleft>0</unitsleft><unitgradingtype>0</unitgradingtype><unitpenalty>0.1000000</unitpenalty></numerical_option></numerical_options>
<dataset_definitions><dataset_definition id="901"><category>1119</category><name>a</name><type>1</type><options>uniform:1:10:1</options><itemcount>2</itemcount>
<dataset_items><dataset_item id="1"><number>1</number><value>3</value></dataset_item><dataset_item id="2"><number>2</number><value>5</value></dataset_item></dataset_items></dataset_definition>
<dataset_definition id="902"><category>0</category><name>b</name><type>1</type><options>uniform:1:10:1</options><itemcount>1</itemcount>
<dataset_items><dataset_item id="3"><number>1</number><value>7</value></dataset_item></dataset_items></dataset_definition></dataset_definitions>
<calculated_records><calculated_record id="1"><answer>801</answer><tolerance>0.01</tolerance><tolerancetype>1</tolerancetype><correctanswerlength>2</correctanswerlength><correctanswerformat>1</correctanswerformat></calculated_record></calculated_records>
<calculated_options><calculated_option id="1"><synchronize>0</synchronize><single>0</single><shuffleanswers>0</shuffleanswers>${FEEDBACK}<answernumbering>abc</answernumbering></calculated_option></calculated_options>`,
            `<question_hints><question_hint id="1"><hint>Think</hint><hintformat>1</hintformat><shownumcorrect>0</shownumcorrect><clearwrong>0</clearwrong><options></options></question_hint>
<question_hint id="2"><hint>Harder</hint><hintformat>1</hintformat><shownumcorrect>1</shownumcorrect><clearwrong>1</clearwrong><options></options></question_hint></question_hints>
<tags><tag id="1"><name>algebra</name><rawname>Algebra</rawname></tag><tag id="2"><name>algebra</name><rawname>algebra</rawname></tag><tag id="3"><name>geometry</name><rawname>Geometry</rawname></tag></tags>`,
          ),
        ],
      ],
      'q-calc',
    ),
    entry(502, [
      [
        1,
        question(
          702,
          { name: 'Cloze', qtype: 'multianswer' },
          `<answers></answers><multianswer id="1"><question>702</question><sequence>703,704</sequence></multianswer>`,
        ),
      ],
    ]),
    entry(503, [
      [
        1,
        question(
          703,
          { name: 'Cloze sub 1', qtype: 'shortanswer', parent: 702 },
          `${answers([811, 'cat', '1.0000000'])}<shortanswer id="1"><usecase>0</usecase></shortanswer>`,
        ),
      ],
    ]),
    entry(504, [
      [
        1,
        question(
          704,
          { name: 'Cloze sub 2', qtype: 'multichoice', parent: 702 },
          `${answers([812, 'yes', '1.0000000'], [813, 'no', '0.0000000'])}<multichoice id="1"><layout>0</layout><single>1</single><shuffleanswers>1</shuffleanswers>${FEEDBACK}<answernumbering>abc</answernumbering><showstandardinstruction>0</showstandardinstruction></multichoice>`,
        ),
      ],
    ]),
    entry(505, [
      [
        1,
        question(
          705,
          { name: 'Match', qtype: 'match' },
          `<matchoptions id="1"><shuffleanswers>1</shuffleanswers></matchoptions><matches>
<match id="1"><questiontext>1</questiontext><questiontextformat>1</questiontextformat><answertext>A</answertext></match>
<match id="2"><questiontext>2</questiontext><questiontextformat>1</questiontextformat><answertext>B</answertext></match>
<match id="3"><questiontext>3</questiontext><questiontextformat>1</questiontextformat><answertext>C</answertext></match></matches>`,
        ),
      ],
    ]),
    entry(506, [
      [
        1,
        question(
          706,
          { name: 'Gaps', qtype: 'gapselect' },
          `${answers([821, 'red', '1'], [822, 'blue', '1'])}<selectgap id="1"><shuffleanswers>1</shuffleanswers>${FEEDBACK}</selectgap>`,
        ),
      ],
    ]),
    entry(507, [
      [
        1,
        question(
          707,
          { name: 'Num', qtype: 'numerical' },
          `${answers([831, '3.14', '1.0000000'])}<numerical_units></numerical_units>
<numerical_options><numerical_option id="2"><showunits>3</showunits><unitsleft>0</unitsleft><unitgradingtype>0</unitgradingtype><unitpenalty>0.1000000</unitpenalty></numerical_option></numerical_options>
<numerical_records><numerical_record id="1"><answer>831</answer><tolerance>0.01</tolerance></numerical_record></numerical_records>`,
        ),
      ],
    ]),
    entry(508, [[1, question(708, { name: 'Essay', qtype: 'essay' })]]),
    entry(509, [
      [
        1,
        question(
          709,
          { name: 'TF v1', qtype: 'truefalse' },
          `${answers([841, 'True', '1'], [842, 'False', '0'])}<truefalse id="1"><trueanswer>841</trueanswer><falseanswer>842</falseanswer><showstandardinstruction>0</showstandardinstruction></truefalse>`,
        ),
      ],
      [
        2,
        question(
          710,
          { name: 'TF v2', qtype: 'truefalse' },
          `${answers([843, 'True', '0'], [844, 'False', '1'])}<truefalse id="2"><trueanswer>843</trueanswer><falseanswer>844</falseanswer><showstandardinstruction>0</showstandardinstruction></truefalse>`,
        ),
      ],
    ]),
    entry(510, [
      [
        1,
        question(
          711,
          { name: 'Stack one', qtype: 'stack' },
          '<stackoptions id="1"><questionvariables>a:1;</questionvariables></stackoptions>',
        ),
      ],
    ]),
    entry(511, [
      [
        1,
        question(
          712,
          { name: 'Stack two', qtype: 'stack' },
          '<stackoptions id="2"><questionvariables>b:2;</questionvariables></stackoptions>',
        ),
      ],
    ]),
    entry(512, [[1, question(713, { name: 'Random', qtype: 'random' })]]),
    entry(513, [
      [
        1,
        question(
          714,
          { name: 'Drag', qtype: 'ddwtos' },
          `${answers([851, 'x', '1'])}<ddwtos id="1"><shuffleanswers>1</shuffleanswers>${FEEDBACK}</ddwtos>`,
        ),
      ],
    ]),
    entry(514, [
      [
        1,
        question(
          715,
          { name: 'Early child', qtype: 'shortanswer', parent: 716 },
          `${answers([861, 'dog', '1'])}<shortanswer id="2"><usecase>0</usecase></shortanswer>`,
        ),
      ],
    ]),
    entry(515, [
      [
        1,
        question(
          716,
          { name: 'Late parent', qtype: 'multianswer' },
          `<answers></answers><multianswer id="2"><question>716</question><sequence>715</sequence></multianswer>`,
        ),
      ],
    ]),
    entry(516, [[1, question(717, { name: 'Described', qtype: 'description' })]]),
    entry(517, [
      [
        1,
        question(
          718,
          { name: 'Short', qtype: 'shortanswer' },
          `${answers([871, 'owl', '1'])}<shortanswer id="3"><usecase>1</usecase></shortanswer>`,
        ),
      ],
    ]),
  ].join(''),
  'cat-a',
)}
${category(2001, 'top', 1, 10, 0, '')}
${category(2002, 'System cat', 1, 10, 2001, entry(520, [[1, question(720, { name: 'System TF', qtype: 'truefalse', stamp: 'crafted-system-q' }, `${answers([881, 'True', '1'], [882, 'False', '0'])}<truefalse id="3"><trueanswer>881</trueanswer><falseanswer>882</falseanswer><showstandardinstruction>0</showstandardinstruction></truefalse>`)]]))}
${category(3000, 'Unreferenced', 724, 50, 1118, entry(530, [[1, question(730, { name: 'Unreferenced', qtype: 'description' })]]))}
</question_categories>
`;
