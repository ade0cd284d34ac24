/**
 * The list of archive entries of a generated backup, in archive order, each with the function that
 * renders it. Every file of a real Moodle 4.3 course backup with users is here, including the empty
 * ones; directories are entries of their own.
 *
 * Order imitates `gen_s_users.mbz` (a directory walk of Moodle's backup temp dir): `activities/`
 * first, then the root files and folders alphabetically — so `moodle_backup.xml` comes late, after
 * `course/` and `files/` — and `moodle_backup.log` last. Readers must not assume the descriptor is
 * the first entry.
 */
import {
  activityDirectory,
  activityInforef,
  renderActivityComments,
  renderActivityCompletion,
  renderModule,
} from './activities/common.ts';
import { renderAssign } from './activities/assign.ts';
import { renderForum } from './activities/forum.ts';
import { renderQuiz } from './activities/quiz.ts';
import { renderLabel, renderPage, renderResource, renderUrl } from './activities/simple-modules.ts';
import { blockDirectory, renderBlock } from './block-xml.ts';
import { blobPath } from './blobs.ts';
import { renderCourse, renderSection } from './course-xml.ts';
import { emptyRender } from './empty-xml.ts';
import { renderEnrolments } from './enrolments-xml.ts';
import { renderFiles } from './files-xml.ts';
import {
  renderActivityGradeHistory,
  renderActivityGrades,
  renderCourseGradeHistory,
  renderGradebook,
} from './gradebook-xml.ts';
import { renderGroups } from './groups-xml.ts';
import { renderInforef } from './inforef-xml.ts';
import { logstoresPath, type LogPlan } from './log-plan.ts';
import { renderLogstores } from './logstores-xml.ts';
import {
  ROLE_EDITINGTEACHER,
  ROLE_STUDENT,
  type ActivityInfo,
  type BlobInfo,
  type CourseModel,
  type ModName,
} from './model-types.ts';
import { renderMoodleBackup } from './moodle-backup-xml.ts';
import { renderQuestions } from './questions-xml.ts';
import type { RenderContext, XmlRender } from './render-context.ts';
import { renderCourseRoles, renderRoleDefinitions } from './roles-xml.ts';
import { renderUsers } from './users-xml.ts';
import type { XmlWriter } from './xml-writer.ts';

/** One archive entry and how to produce it. */
export type BackupEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'xml'; readonly path: string; readonly render: XmlRender }
  | { readonly kind: 'blob'; readonly path: string; readonly blob: BlobInfo }
  | { readonly kind: 'text'; readonly path: string; readonly text: string };

type ModRender = (w: XmlWriter, ctx: RenderContext, a: ActivityInfo) => void | Promise<void>;
const MOD_RENDER: Readonly<Record<ModName, ModRender>> = {
  assign: renderAssign,
  forum: renderForum,
  quiz: renderQuiz,
  page: renderPage,
  resource: renderResource,
  label: renderLabel,
  url: renderUrl,
};

