/**
 * mod_quiz: `activities/quiz_<cmid>/quiz.xml` → rows.
 *
 * Follows `mod/quiz/backup/moodle2/restore_quiz_stepslib.php` (read from a Moodle 4.5.6 copy: 4.3 added
 * quiz_grade_items and reviewmaxmarks, 4.0 question references), the question parts of
 * `backup/moodle2/restore_stepslib.php` (`restore_questions_activity_structure_step`,
 * `restore_question_reference_data_trait`, `restore_question_set_reference_data_trait`, same copy) and
 * `mod/quiz/accessrule/seb/backup/moodle2/restore_quizaccess_seb_subplugin.class.php`. Element names
 * checked against `gen_s_users.mbz` (4.3) and the quiz backups (2.x–5.0) in `../shared/fixtures/mbz`.
 */
import type { ModuleSpec } from './types.ts';

const SLOT = '/activity/quiz/question_instances/question_instance';
const SEB = '/activity/quiz/subplugin_quizaccess_seb_quiz/quizaccess_seb_quizsettings';
const ATTEMPT = '/activity/quiz/attempts/attempt';
const USAGE = `${ATTEMPT}/question_usage`;
const QA = `${USAGE}/question_attempts/question_attempt`;
const STEP = `${QA}/steps/step`;

