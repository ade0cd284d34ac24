/**
 * Writes `questions.xml` (`backup_questions_structure_step`) in the Moodle 4.x layout:
 * `question_category` → `question_bank_entries/question_bank_entry` → `question_version/question_versions`
 * → `questions/question`, each question with its qtype plugin subtree
 * (`plugin_qtype_<qtype>_question`: answers + options record), the qbank comment and custom-field
 * plugin containers, hints and tags — as written by Moodle 4.3 for core truefalse, shortanswer and
 * multichoice questions.
 */
import { decimal7 } from './activity-data.ts';
import { QUESTION_CONTENT } from './model-questions.ts';
import type { QuestionInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders questions.xml and counts categories and questions. */
export async function renderQuestions(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model: m } = ctx;
  ctx.counts.questionCategories = 0;
  ctx.counts.questions = 0;
  w.open('question_categories');
  for (const cat of m.questionCategories) {
    w.open('question_category', { id: cat.id }).leaves({
      name: cat.name,
      contextid: m.course.contextId,
      contextlevel: 50,
      contextinstanceid: m.course.id,
      info: cat.info,
      infoformat: cat.parent === 0 ? 0 : 1,
      stamp: cat.stamp,
      parent: cat.parent,
      sortorder: cat.sortorder,
      idnumber: null,
    });
    ctx.counts.questionCategories++;
    w.open('question_bank_entries');
    for (const q of m.questions) {
      if (q.categoryId !== cat.id) continue;
      w.open('question_bank_entry', { id: q.entryId }).leaves({
        questioncategoryid: cat.id,
        idnumber: null,
        ownerid: m.admin.id,
      });
      w.open('question_version')
        .open('question_versions', { id: q.versionId })
        .leaves({ version: 1, status: 'ready' })
        .open('questions');
      writeQuestion(w, q, m.admin.id, m.time.created + 900);
      ctx.counts.questions++;
      w.close().close().close().close();
      await w.maybeFlush();
    }
    w.close().close();
  }
  w.close();
}

// Internal helpers

function writeQuestion(w: XmlWriter, q: QuestionInfo, adminId: number, time: number): void {
  const content = QUESTION_CONTENT[q.qtype];
  w.open('question', { id: q.id }).leaves({
    parent: 0,
    name: q.name,
    questiontext: `<p>${content.text}</p>`,
    questiontextformat: 1,
    generalfeedback: content.feedback,
    generalfeedbackformat: 1,
    defaultmark: decimal7(1),
    penalty: decimal7(PENALTY[q.qtype]),
    qtype: q.qtype,
    length: 1,
    stamp: q.stamp,
    timecreated: time,
    timemodified: time,
    createdby: adminId,
    modifiedby: adminId,
  });
  w.open(`plugin_qtype_${q.qtype}_question`).open('answers');
  content.answers.forEach(([text, fraction, feedback], i) => {
    w.open('answer', { id: q.firstAnswerId + i })
      .leaves({
        answertext: text,
        answerformat: q.qtype === 'multichoice' ? 1 : 0,
        fraction: decimal7(fraction),
        feedback,
        feedbackformat: 1,
      })
      .close();
  });
  w.close();
  if (q.qtype === 'truefalse') {
    w.open('truefalse', { id: q.optionsId })
      .leaves({ trueanswer: q.firstAnswerId, falseanswer: q.firstAnswerId + 1, showstandardinstruction: 0 })
      .close();
  } else if (q.qtype === 'shortanswer') {
    w.open('shortanswer', { id: q.optionsId }).leaves({ usecase: 0 }).close();
  } else {
    w.open('multichoice', { id: q.optionsId })
      .leaves({
        layout: 0,
        single: 1,
        shuffleanswers: 1,
        correctfeedback: 'Well done!',
        correctfeedbackformat: 1,
        partiallycorrectfeedback: 'Parts, but only parts, of your response are correct.',
        partiallycorrectfeedbackformat: 1,
        incorrectfeedback: 'That is not right at all.',
        incorrectfeedbackformat: 1,
        answernumbering: 'abc',
        shownumcorrect: 1,
        showstandardinstruction: 0,
      })
      .close();
  }
  w.close();
  w.open('plugin_qbank_comment_question').empty('comments').close();
  w.open('plugin_qbank_customfields_question').empty('customfields').close();
  w.open('question_hints');
  if (q.qtype === 'multichoice') {
    for (let h = 0; h < 2; h++) {
      w.open('question_hint', { id: q.firstHintId + h })
        .leaves({ hint: `Hint ${h + 1}.`, hintformat: 1, shownumcorrect: 1, clearwrong: h, options: null })
        .close();
    }
  }
  w.close().empty('tags').close();
}

const PENALTY: Readonly<Record<QuestionInfo['qtype'], number>> = {
  truefalse: 1,
  shortanswer: 0.3333333,
  multichoice: 0.3333333,
};
