/**
 * mod_workshop: `activities/workshop_<cmid>/workshop.xml` → rows.
 *
 * Follows `mod/workshop/backup/moodle2/restore_workshop_stepslib.php` and the subplugins'
 * `backup/moodle2/restore_workshopform_{accumulative,numerrors,rubric}_subplugin.class.php` and
 * `restore_workshopeval_best_subplugin.class.php` (read from a Moodle 4.2.3 copy, build 20231009 like
 * 4.3.0; workshopform_comments was not read and is assumed to follow accumulative, minus scales).
 * Subplugin paths are `<connection point>/subplugin_<type>_<name>_<basename of connection point>/…`;
 * subplugin item names are `<type>_<name>_<name>` (`restore_subplugin::get_namefor()`). Example
 * submissions and their reference assessments are not user data. No backup in `../shared/fixtures` has a
 * workshop.
 */
import type { ModuleSpec, RecordSpec } from './types.ts';

const W = '/activity/workshop';
const EXAMPLE = `${W}/examplesubmissions/examplesubmission`;
const REFERENCE = `${EXAMPLE}/referenceassessment`;
const EXAMPLE_ASSESSMENT = `${EXAMPLE}/exampleassessments/exampleassessment`;
const SUBMISSION = `${W}/submissions/submission`;
const ASSESSMENT = `${SUBMISSION}/assessments/assessment`;

const OVERALL_FEEDBACK = (itemname: string) => [
  { component: 'mod_workshop', filearea: 'overallfeedback_content', itemname },
  { component: 'mod_workshop', filearea: 'overallfeedback_attachment', itemname },
];
const SUBMISSION_FILES = (itemname: string) => [
  { component: 'mod_workshop', filearea: 'submission_content', itemname },
  { component: 'mod_workshop', filearea: 'submission_attachment', itemname },
];

const FORMS = ['accumulative', 'comments', 'numerrors', 'rubric'] as const;
type Form = (typeof FORMS)[number];

/** The dimension (criterion) definitions of one grading strategy (workshopform_<name>). */
function dimension(name: Form): RecordSpec {
  const sub = `workshopform_${name}`;
  return {
    path: `${W}/subplugin_${sub}_workshop/${sub}_dimension`,
    table: sub,
    itemname: `${sub}_dimension`,
    userinfo: false,
    parent: { workshopid: 'workshop' },
    files: [{ component: sub, filearea: 'description', itemname: `${sub}_dimension` }],
    notes:
      (name === 'accumulative' ? 'grade < 0 → -(scale mapping of |grade|). ' : '') +
      'Files are restored per row: add_related_files(…, item, null, old dimension id).',
  };
}

/** The per-dimension grades every strategy stores in workshop_grades under one kind of assessment. */
function grades(connection: string, element: string, parentItem: string, userinfo: boolean): RecordSpec[] {
  return FORMS.map((name: Form) => ({
    path: `${connection}/subplugin_workshopform_${name}_${connection.split('/').pop()}/workshopform_${name}_${element}`,
    table: 'workshop_grades',
    userinfo,
    parent: { assessmentid: parentItem },
    refs: { dimensionid: { itemname: `workshopform_${name}_dimension` } },
    notes: `strategy := '${name}'.`,
  }));
}