export const quizModule: ModuleSpec = {
  name: 'quiz',
  component: 'mod_quiz',
  records: [
    {
      path: '/activity/quiz',
      table: 'quiz',
      itemname: 'quiz',
      userinfo: false,
      course: ['course'],
      dates: ['timeopen', 'timeclose'],
      drop: [
        'questions',
        'attempts_number',
        'optionflags',
        'penaltyscheme',
        'review',
        'popup',
        'shufflequestions',
        'completionpass',
      ],
      files: [{ component: 'mod_quiz', filearea: 'intro', itemname: null }],
      notes:
        'process_quiz() upgrades old backups: attempts_number → attempts; no preferredbehaviour → from ' +
        'optionflags/penaltyscheme (deferredfeedback / adaptivenopenalty / adaptive); 2.0 `review` bit field → the ' +
        'seven review* columns; missing reviewmaxmarks → DURING|IMMEDIATELY_AFTER|LATER_WHILE_OPEN|AFTER_CLOSE; no ' +
        'browsersecurity → from popup (0 "-", 1 "securewindow", 2 "-" plus a SEB row); browsersecurity ' +
        '"safebrowser" → "-" plus a default quizaccess_seb_quizsettings row (requiresafeexambrowser = ' +
        'USE_SEB_CLIENT_CONFIG, cmid = new cmid); missing overduehandling → site config quiz/overduehandling. ' +
        'Pre-4.0 completionpass non-empty → course_modules.completionpassgrade of the new cm. A non-empty legacy ' +
        'shufflequestions is remembered for the default section. The legacy `questions` layout is kept in memory ' +
        'for old slots/attempts. after_execute(): if no quiz_sections row was restored, insert {quizid, ' +
        'firstslot 1, heading "", shufflequestions = legacy value}. after_restore(): old random questions ' +
        'converted to set references are deleted (question_delete_question()).',
    },
    {
      path: SEB,
      table: 'quizaccess_seb_quizsettings',
      userinfo: false,
      parent: { quizid: 'quiz' },
      files: [{ component: 'quizaccess_seb', filearea: 'filemanager_sebconfigfile', itemname: null }],
      notes:
        'cmid := new cmid; timecreated = timemodified = now; usermodified := restoring user. A template ' +
        'requirement (USE_SEB_TEMPLATE) whose templateid is not an enabled template on the target → templateid 0, ' +
        'requiresafeexambrowser USE_SEB_NO.',
    },
    {
      path: `${SEB}/quizaccess_seb_template`,
      table: 'quizaccess_seb_template',
      userinfo: false,
      notes:
        'Not a plain insert: same site → the template with the same id; other site → an existing template with ' +
        'the same name and content; else a new template is saved. If that template is enabled, ' +
        'quizaccess_seb_quizsettings.templateid of this quiz is set to it.',
    },
    {
      path: '/activity/quiz/quiz_grade_items/quiz_grade_item',
      table: 'quiz_grade_items',
      itemname: 'quiz_grade_item',
      userinfo: false,
      parent: { quizid: 'quiz' },
      notes: 'Moodle 4.3+.',
    },
    {
      path: SLOT,
      table: 'quiz_slots',
      itemname: 'quiz_question_instance',
      userinfo: false,
      parent: { quizid: 'quiz' },
      refs: { quizgradeitemid: { itemname: 'quiz_grade_item' } },
      drop: ['questionid', 'question', 'grade', 'questioncategoryid', 'includingsubcategories', 'tags'],
      notes:
        'Old names: question → questionid, grade → maxmark (MDL-43670). No slot (pre-2.7): slot/page computed ' +
        'from the quiz `questions` layout; an instance whose question is not in the layout is dropped. ' +
        'quizgradeitemid only looked up when present. Backups older than module version 2022020300 (pre-4.0) ' +
        'have no reference elements: process_quiz_question_legacy_instance() looks up the mapped question and ' +
        'inserts question_set_references (random qtype: component mod_quiz, questionarea slot, itemid = new slot, ' +
        'usingcontextid = module context, filtercondition {questioncategoryid, includingsubcategories}, and the ' +
        'old random question is deleted in after_restore) or question_references (questionbankentryid of the ' +
        'question, version null = always latest).',
    },
    {
      path: `${SLOT}/tags/tag`,
      table: 'question_set_references',
      userinfo: false,
      notes:
        'Only for backups older than module version 2021091700 (pre-4.0 random-question slot tags). Not an ' +
        'insert: process_quiz_slot_tags() resolves the tag (same site by tagid, else by tagname) and appends ' +
        '"tagid,tagname" to filtercondition.tags of the question_set_references row whose itemid is the new slot ' +
        '(component mod_quiz, questionarea slot).',
    },
    {
      path: `${SLOT}/question_reference`,
      table: 'question_references',
      userinfo: false,
      parent: { itemid: 'quiz_question_instance' },
      refs: {
        usingcontextid: { itemname: 'context' },
        questionbankentryid: { itemname: 'question_bank_entry', unmapped: 'keep' },
      },
      notes: 'Moodle 4.0+ (restore_question_reference_data_trait::process_question_reference()).',
    },
    {
      path: `${SLOT}/question_set_reference`,
      table: 'question_set_references',
      userinfo: false,
      parent: { itemid: 'quiz_question_instance' },
      refs: {
        usingcontextid: { itemname: 'context' },
        questionscontextid: { itemname: 'context', unmapped: 'keep' },
      },
      notes:
        'Moodle 4.0+ (process_question_set_reference()). filtercondition is JSON: pre-4.3 format (no `filter` key) ' +
        'is converted by question_reference_manager::convert_legacy_set_reference_filter_condition(); ' +
        'filter.category.values[0] := question_category mapping of the old category id (false when unmapped); ' +
        'cat := "<new category id>,<questionscontextid>". Unmapped questionscontextid keeps the old value with a ' +
        'warning.',
    },
    {
      path: '/activity/quiz/sections/section',
      table: 'quiz_sections',
      itemname: 'quiz_section',
      userinfo: false,
      parent: { quizid: 'quiz' },
      notes: 'Marks the quiz as having a section (otherwise after_execute() inserts a default one).',
    },
    {
      path: '/activity/quiz/feedbacks/feedback',
      table: 'quiz_feedback',
      itemname: 'quiz_feedback',
      userinfo: false,
      parent: { quizid: 'quiz' },
      files: [{ component: 'mod_quiz', filearea: 'feedback', itemname: 'quiz_feedback' }],
    },
    {
      path: '/activity/quiz/overrides/override',
      table: 'quiz_overrides',
      itemname: 'quiz_override',
      userinfo: false,
      parent: { quiz: 'quiz' },
      refs: { userid: { itemname: 'user', unmapped: 'skip' }, groupid: { itemname: 'group', unmapped: 'skip' } },
      dates: ['timeopen', 'timeclose'],
      notes:
        'User overrides (userid not null) are skipped without userinfo. NULL userid/groupid stay NULL; the ' +
        'override is skipped when both are empty after mapping (so an unmapped user or group skips it).',
    },
    {
      path: '/activity/quiz/grades/grade',
      table: 'quiz_grades',
      userinfo: true,
      parent: { quiz: 'quiz' },
      refs: { userid: { itemname: 'user' } },
      drop: ['gradeval'],
      notes: 'grade := XML gradeval.',
    },
    {
      path: ATTEMPT,
      table: 'quiz_attempts',
      itemname: 'quiz_attempt',
      userinfo: true,
      parent: { quiz: 'quiz' },
      refs: {
        userid: { itemname: 'user', unmapped: 'skip' },
        uniqueid: { itemname: 'question_usage', deferred: true, unmapped: 'skip' },
      },
      dates: ['timecheckstate'],
      drop: ['attemptnum'],
      notes:
        'attempt := XML attemptnum. An unmapped user skips the attempt and its usage (currentquizattempt = null; ' +
        'the usage rows are still inserted by Moodle but no attempt points at them). Empty timecheckstate → 0; ' +
        'missing gradednotificationsenttime → timefinish; missing state → finished if timefinish > 0 else ' +
        'inprogress. The row is inserted only when its child question_usage has been inserted ' +
        '(inform_new_usage_id()): uniqueid := new usage id. Backups older than module version 2011010100 ' +
        '(Moodle 2.0) use a grouped legacy attempt path with question states/sessions upgraded by ' +
        'process_legacy_quiz_attempt_data(); not declared here.',
    },
    {
      path: USAGE,
      table: 'question_usages',
      itemname: 'question_usage',
      userinfo: true,
      notes:
        'restore_questions_activity_structure_step::restore_question_usage_worker(): contextid := new module ' +
        'context (task contextid). Then the activity links to it (quiz: inserts the pending quiz_attempts row).',
    },
    {
      path: QA,
      table: 'question_attempts',
      itemname: 'question_attempt',
      userinfo: true,
      parent: { questionusageid: 'question_usage' },
      refs: { questionid: { itemname: 'question', unmapped: 'keep' } },
      notes:
        'restore_question_attempt_worker(): questionid := the question mapping (the created or the matched ' +
        'question; Moodle fails on an unmapped one, the engine keeps the old id and warns). Missing variant → 1, ' +
        'missing maxfraction → 1. The new question id and its qtype are remembered to recode step data.',
    },
    {
      path: STEP,
      table: 'question_attempt_steps',
      itemname: 'question_attempt_step',
      userinfo: true,
      parent: { questionattemptid: 'question_attempt' },
      refs: { userid: { itemname: 'user' } },
      drop: ['response'],
      files: [
        { component: 'question', filearea: 'response_attachments', itemname: 'question_attempt_step' },
        { component: 'question', filearea: 'response_answer', itemname: 'question_attempt_step' },
      ],
      notes:
        'Grouped path in Moodle (the step arrives with its response variables). after_execute() restores ' +
        'question/<area> with item question_attempt_step for every question_engine::get_all_response_file_areas() ' +
        '("response_" + each qtype\'s response_file_areas(); in core only essay: attachments, answer).',
    },
    {
      path: `${STEP}/response/variable`,
      table: 'question_attempt_step_data',
      userinfo: true,
      parent: { attemptstepid: 'question_attempt_step' },
      notes:
        'One row {attemptstepid, name, value} per variable, after the qtype restorer recodes the whole response ' +
        '(restore_qtype_<qtype>_plugin::recode_response(newquestionid, sequencenumber, response)): multichoice and ' +
        'calculatedmulti `_order` (question_answer ids), match `_stemorder`/`_choiceorder` ' +
        '(qtype_match_subquestions ids), unmapped ids dropped; multianswer `sub<i>_` variables by the type of the ' +
        'i-th question of its sequence. Other core types keep the response. Part of the grouped step in Moodle.',
    },
  ],
  sources: [
    'mod/quiz/backup/moodle2/restore_quiz_stepslib.php',
    'backup/moodle2/restore_stepslib.php',
    'mod/quiz/accessrule/seb/backup/moodle2/restore_quizaccess_seb_subplugin.class.php',
  ],
};
