/**
 * mod_lesson: `activities/lesson_<cmid>/lesson.xml` → rows.
 *
 * Follows `mod/lesson/backup/moodle2/restore_lesson_stepslib.php` (read from a Moodle 4.2.3 copy, build
 * 20231009 like 4.3.0). Pages, answers and overrides are not user data. No backup in `../shared/fixtures`
 * has a lesson.
 */
import { NO_TABLE } from './common.ts';
import type { ModuleSpec } from './types.ts';

const PAGE = '/activity/lesson/pages/page';
const ANSWER = `${PAGE}/answers/answer`;

export const lessonModule: ModuleSpec = {
  name: 'lesson',
  component: 'mod_lesson',
  records: [
    {
      path: '/activity/lesson',
      table: 'lesson',
      itemname: 'lesson',
      userinfo: false,
      course: ['course'],
      dates: ['available', 'deadline', 'timemodified'],
      drop: ['showhighscores', 'highscores', 'timed', 'maxtime'],
      files: [
        { component: 'mod_lesson', filearea: 'intro', itemname: null },
        { component: 'mod_lesson', filearea: 'mediafile', itemname: null },
      ],
      notes:
        'Missing completionendreached/completiontimespent → 0; missing intro → "" (FORMAT_HTML); missing ' +
        'timelimit → 60 * maxtime when timed, else 0. after_execute() replays two upgrade steps: answers of ' +
        'pages with qtype 1, 8 or 20 whose answerformat is not FORMAT_MOODLE get their tags stripped and ' +
        'answerformat FORMAT_MOODLE; lesson_branch rows whose page does not exist are deleted.',
    },
    {
      path: PAGE,
      table: 'lesson_pages',
      dates: ['timemodified', 'timecreated'],
      itemname: 'lesson_page',
      userinfo: false,
      parent: { lessonid: 'lesson' },
      refs: {
        prevpageid: { itemname: 'lesson_page', deferred: true },
        nextpageid: { itemname: 'lesson_page', deferred: true },
      },
      files: [{ component: 'mod_lesson', filearea: 'page_contents', itemname: 'lesson_page' }],
      notes:
        'prevpageid/nextpageid are remapped in after_execute() once all pages exist (empty stays 0, unmapped → 0).',
    },
    {
      path: ANSWER,
      table: 'lesson_answers',
      dates: ['timemodified', 'timecreated'],
      itemname: 'lesson_answer',
      userinfo: false,
      parent: { lessonid: 'lesson', pageid: 'lesson_page' },
      refs: { jumpto: { itemname: 'lesson_page', deferred: true } },
      drop: ['answer_text'],
      files: [
        { component: 'mod_lesson', filearea: 'page_answers', itemname: 'lesson_answer' },
        { component: 'mod_lesson', filearea: 'page_responses', itemname: 'lesson_answer' },
      ],
      notes:
        'answer := XML answer_text. Answers are collected and inserted in after_execute() sorted by old id; ' +
        'meanwhile `lesson_answer` maps old id → 0 so attempts can find their old answer id. jumpto is remapped ' +
        'only when > 0 (negative values are jump constants such as LESSON_NEXTPAGE and are kept; unmapped → 0).',
    },
    {
      path: `${ANSWER}/attempts/attempt`,
      table: 'lesson_attempts',
      dates: ['timeseen'],
      itemname: 'lesson_attempt',
      userinfo: true,
      parent: { lessonid: 'lesson', pageid: 'lesson_page', answerid: 'lesson_answer' },
      refs: { userid: { itemname: 'user' } },
      files: [
        { component: 'mod_lesson', filearea: 'essay_responses', itemname: 'lesson_attempt' },
        { component: 'mod_lesson', filearea: 'essay_answers', itemname: 'lesson_attempt' },
      ],
      notes:
        'Moodle inserts the attempt with the OLD answer id (get_old_parentid) and rewrites answerid to the new ' +
        'one when the answers are inserted in after_execute(); the result is the new id of the enclosing answer.',
    },
    {
      path: '/activity/lesson/grades/grade',
      table: 'lesson_grades',
      dates: ['completed'],
      itemname: 'lesson_grade',
      userinfo: true,
      parent: { lessonid: 'lesson' },
      refs: { userid: { itemname: 'user' } },
    },
    {
      path: `${PAGE}/branches/branch`,
      table: 'lesson_branch',
      dates: ['timeseen'],
      userinfo: true,
      parent: { lessonid: 'lesson', pageid: 'lesson_page' },
      refs: { userid: { itemname: 'user' }, nextpageid: { itemname: 'lesson_page', deferred: true } },
      notes: 'nextpageid is remapped in after_execute() only when > 0 (unmapped → 0).',
    },
    {
      path: '/activity/lesson/highscores/highscore',
      table: NO_TABLE,
      userinfo: true,
      notes: 'Ignored: process_lesson_highscore() does nothing (high scores removed in Moodle 3.0, MDL-49581).',
    },
    {
      path: '/activity/lesson/timers/timer',
      table: 'lesson_timer',
      dates: ['starttime', 'lessontime'],
      userinfo: true,
      parent: { lessonid: 'lesson' },
      refs: { userid: { itemname: 'user' } },
      notes: 'Missing completed → 0.',
    },
    {
      path: '/activity/lesson/overrides/override',
      table: 'lesson_overrides',
      itemname: 'lesson_override',
      userinfo: false,
      parent: { lessonid: 'lesson' },
      refs: { userid: { itemname: 'user', unmapped: 'skip' }, groupid: { itemname: 'group', unmapped: 'skip' } },
      dates: ['available', 'deadline'],
      notes:
        'User overrides are skipped without userinfo. NULL userid/groupid stay NULL; the override is skipped ' +
        'when both are empty after mapping.',
    },
  ],
  sources: ['mod/lesson/backup/moodle2/restore_lesson_stepslib.php'],
};
