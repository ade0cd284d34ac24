/**
 * mod_assign: `activities/assign_<cmid>/assign.xml` → rows.
 *
 * Follows `mod/assign/backup/moodle2/restore_assign_stepslib.php` (4.x: `markinganonymous`,
 * `activityattachment`; read at moodle/moodle 571d3d88 and compared with a 5.x copy, whose extra
 * `allocatedmarkers`/`marks` paths are included below), `restore_assign_activity_task.class.php` (no
 * `after_restore()`; comment area `submission_comments` maps through item `submission`), and the
 * subplugins' `backup/moodle2/restore_<subplugin>_subplugin.class.php` of assignsubmission_onlinetext,
 * assignsubmission_file, assignfeedback_comments and assignfeedback_file. Element names checked against
 * `gen_s_users.mbz` (Moodle 4.3) in `../shared/fixtures/generated`.
 *
 * Subplugin paths are `<connection point>/subplugin_<type>_<name>_<basename of connection point>/…`
 * (`restore_subplugin::get_pathfor()`). assignfeedback_editpdf (annotations, comments, rotation; rows keyed
 * by grade id, no `id` attributes) is not declared here.
 */
import type { ModuleSpec } from './types.ts';

const SUB = '/activity/assign/submissions/submission';
const GRADE = '/activity/assign/grades/grade';

