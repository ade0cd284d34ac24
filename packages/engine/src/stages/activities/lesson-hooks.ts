/**
 * mod_lesson behaviour beyond the spec (`mod/lesson/backup/moodle2/restore_lesson_stepslib.php`):
 * - `process_lesson()`: fields missing from old backups: `completionendreached` and `completiontimespent` 0,
 *   `intro` '' (FORMAT_HTML), `timelimit` from `timed`/`maxtime` (60 × maxtime when timed, else 0).
 * - `after_execute()` replays upgrade step 2015030301: answers of short-answer (1), numerical (8) and content
 *   (branch table, 20) pages whose format is not FORMAT_MOODLE lose their tags (`strip_tags()`) and become
 *   FORMAT_MOODLE; then `dependency` (a lesson) and `activitylink` (a course module) are remapped, the old id
 *   kept when unmapped, and set to 0 unless they name a lesson / course module of the restored course (only
 *   activities restored before this one are mapped at that point, as in Moodle).
 * Page links, answer jumps and branch pages are the spec's deferred references.
 */
import { num } from '../support.ts';
import type { ModuleHooks } from './module-run.ts';

const FORMAT_MOODLE = 0;
const FORMAT_HTML = 1;
const PLAIN_TEXT_QTYPES = new Set([1, 8, 20]);

export const lessonHooks: ModuleHooks = {
  paths: {
    '/activity/lesson': {
      prepare({ record, row }) {
        const data = record.data;
        if (data.completionendreached === undefined) row.completionendreached = 0;
        if (data.completiontimespent === undefined) row.completiontimespent = 0;
        if (data.intro === undefined) {
          row.intro = '';
          row.introformat = FORMAT_HTML;
        }
        if (data.timelimit === undefined) {
          const timed =
            data.timed !== undefined &&
            data.timed !== null &&
            data.maxtime !== undefined &&
            data.maxtime !== null &&
            num(data.timed) !== 0;
          row.timelimit = timed ? 60 * num(data.maxtime) : 0;
        }
      },
    },
  },
  async finish(run) {
    const { ctx } = run;
    const lessonid = run.instanceId;
    if (lessonid === undefined) return;
    const qtypes = new Map(
      (await ctx.rows.select('lesson_pages', { lessonid })).map((p) => [Number(p.id), num(p.qtype)]),
    );
    for (const answer of await ctx.rows.select('lesson_answers', { lessonid })) {
      if (num(answer.answerformat) === FORMAT_MOODLE || !PLAIN_TEXT_QTYPES.has(qtypes.get(Number(answer.pageid)) ?? -1))
        continue;
      const text = typeof answer.answer === 'string' ? stripTags(answer.answer) : answer.answer;
      await ctx.rows.update('lesson_answers', Number(answer.id), { answer: text, answerformat: FORMAT_MOODLE });
    }
    const [lesson] = await ctx.rows.select('lesson', { id: lessonid });
    if (!lesson) return;
    const changes: Record<string, unknown> = {};
    const dependency = num(lesson.dependency);
    if (dependency) {
      const id = ctx.ids.get('lesson', dependency) ?? dependency;
      const exists = (await ctx.rows.select('lesson', { id, course: ctx.state.courseId })).length > 0;
      changes.dependency = exists ? id : 0;
    }
    const activitylink = num(lesson.activitylink);
    if (activitylink) {
      const id = ctx.ids.get('course_module', activitylink) ?? activitylink;
      const exists = (await ctx.rows.select('course_modules', { id, course: ctx.state.courseId })).length > 0;
      changes.activitylink = exists ? id : 0;
    }
    if (Object.keys(changes).length > 0) await ctx.rows.update('lesson', lessonid, changes);
  },
};

/** PHP's `strip_tags()` without allowed tags: tags, comments and PHP blocks removed. */
export function stripTags(html: string): string {
  return html.replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/?[a-zA-Z!][^>]*>?/g, '');
}