/** All entries of the backup of `model`, in archive order. */
export function listBackupEntries(model: CourseModel, logs: LogPlan): BackupEntry[] {
  const out: BackupEntry[] = [];
  const dir = (path: string): void => void out.push({ kind: 'dir', path });
  const xml = (path: string, render: XmlRender): void => void out.push({ kind: 'xml', path, render });

  dir('activities/');
  for (const a of model.activities) {
    const base = activityDirectory(a);
    dir(`${base}/`);
    xml(`${base}/module.xml`, (w) => renderModule(w, a));
    xml(`${base}/${a.modname}.xml`, (w, ctx) => MOD_RENDER[a.modname](w, ctx, a));
    xml(`${base}/inforef.xml`, (w, ctx) => renderInforef(w, activityInforef(ctx.model, a)));
    xml(`${base}/grades.xml`, (w, ctx) => renderActivityGrades(w, ctx, a));
    xml(`${base}/grade_history.xml`, (w, ctx) => renderActivityGradeHistory(w, ctx, a));
    xml(`${base}/roles.xml`, emptyRender('roles'));
    xml(`${base}/filters.xml`, emptyRender('filters'));
    xml(`${base}/comments.xml`, (w, ctx) => renderActivityComments(w, ctx, a));
    xml(`${base}/calendar.xml`, emptyRender('calendar'));
    xml(`${base}/completion.xml`, (w, ctx) => renderActivityCompletion(w, ctx, a));
    xml(`${base}/logs.xml`, emptyRender('logs'));
    xml(`${base}/logstores.xml`, logstoresRender(logs, a));
    xml(`${base}/competencies.xml`, emptyRender('moduleCompetencies'));
    xml(`${base}/xapistate.xml`, emptyRender('xapistate'));
    if (a.modname === 'assign' || a.modname === 'forum') xml(`${base}/grading.xml`, emptyRender('grading'));
  }
  xml('badges.xml', emptyRender('badges'));
  xml('completion.xml', emptyRender('courseCompletion'));

  dir('course/');
  xml('course/course.xml', renderCourse);
  xml('course/inforef.xml', (w, ctx) => renderInforef(w, courseInforef(ctx.model)));
  xml('course/enrolments.xml', renderEnrolments);
  xml('course/roles.xml', renderCourseRoles);
  xml('course/filters.xml', emptyRender('filters'));
  xml('course/comments.xml', emptyRender('comments'));
  xml('course/calendar.xml', emptyRender('calendar'));
  xml('course/logs.xml', emptyRender('logs'));
  xml('course/logstores.xml', logstoresRender(logs, undefined));
  xml('course/competencies.xml', emptyRender('courseCompetencies'));
  xml('course/completiondefaults.xml', emptyRender('completionDefaults'));
  xml('course/contentbank.xml', emptyRender('contentbank'));
  xml('course/loglastaccess.xml', emptyRender('lastAccess'));
  dir('course/blocks/');
  for (const block of model.blocks) {
    const base = blockDirectory(block);
    dir(`${base}/`);
    xml(`${base}/block.xml`, (w, ctx) => renderBlock(w, ctx, block));
    xml(`${base}/inforef.xml`, emptyRender('inforef'));
    xml(`${base}/roles.xml`, emptyRender('roles'));
    xml(`${base}/comments.xml`, emptyRender('comments'));
  }

  dir('files/');
  const blobs = [...model.blobs].sort((x, y) => (x.sha1 < y.sha1 ? -1 : x.sha1 > y.sha1 ? 1 : 0));
  let prefix = '';
  for (const blob of blobs) {
    if (blob.sha1.slice(0, 2) !== prefix) {
      prefix = blob.sha1.slice(0, 2);
      dir(`files/${prefix}/`);
    }
    out.push({ kind: 'blob', path: blobPath(blob.sha1), blob });
  }
  xml('files.xml', renderFiles);
  xml('grade_history.xml', renderCourseGradeHistory);
  xml('gradebook.xml', renderGradebook);
  xml('groups.xml', renderGroups);
  xml('moodle_backup.xml', renderMoodleBackup);
  xml('outcomes.xml', emptyRender('outcomes'));
  xml('questions.xml', renderQuestions);
  xml('roles.xml', (w) => renderRoleDefinitions(w));
  xml('scales.xml', emptyRender('scales'));
  dir('sections/');
  for (const section of model.sections) {
    dir(`sections/section_${section.id}/`);
    xml(`sections/section_${section.id}/section.xml`, (w, ctx) => renderSection(w, ctx, section));
    xml(`sections/section_${section.id}/inforef.xml`, emptyRender('inforef'));
  }
  xml('users.xml', renderUsers);
  out.push({ kind: 'text', path: 'moodle_backup.log', text: '' });
  return out;
}

// Internal helpers

function logstoresRender(logs: LogPlan, activity: ActivityInfo | undefined): XmlRender {
  const plan = logs.byPath.get(logstoresPath(activity));
  if (plan === undefined) throw new Error(`no log plan for ${logstoresPath(activity)}`);
  return (w, ctx) => renderLogstores(w, ctx, plan);
}

/** Course inforef: every enrolled user, the groupings, groups, roles and question categories. */
function courseInforef(model: CourseModel): Parameters<typeof renderInforef>[1] {
  return {
    user: model.enrols.flatMap((e) => e.members.map((m) => m.user.id)),
    grouping: model.groupings.map((g) => g.id),
    group: model.groups.map((g) => g.id),
    role: [ROLE_EDITINGTEACHER, ROLE_STUDENT],
    question_category: model.questionCategories.map((c) => c.id),
  };
}