export const workshopModule: ModuleSpec = {
  name: 'workshop',
  component: 'mod_workshop',
  records: [
    {
      path: W,
      table: 'workshop',
      itemname: 'workshop',
      userinfo: false,
      course: ['course'],
      dates: ['timemodified', 'submissionstart', 'submissionend', 'assessmentstart', 'assessmentend'],
      files: ['intro', 'instructauthors', 'instructreviewers', 'conclusion'].map((filearea) => ({
        component: 'mod_workshop',
        filearea,
        itemname: null,
      })),
      notes:
        'nattachments = 0 (old way of disabling files) → submissiontypefile DISABLED, submissiontypetext ' +
        'REQUIRED, nattachments 1.',
    },
    ...FORMS.map(dimension),
    {
      path: `${W}/subplugin_workshopform_numerrors_workshop/workshopform_numerrors_map`,
      table: 'workshopform_numerrors_map',
      userinfo: false,
      parent: { workshopid: 'workshop' },
    },
    {
      path: `${W}/subplugin_workshopform_rubric_workshop/workshopform_rubric_config`,
      table: 'workshopform_rubric_config',
      userinfo: false,
      parent: { workshopid: 'workshop' },
    },
    {
      path: `${W}/subplugin_workshopform_rubric_workshop/workshopform_rubric_dimension/workshopform_rubric_level`,
      table: 'workshopform_rubric_levels',
      userinfo: false,
      parent: { dimensionid: 'workshopform_rubric_dimension' },
    },
    {
      path: `${W}/subplugin_workshopeval_best_workshop/workshopeval_best_settings`,
      table: 'workshopeval_best_settings',
      userinfo: false,
      parent: { workshopid: 'workshop' },
    },
    {
      path: EXAMPLE,
      table: 'workshop_submissions',
      dates: ['timecreated', 'timemodified'],
      itemname: 'workshop_examplesubmission',
      userinfo: false,
      parent: { workshopid: 'workshop' },
      files: SUBMISSION_FILES('workshop_examplesubmission'),
      notes:
        'example := 1; authorid := the restoring user (task userid), not from the XML. gradeoverby is not remapped.',
    },
    {
      path: REFERENCE,
      table: 'workshop_assessments',
      dates: ['timecreated', 'timemodified'],
      itemname: 'workshop_referenceassessment',
      userinfo: false,
      parent: { submissionid: 'workshop_examplesubmission' },
      files: OVERALL_FEEDBACK('workshop_referenceassessment'),
      notes: 'reviewerid := the restoring user (task userid). gradinggradeoverby is not remapped.',
    },
    ...grades(REFERENCE, 'referencegrade', 'workshop_referenceassessment', false),
    {
      path: EXAMPLE_ASSESSMENT,
      table: 'workshop_assessments',
      dates: ['timecreated', 'timemodified'],
      itemname: 'workshop_exampleassessment',
      userinfo: true,
      parent: { submissionid: 'workshop_examplesubmission' },
      refs: { reviewerid: { itemname: 'user' } },
      files: OVERALL_FEEDBACK('workshop_exampleassessment'),
      notes: 'gradinggradeoverby is not remapped by Moodle (old user id kept).',
    },
    ...grades(EXAMPLE_ASSESSMENT, 'examplegrade', 'workshop_exampleassessment', true),
    {
      path: SUBMISSION,
      table: 'workshop_submissions',
      dates: ['timecreated', 'timemodified'],
      itemname: 'workshop_submission',
      userinfo: true,
      parent: { workshopid: 'workshop' },
      refs: { authorid: { itemname: 'user' } },
      files: SUBMISSION_FILES('workshop_submission'),
      notes: 'example := 0. gradeoverby is not remapped by Moodle (old user id kept).',
    },
    {
      path: ASSESSMENT,
      table: 'workshop_assessments',
      dates: ['timecreated', 'timemodified'],
      itemname: 'workshop_assessment',
      userinfo: true,
      parent: { submissionid: 'workshop_submission' },
      refs: { reviewerid: { itemname: 'user' } },
      files: OVERALL_FEEDBACK('workshop_assessment'),
      notes: 'gradinggradeoverby is not remapped by Moodle (old user id kept).',
    },
    ...grades(ASSESSMENT, 'grade', 'workshop_assessment', true),
    {
      path: `${W}/aggregations/aggregation`,
      table: 'workshop_aggregations',
      dates: ['timegraded'],
      itemname: 'workshop_aggregation',
      userinfo: true,
      parent: { workshopid: 'workshop' },
      refs: { userid: { itemname: 'user' } },
    },
  ],
  sources: [
    'mod/workshop/backup/moodle2/restore_workshop_stepslib.php',
    'mod/workshop/form/accumulative/backup/moodle2/restore_workshopform_accumulative_subplugin.class.php',
    'mod/workshop/form/numerrors/backup/moodle2/restore_workshopform_numerrors_subplugin.class.php',
    'mod/workshop/form/rubric/backup/moodle2/restore_workshopform_rubric_subplugin.class.php',
    'mod/workshop/eval/best/backup/moodle2/restore_workshopeval_best_subplugin.class.php',
  ],
};
