/**
 * The restore pipeline's stages in Moodle's order (`../shared/docs/moodle-backup-format.md` §5.13):
 * root task (inforefs and files, roles, users, groups, scales and outcomes, question bank), course task
 * (course, enrolments, group members), sections and their activities, blocks, then the final task
 * (role assignments, filters, comments, calendar, gradebook, grade history, completion, logs, files).
 * Moodle runs some of these per context (each activity's roles.xml inside that activity's task); here
 * each concern is one stage over all contexts, run after every context it needs exists.
 */
import type { StageDefinition } from '../pipeline/define-stage.ts';
import { prepareStage } from './prepare.ts';
import { rolesStage } from './roles.ts';
import { usersStage } from './users.ts';
import { courseStage } from './course.ts';
import { groupsStage } from './groups.ts';
import { scalesStage } from './scales.ts';
import { questionsStage } from './questions.ts';
import { enrolmentsStage } from './enrolments.ts';
import { groupMembersStage } from './group-members.ts';
import { sectionsStage } from './sections.ts';
import { activitiesStage } from './activities.ts';
import { blocksStage } from './blocks.ts';
import { roleAssignmentsStage } from './role-assignments.ts';
import { filtersStage } from './filters.ts';
import { commentsStage } from './comments.ts';
import { calendarStage } from './calendar.ts';
import { gradebookStage } from './gradebook.ts';
import { gradeHistoryStage } from './grade-history.ts';
import { completionStage } from './completion.ts';
import { logsStage } from './logs.ts';
import { restoreEventsStage } from './restore-events.ts';
import { filesStage } from './files.ts';
import { decodeLinksStage } from './decode-links.ts';
import { finalizeStage } from './finalize.ts';

/** Every stage, in the order they run. */
export const RESTORE_STAGES: readonly StageDefinition[] = Object.freeze([
  prepareStage,
  rolesStage,
  usersStage,
  courseStage,
  groupsStage,
  scalesStage,
  questionsStage,
  enrolmentsStage,
  groupMembersStage,
  sectionsStage,
  activitiesStage,
  blocksStage,
  roleAssignmentsStage,
  filtersStage,
  commentsStage,
  calendarStage,
  gradebookStage,
  gradeHistoryStage,
  completionStage,
  logsStage,
  restoreEventsStage,
  filesStage,
  decodeLinksStage,
  finalizeStage,
]);