export const assignModule: ModuleSpec = {
  name: 'assign',
  component: 'mod_assign',
  records: [
    {
      path: '/activity/assign',
      table: 'assign',
      itemname: 'assign',
      userinfo: false,
      course: ['course'],
      refs: { teamsubmissiongroupingid: { itemname: 'grouping' } },
      dates: ['allowsubmissionsfromdate', 'duedate', 'cutoffdate', 'gradingduedate'],
      drop: ['preventlatesubmissions'],
      files: [
        { component: 'mod_assign', filearea: 'intro', itemname: null },
        { component: 'mod_assign', filearea: 'introattachment', itemname: null },
        { component: 'mod_assign', filearea: 'activityattachment', itemname: null },
      ],
      notes:
        'process_assign(): grade < 0 is a scale: grade := -(scale mapping of |grade|). Legacy ' +
        'preventlatesubmissions non-empty → cutoffdate := (shifted) duedate, else cutoffdate is shifted. Missing ' +
        'cutoffdate/gradingduedate/markingworkflow/markingallocation/markinganonymous/preventsubmissionnotingroup ' +
        '→ 0 (gradepenalty → 0, markercount → 1 in 5.x). Without userinfo and with blindmarking: revealidentities := 0. ' +
        'If teamsubmission and the restore has no groups setting, every submission of this assignment is skipped ' +
        '(includesubmission = false). after_execute() also restores every assignsubmission_*/assignfeedback_* ' +
        'plugin config file area (add_plugin_config_files(), itemname null; no core plugin declares one) and then ' +
        'runs set_latest_submission_field(): inserts a NEW-status submission (groupid 0, latest 0, times = now) for ' +
        'each grade without a submission of the same user, then sets latest = 1 on the highest attemptnumber per ' +
        'user (groupid 0) and per group (userid 0).',
    },
    {
      path: SUB,
      table: 'assign_submission',
      itemname: 'submission',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: {
        userid: { itemname: 'user' },
        groupid: { itemname: 'group', unmapped: 'skip' },
      },
      notes:
        'userid is only looked up when > 0 (0 = team submission). An unmapped non-zero groupid skips the ' +
        'submission ("restoring can violate the unique index"). latest := 0, fixed by set_latest_submission_field() ' +
        'in after_execute(). The mapping is registered with parentitemid = old module context so subplugin file ' +
        'areas can be joined on it. Also skipped entirely when includesubmission is false (see the instance).',
    },
    {
      path: `${SUB}/subplugin_assignsubmission_onlinetext_submission/submission_onlinetext`,
      table: 'assignsubmission_onlinetext',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { submission: { itemname: 'submission' } },
      files: [{ component: 'assignsubmission_onlinetext', filearea: 'submissions_onlinetext', itemname: 'submission' }],
      notes: 'Files are restored per row: add_related_files(…, "submission", null, old submission id).',
    },
    {
      path: `${SUB}/subplugin_assignsubmission_file_submission/submission_file`,
      table: 'assignsubmission_file',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { submission: { itemname: 'submission' } },
      files: [{ component: 'assignsubmission_file', filearea: 'submission_files', itemname: 'submission' }],
      notes: 'Files are restored per row: add_related_files(…, "submission", null, old submission id).',
    },
    {
      path: GRADE,
      table: 'assign_grades',
      itemname: 'grade',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { userid: { itemname: 'user' }, grader: { itemname: 'user' } },
      drop: ['extensionduedate', 'mailed', 'locked'],
      notes:
        'Legacy (pre user-flags) backups: when extensionduedate, mailed or locked is non-empty, an extra ' +
        'assign_user_flags row {assignment, userid (mapped), extensionduedate (shifted), mailed, locked} is ' +
        'inserted. grade < 0 and != -1 (ASSIGN_GRADE_NOT_SET) → -1. Besides `grade` (registered with ' +
        'parentitemid = old module context for feedback file areas) Moodle also registers ' +
        'restore_gradingform_plugin::itemid_mapping("submissions") = "grading_item_submissions" old → new, used ' +
        'by the advanced-grading instances in grading.xml. forum_grades registers the same item name `grade`.',
    },
    {
      path: `${GRADE}/subplugin_assignfeedback_comments_grade/feedback_comments`,
      table: 'assignfeedback_comments',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { grade: { itemname: 'grade' } },
      files: [{ component: 'assignfeedback_comments', filearea: 'feedback', itemname: 'grade' }],
      notes: 'Files are restored per row: add_related_files(…, "grade", null, old grade id).',
    },
    {
      path: `${GRADE}/subplugin_assignfeedback_file_grade/feedback_file`,
      table: 'assignfeedback_file',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { grade: { itemname: 'grade' } },
      files: [{ component: 'assignfeedback_file', filearea: 'feedback_files', itemname: 'grade' }],
      notes: 'Files are restored per row: add_related_files(…, "grade", null, old grade id).',
    },
    {
      path: '/activity/assign/userflags/userflag',
      table: 'assign_user_flags',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { userid: { itemname: 'user' }, allocatedmarker: { itemname: 'user' } },
      dates: ['extensionduedate'],
      notes: 'Empty extensionduedate → 0. allocatedmarker only looked up when non-empty (column removed in 5.x).',
    },
    {
      path: '/activity/assign/allocatedmarkers/allocatedmarker',
      table: 'assign_allocated_marker',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { student: { itemname: 'user' }, marker: { itemname: 'user' } },
      notes: 'Moodle 5.x only (multiple markers); absent from 4.3 backups.',
    },
    {
      path: '/activity/assign/marks/mark',
      table: 'assign_mark',
      userinfo: true,
      parent: { assignment: 'assign' },
      refs: { marker: { itemname: 'user' } },
      notes: 'Moodle 5.x only (multiple markers); absent from 4.3 backups. gradeid/userid are not remapped by Moodle.',
    },
    {
      path: '/activity/assign/overrides/override',
      table: 'assign_overrides',
      itemname: 'assign_override',
      userinfo: false,
      parent: { assignid: 'assign' },
      refs: { userid: { itemname: 'user' }, groupid: { itemname: 'group' } },
      dates: ['allowsubmissionsfromdate', 'duedate', 'cutoffdate'],
      notes:
        'Registered unconditionally, but a user override (userid not null) is skipped without userinfo and a ' +
        'group override (groupid not null) is skipped without the groups setting. NULL userid/groupid stay NULL; ' +
        'an unmapped one becomes 0 (no skip). The mapping is used by the log restore.',
    },
    {
      path: '/activity/assign/plugin_configs/plugin_config',
      table: 'assign_plugin_config',
      userinfo: false,
      parent: { assignment: 'assign' },
    },
  ],
  sources: [
    'mod/assign/backup/moodle2/restore_assign_stepslib.php',
    'mod/assign/backup/moodle2/restore_assign_activity_task.class.php',
    'mod/assign/backup/moodle2/backup_assign_stepslib.php',
    'mod/assign/submission/onlinetext/backup/moodle2/restore_assignsubmission_onlinetext_subplugin.class.php',
    'mod/assign/submission/file/backup/moodle2/restore_assignsubmission_file_subplugin.class.php',
    'mod/assign/feedback/comments/backup/moodle2/restore_assignfeedback_comments_subplugin.class.php',
    'mod/assign/feedback/file/backup/moodle2/restore_assignfeedback_file_subplugin.class.php',
  ],
};
