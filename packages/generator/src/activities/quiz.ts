/**
 * `quiz.xml` (`mod/quiz/backup/moodle2/backup_quiz_stepslib.php` + `backup_questions_activity_structure_step`):
 * quiz settings, one `question_instance` per slot with its 4.x `question_reference` to a question
 * bank entry, one section, per participant a `quiz_grades` row and one finished attempt whose
 * question usage holds a question_attempt per slot with three steps (todo → complete → graded),
 * exactly as Moodle writes deferred-feedback attempts inside quiz.xml.
 */
import { attemptSumGrades, attemptTimes, decimal5, decimal7, quizGrade, slotResult } from '../activity-data.ts';
import { QUESTION_CONTENT } from '../model-questions.ts';
import { hashInts } from '../prng.ts';
import type { ActivityInfo, CourseModel, QuestionInfo, UserInfo } from '../model-types.ts';
import type { RenderContext } from '../render-context.ts';
import type { XmlWriter } from '../xml-writer.ts';
import { openActivity, participant } from './common.ts';

/** Renders quiz.xml. */
export async function renderQuiz(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  const m = ctx.model;
  const b = a.idBase;
  const slots = a.slots.length;
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `Test quiz ${a.ordinal}`,
    introformat: 0,
    timeopen: 0,
    timeclose: 0,
    timelimit: 0,
    overduehandling: 'autosubmit',
    graceperiod: 86400,
    preferredbehaviour: 'deferredfeedback',
    canredoquestions: 0,
    attempts_number: 0,
    attemptonlast: 0,
    grademethod: 1,
    decimalpoints: 2,
    questiondecimalpoints: -1,
    reviewattempt: 69904,
    reviewcorrectness: 69904,
    reviewmaxmarks: 69904,
    reviewmarks: 69904,
    reviewspecificfeedback: 69904,
    reviewgeneralfeedback: 69904,
    reviewrightanswer: 69904,
    reviewoverallfeedback: 4368,
    questionsperpage: 0,
    navmethod: 'free',
    shuffleanswers: 1,
    sumgrades: decimal5(slots),
    grade: decimal5(a.gradeItem?.grademax ?? 10),
    timecreated: a.added,
    timemodified: a.added,
    password: '',
    subnet: '',
    browsersecurity: '',
    delay1: 0,
    delay2: 0,
    showuserpicture: 0,
    showblocks: 0,
    completionattemptsexhausted: 0,
    completionminattempts: 0,
    allowofflineattempts: 0,
  });
  w.empty('subplugin_quizaccess_seb_quiz').open('question_instances');
  a.slots.forEach((q, s) => {
    const slotId = (b.slot ?? 0) + s;
    w.open('question_instance', { id: slotId }).leaves({
      quizid: a.instanceId,
      slot: s + 1,
      page: 1,
      displaynumber: null,
      requireprevious: 0,
      maxmark: decimal7(1),
    });
    w.open('question_reference', { id: slotId })
      .leaves({
        usingcontextid: a.contextId,
        component: 'mod_quiz',
        questionarea: 'slot',
        questionbankentryid: q.entryId,
        version: null,
      })
      .close()
      .close();
  });
  w.close()
    .open('sections')
    .open('section', { id: b.section ?? 0 })
    .leaves({ firstslot: 1, heading: '', shufflequestions: 0 })
    .close()
    .close();
  w.empty('feedbacks').empty('overrides').open('grades');
  for (let k = 0; k < a.participants.length; k++) {
    const student = participant(m, a, k);
    w.open('grade', { id: (b.grade ?? 0) + k })
      .leaves({
        userid: student.id,
        gradeval: decimal5(quizGrade(m, a, student.index)),
        timemodified: attemptTimes(m, a, k).finish,
      })
      .close();
    await w.maybeFlush();
  }
  w.close().open('attempts');
  for (let k = 0; k < a.participants.length; k++) {
    writeAttempt(w, m, a, k, participant(m, a, k));
    await w.maybeFlush();
  }
  w.close().close().close();
}

// Internal helpers

function writeAttempt(w: XmlWriter, m: CourseModel, a: ActivityInfo, k: number, student: UserInfo): void {
  const b = a.idBase;
  const slots = a.slots.length;
  const { start, finish } = attemptTimes(m, a, k);
  const usageId = (b.usage ?? 0) + k;
  w.open('attempt', { id: (b.attempt ?? 0) + k }).leaves({
    userid: student.id,
    attemptnum: 1,
    uniqueid: usageId,
    layout: `${a.slots.map((_, s) => s + 1).join(',')},0`,
    currentpage: 0,
    preview: 0,
    state: 'finished',
    timestart: start,
    timefinish: finish,
    timemodified: finish,
    timemodifiedoffline: 0,
    timecheckstate: null,
    sumgrades: decimal5(attemptSumGrades(m, a, student.index)),
    gradednotificationsenttime: finish,
  });
  w.open('question_usage', { id: usageId })
    .leaves({ component: 'mod_quiz', preferredbehaviour: 'deferredfeedback' })
    .open('question_attempts');
  a.slots.forEach((q, s) => {
    const n = k * slots + s;
    const result = slotResult(m, a, student.index, s);
    const order = q.qtype === 'multichoice' ? answerOrder(m, a, q, student.index) : [];
    const content = QUESTION_CONTENT[q.qtype];
    const summary =
      q.qtype === 'multichoice'
        ? `${content.text}: ${order.map((id) => content.answers[id - q.firstAnswerId]?.[0]).join('; ')}`
        : content.text;
    let response = result.response;
    if (q.qtype === 'multichoice')
      response = String(result.fraction === 1 ? order.indexOf(q.firstAnswerId) : order.indexOf(q.firstAnswerId + 1));
    w.open('question_attempt', { id: (b.questionAttempt ?? 0) + n }).leaves({
      slot: s + 1,
      behaviour: 'deferredfeedback',
      questionid: q.id,
      variant: 1,
      maxmark: decimal7(1),
      minfraction: decimal7(0),
      maxfraction: decimal7(1),
      flagged: 0,
      questionsummary: summary,
      rightanswer: content.answers[0]?.[0] ?? '',
      responsesummary: result.summary,
      timemodified: finish,
    });
    w.open('steps');
    const graded = result.fraction === 1 ? 'gradedright' : result.fraction === 0 ? 'gradedwrong' : 'gradedpartial';
    const steps: [string, string | null, number, [string, string][]][] = [
      ['todo', null, start, q.qtype === 'multichoice' ? [['_order', order.join(',')]] : []],
      ['complete', null, start + 60 * (s + 1), [['answer', response]]],
      [graded, decimal7(result.fraction), finish, [['-finish', '1']]],
    ];
    steps.forEach(([state, fraction, time, vars], j) => {
      w.open('step', { id: (b.step ?? 0) + n * 3 + j }).leaves({
        sequencenumber: j,
        state,
        fraction,
        timecreated: time,
        userid: student.id,
      });
      w.open('response');
      for (const [name, value] of vars) w.open('variable').leaves({ name, value }).close();
      w.close().close();
    });
    w.close().close();
  });
  w.close().close().close();
}

/** Shuffled answer ids of a multichoice question for one student (the `_order` step variable). */
function answerOrder(m: CourseModel, a: ActivityInfo, q: QuestionInfo, student: number): number[] {
  const ids = Array.from({ length: 4 }, (_, i) => q.firstAnswerId + i);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(hashInts(m.seed, a.cmid * 8 + i, q.id, student) * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  return ids;
}
