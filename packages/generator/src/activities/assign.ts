/**
 * `assign.xml` (`mod/assign/backup/moodle2/backup_assign_stepslib.php`): the assignment settings,
 * then per participant one submission (status `submitted`) and one grade by a teacher, with the
 * (empty) submission/feedback subplugin containers Moodle 4.3 writes, the seven plugin configs and
 * empty overrides. The teacher comments on submissions live in the activity's comments.xml.
 */
import { activityOpens, assignGrade, decimal5, gradedTime, graderOf, submissionTime } from '../activity-data.ts';
import type { ActivityInfo } from '../model-types.ts';
import type { RenderContext } from '../render-context.ts';
import type { XmlWriter } from '../xml-writer.ts';
import { openActivity, participant } from './common.ts';

const DAY = 86400;

/** Plugin configs: plugin, subtype, enabled. */
const PLUGIN_CONFIGS: readonly (readonly [string, string, string])[] = [
  ['onlinetext', 'assignsubmission', '0'],
  ['file', 'assignsubmission', '0'],
  ['comments', 'assignsubmission', '1'],
  ['comments', 'assignfeedback', '0'],
  ['editpdf', 'assignfeedback', '0'],
  ['offline', 'assignfeedback', '0'],
  ['file', 'assignfeedback', '0'],
];

/** Renders assign.xml. */
export async function renderAssign(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  const m = ctx.model;
  const opens = activityOpens(m, a);
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `<p>Test assign ${a.ordinal}: write &amp; submit an essay.</p>`,
    introformat: 1,
    alwaysshowdescription: 1,
    submissiondrafts: 1,
    sendnotifications: 0,
    sendlatenotifications: 0,
    sendstudentnotifications: 1,
    duedate: opens + 10 * DAY,
    cutoffdate: 0,
    gradingduedate: opens + 17 * DAY,
    allowsubmissionsfromdate: opens,
    grade: a.gradeItem?.grademax ?? 100,
    timemodified: a.added,
    completionsubmit: 0,
    requiresubmissionstatement: 0,
    teamsubmission: 0,
    requireallteammemberssubmit: 0,
    teamsubmissiongroupingid: 0,
    blindmarking: 0,
    hidegrader: 0,
    revealidentities: 0,
    attemptreopenmethod: 'none',
    maxattempts: -1,
    markingworkflow: 0,
    markingallocation: 0,
    preventsubmissionnotingroup: 0,
    activity: null,
    activityformat: 0,
    timelimit: 0,
    submissionattachments: 0,
  });
  w.empty('userflags').open('submissions');
  for (let k = 0; k < a.participants.length; k++) {
    const time = submissionTime(m, a, k);
    w.open('submission', { id: (a.idBase.submission ?? 0) + k }).leaves({
      userid: participant(m, a, k).id,
      timecreated: time - 600,
      timemodified: time,
      timestarted: null,
      status: 'submitted',
      groupid: 0,
      attemptnumber: 0,
      latest: 1,
    });
    w.empty('subplugin_assignsubmission_file_submission')
      .empty('subplugin_assignsubmission_onlinetext_submission')
      .close();
    await w.maybeFlush();
  }
  w.close().open('grades');
  for (let k = 0; k < a.participants.length; k++) {
    const student = participant(m, a, k);
    const gradeId = (a.idBase.grade ?? 0) + k;
    const time = gradedTime(m, a, k);
    w.open('grade', { id: gradeId }).leaves({
      userid: student.id,
      timecreated: time,
      timemodified: time,
      grader: graderOf(m, a, k).id,
      grade: decimal5(assignGrade(m, a, student.index)),
      attemptnumber: 0,
    });
    w.empty('subplugin_assignfeedback_comments_grade');
    w.open('subplugin_assignfeedback_editpdf_grade').open('feedback_editpdf_files').leaf('gradeid', gradeId).close();
    w.empty('feedback_editpdf_annotations')
      .empty('feedback_editpdf_comments')
      .empty('feedback_editpdf_rotation')
      .close();
    w.empty('subplugin_assignfeedback_file_grade').close();
    await w.maybeFlush();
  }
  w.close().open('plugin_configs');
  PLUGIN_CONFIGS.forEach(([plugin, subtype, value], i) => {
    w.open('plugin_config', { id: (a.idBase.pluginConfig ?? 0) + i })
      .leaves({ plugin, subtype, name: 'enabled', value })
      .close();
  });
  w.close().empty('overrides');
  w.close().close();
}
