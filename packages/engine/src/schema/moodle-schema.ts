/**
 * Moodle's database schema for the tables a course restore writes, transcribed by hand from Moodle's own
 * `db/install.xml` files (XMLDB): table and column names, column order, types, NOTNULL, DEFAULT, lengths and
 * decimals, unique keys and indexes. Foreign keys are left out (Moodle does not enforce them) and so is the
 * primary key, which is always `id`. Table names carry no prefix; storage adapters add `mdl_`.
 *
 * Sources (public copies of the Moodle code base; the group comments below name each install.xml path):
 * - Core tables, `lib/db/install.xml`: Moodle main branch at XMLDB VERSION 20240129, i.e. 4.4 development just
 *   after 4.3 (MOODLE_403_STABLE was not available in a clean copy). Differences from 4.3 among the tables below
 *   are small: `course_sections.component`/`itemid` (delegated sections) are 4.4 additions.
 * - Activity modules (`mod/<name>/db/install.xml`): a MOODLE_405_STABLE copy (XMLDB VERSION 20241007). Against 4.3
 *   this has `quiz_grade_items` + `quiz_slots.quizgradeitemid` (4.4) and the 4.5 defaults of
 *   `assign.attemptreopenmethod`/`maxattempts`.
 * - Older stored copies where no 4.x copy was available; each such group says which version it came from. Those
 *   tables have kept the transcribed layout in 4.x.
 *
 * Each column is written as `c(name, type, notnull, default?)` where the type string carries the XMLDB length:
 * `int10`, `char255`, `number10,5`, `float` (XMLDB float without length), `text`, `binary`.
 */
import type { ColumnSpec, IndexSpec, TableSpec } from './types.ts';

/** The Moodle release whose schema this is (core 4.4 development after 4.3; activity modules 4.5; see above). */
export const MOODLE_SCHEMA_VERSION = '4.4';

/** One entry per table; `id` (int 10, NOT NULL, sequence) is added first to every table by `t()`. */
export const MOODLE_TABLES: readonly TableSpec[] = [
  // lib/db/install.xml (main branch, XMLDB VERSION 20240129 = 4.4 development after 4.3)
  // config: the site settings (`$CFG`) as name/value rows. A restore reads `siteidentifier` (same-site detection,
  // backup_general_helper::backup_is_samesite()) and the stores keep it there, so it is listed although a course
  // restore never writes it.
  t('config', 'core', [c('name', 'char255', true), c('value', 'text', true)], [ux('name')]),
  t('course', 'core', [
    c('category', 'int10', true, 0), c('sortorder', 'int10', true, 0), c('fullname', 'char254', true), c('shortname', 'char255', true),
    c('idnumber', 'char100', true), c('summary', 'text', false), c('summaryformat', 'int2', true, 0), c('format', 'char21', true, 'topics'),
    c('showgrades', 'int2', true, 1), c('newsitems', 'int5', true, 1), c('startdate', 'int10', true, 0), c('enddate', 'int10', true, 0),
    c('relativedatesmode', 'int1', true, 0), c('marker', 'int10', true, 0), c('maxbytes', 'int10', true, 0), c('legacyfiles', 'int4', true, 0),
    c('showreports', 'int4', true, 0), c('visible', 'int1', true, 1), c('visibleold', 'int1', true, 1), c('downloadcontent', 'int1', false),
    c('groupmode', 'int4', true, 0), c('groupmodeforce', 'int4', true, 0), c('defaultgroupingid', 'int10', true, 0), c('lang', 'char30', true),
    c('calendartype', 'char30', true), c('theme', 'char50', true), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('requested', 'int1', true, 0), c('enablecompletion', 'int1', true, 0), c('completionnotify', 'int1', true, 0), c('cacherev', 'int10', true, 0),
    c('originalcourseid', 'int10', false), c('showactivitydates', 'int1', true, 0), c('showcompletionconditions', 'int1', false),
    c('pdfexportfont', 'char50', false),
  ], [ix('category'), ix('idnumber'), ix('shortname'), ix('sortorder')]),
  t('course_categories', 'core', [
    c('name', 'char255', true), c('idnumber', 'char100', false), c('description', 'text', false), c('descriptionformat', 'int2', true, 0),
    c('parent', 'int10', true, 0), c('sortorder', 'int10', true, 0), c('coursecount', 'int10', true, 0), c('visible', 'int1', true, 1),
    c('visibleold', 'int1', true, 1), c('timemodified', 'int10', true, 0), c('depth', 'int10', true, 0), c('path', 'char255', true),
    c('theme', 'char50', false),
  ]),
  t('course_completion_aggr_methd', 'core', [
    c('course', 'int10', true, 0), c('criteriatype', 'int10', false), c('method', 'int1', true, 0), c('value', 'number10,5', false),
  ], [ix('course'), ix('criteriatype'), ux('course, criteriatype')]),
  t('course_completion_criteria', 'core', [
    c('course', 'int10', true, 0), c('criteriatype', 'int10', true, 0), c('module', 'char100', false), c('moduleinstance', 'int10', false),
    c('courseinstance', 'int10', false), c('enrolperiod', 'int10', false), c('timeend', 'int10', false), c('gradepass', 'number10,5', false),
    c('role', 'int10', false),
  ], [ix('course')]),
  t('course_completion_crit_compl', 'core', [
    c('userid', 'int10', true, 0), c('course', 'int10', true, 0), c('criteriaid', 'int10', true, 0), c('gradefinal', 'number10,5', false),
    c('unenroled', 'int10', false), c('timecompleted', 'int10', false),
  ], [ix('userid'), ix('course'), ix('criteriaid'), ix('timecompleted'), ux('userid, course, criteriaid')]),
  t('course_completions', 'core', [
    c('userid', 'int10', true, 0), c('course', 'int10', true, 0), c('timeenrolled', 'int10', true, 0), c('timestarted', 'int10', true, 0),
    c('timecompleted', 'int10', false), c('reaggregate', 'int10', true, 0),
  ], [ix('userid'), ix('course'), ix('timecompleted'), ux('userid, course')]),
  t('enrol', 'core', [
    c('enrol', 'char20', true), c('status', 'int10', true, 0), c('courseid', 'int10', true), c('sortorder', 'int10', true, 0),
    c('name', 'char255', false), c('enrolperiod', 'int10', false, 0), c('enrolstartdate', 'int10', false, 0), c('enrolenddate', 'int10', false, 0),
    c('expirynotify', 'int1', false, 0), c('expirythreshold', 'int10', false, 0), c('notifyall', 'int1', false, 0), c('password', 'char50', false),
    c('cost', 'char20', false), c('currency', 'char3', false), c('roleid', 'int10', false, 0),
    c('customint1', 'int10', false), c('customint2', 'int10', false), c('customint3', 'int10', false), c('customint4', 'int10', false),
    c('customint5', 'int10', false), c('customint6', 'int10', false), c('customint7', 'int10', false), c('customint8', 'int10', false),
    c('customchar1', 'char255', false), c('customchar2', 'char255', false), c('customchar3', 'char1333', false),
    c('customdec1', 'number12,7', false), c('customdec2', 'number12,7', false),
    c('customtext1', 'text', false), c('customtext2', 'text', false), c('customtext3', 'text', false), c('customtext4', 'text', false),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('enrol')]),
  t('user_enrolments', 'core', [
    c('status', 'int10', true, 0), c('enrolid', 'int10', true), c('userid', 'int10', true), c('timestart', 'int10', true, 0),
    c('timeend', 'int10', true, 2147483647), c('modifierid', 'int10', true, 0), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ux('enrolid, userid')]),
  t('course_modules', 'core', [
    c('course', 'int10', true, 0), c('module', 'int10', true, 0), c('instance', 'int10', true, 0), c('section', 'int10', true, 0),
    c('idnumber', 'char100', false), c('added', 'int10', true, 0), c('score', 'int4', true, 0), c('indent', 'int5', true, 0),
    c('visible', 'int1', true, 1), c('visibleoncoursepage', 'int1', true, 1), c('visibleold', 'int1', true, 1), c('groupmode', 'int4', true, 0),
    c('groupingid', 'int10', true, 0), c('completion', 'int1', true, 0), c('completiongradeitemnumber', 'int10', false),
    c('completionview', 'int1', true, 0), c('completionexpected', 'int10', true, 0), c('completionpassgrade', 'int1', true, 0),
    c('showdescription', 'int1', true, 0), c('availability', 'text', false), c('deletioninprogress', 'int1', true, 0),
    c('downloadcontent', 'int1', false, 1), c('lang', 'char30', false),
  ], [ix('visible'), ix('course'), ix('module'), ix('instance'), ix('idnumber, course')]),
  t('course_modules_completion', 'core', [
    c('coursemoduleid', 'int10', true), c('userid', 'int10', true), c('completionstate', 'int1', true), c('overrideby', 'int10', false),
    c('timemodified', 'int10', true),
  ], [ix('coursemoduleid'), ux('userid, coursemoduleid')]),
  t('course_sections', 'core', [
    c('course', 'int10', true, 0), c('section', 'int10', true, 0), c('name', 'char255', false), c('summary', 'text', false),
    c('summaryformat', 'int2', true, 0), c('sequence', 'text', false), c('visible', 'int1', true, 1), c('availability', 'text', false),
    c('component', 'char100', false), c('itemid', 'int10', false), c('timemodified', 'int10', true, 0),
  ], [ux('course, section')]),
  t('course_format_options', 'core', [
    c('courseid', 'int10', true), c('format', 'char21', true), c('sectionid', 'int10', true, 0), c('name', 'char100', true),
    c('value', 'text', false),
  ], [ux('courseid, format, sectionid, name')]),
  t('filter_active', 'core', [
    c('filter', 'char32', true), c('contextid', 'int10', true), c('active', 'int4', true), c('sortorder', 'int10', true, 0),
  ], [ux('contextid, filter')]),
  t('filter_config', 'core', [
    c('filter', 'char32', true), c('contextid', 'int10', true), c('name', 'char255', true), c('value', 'text', false),
  ], [ux('contextid, filter, name')]),
  t('event', 'core', [
    c('name', 'text', true), c('description', 'text', true), c('format', 'int4', true, 0), c('categoryid', 'int10', true, 0),
    c('courseid', 'int10', true, 0), c('groupid', 'int10', true, 0), c('userid', 'int10', true, 0), c('repeatid', 'int10', true, 0),
    c('component', 'char100', false), c('modulename', 'char20', true), c('instance', 'int10', true, 0), c('type', 'int4', true, 0),
    c('eventtype', 'char20', true), c('timestart', 'int10', true, 0), c('timeduration', 'int10', true, 0), c('timesort', 'int10', false),
    c('visible', 'int4', true, 1), c('uuid', 'char255', true), c('sequence', 'int10', true, 1), c('timemodified', 'int10', true, 0),
    c('subscriptionid', 'int10', false), c('priority', 'int10', false), c('location', 'text', false),
  ], [
    ix('courseid'), ix('userid'), ix('timestart'), ix('timeduration'), ix('uuid'), ix('type, timesort'),
    ix('groupid, courseid, categoryid, visible, userid'), ix('eventtype'), ix('component, eventtype, instance'),
    ix('modulename, instance, eventtype'),
  ]),
  t('log', 'core', [
    c('time', 'int10', true, 0), c('userid', 'int10', true, 0), c('ip', 'char45', true), c('course', 'int10', true, 0),
    c('module', 'char20', true), c('cmid', 'int10', true, 0), c('action', 'char40', true), c('url', 'char100', true), c('info', 'char255', true),
  ], [ix('course, module, action'), ix('time'), ix('action'), ix('userid, course'), ix('cmid')]),
  t('modules', 'core', [
    c('name', 'char20', true), c('cron', 'int10', true, 0), c('lastcron', 'int10', true, 0), c('search', 'char255', true),
    c('visible', 'int1', true, 1),
  ], [ix('name')]),
  t('user', 'core', [
    c('auth', 'char20', true, 'manual'), c('confirmed', 'int1', true, 0), c('policyagreed', 'int1', true, 0), c('deleted', 'int1', true, 0),
    c('suspended', 'int1', true, 0), c('mnethostid', 'int10', true, 0), c('username', 'char100', true), c('password', 'char255', true),
    c('idnumber', 'char255', true), c('firstname', 'char100', true), c('lastname', 'char100', true), c('email', 'char100', true),
    c('emailstop', 'int1', true, 0), c('phone1', 'char20', true), c('phone2', 'char20', true), c('institution', 'char255', true),
    c('department', 'char255', true), c('address', 'char255', true), c('city', 'char120', true), c('country', 'char2', true),
    c('lang', 'char30', true, 'en'), c('calendartype', 'char30', true, 'gregorian'), c('theme', 'char50', true),
    c('timezone', 'char100', true, '99'), c('firstaccess', 'int10', true, 0), c('lastaccess', 'int10', true, 0),
    c('lastlogin', 'int10', true, 0), c('currentlogin', 'int10', true, 0), c('lastip', 'char45', true), c('secret', 'char15', true),
    c('picture', 'int10', true, 0), c('description', 'text', false), c('descriptionformat', 'int2', true, 1), c('mailformat', 'int1', true, 1),
    c('maildigest', 'int1', true, 0), c('maildisplay', 'int2', true, 2), c('autosubscribe', 'int1', true, 1), c('trackforums', 'int1', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('trustbitmask', 'int10', true, 0), c('imagealt', 'char255', false),
    c('lastnamephonetic', 'char255', false), c('firstnamephonetic', 'char255', false), c('middlename', 'char255', false),
    c('alternatename', 'char255', false), c('moodlenetprofile', 'char255', false),
  ], [
    ux('mnethostid, username'), ix('deleted'), ix('confirmed'), ix('firstname'), ix('lastname'), ix('city'), ix('country'),
    ix('lastaccess'), ix('email'), ix('auth'), ix('idnumber'), ix('firstnamephonetic'), ix('lastnamephonetic'), ix('middlename'),
    ix('alternatename'),
  ]),
  t('user_preferences', 'core', [
    c('userid', 'int10', true, 0), c('name', 'char255', true), c('value', 'char1333', true),
  ], [ux('userid, name'), ix('name')]),
  t('user_lastaccess', 'core', [
    c('userid', 'int10', true, 0), c('courseid', 'int10', true, 0), c('timeaccess', 'int10', true, 0),
  ], [ux('userid, courseid'), ix('userid'), ix('courseid')]),
  t('scale', 'core', [
    c('courseid', 'int10', true, 0), c('userid', 'int10', true, 0), c('name', 'char255', true), c('scale', 'text', true),
    c('description', 'text', true), c('descriptionformat', 'int2', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('courseid')]),
  t('role', 'core', [
    c('name', 'char255', true), c('shortname', 'char100', true), c('description', 'text', true), c('sortorder', 'int10', true, 0),
    c('archetype', 'char30', true),
  ], [ux('sortorder'), ux('shortname')]),
  t('context', 'core', [
    c('contextlevel', 'int10', true, 0), c('instanceid', 'int10', true, 0), c('path', 'char255', false), c('depth', 'int2', true, 0),
    c('locked', 'int2', true, 0),
  ], [ux('contextlevel, instanceid'), ix('instanceid'), ix('path')]),
  t('role_assignments', 'core', [
    c('roleid', 'int10', true, 0), c('contextid', 'int10', true, 0), c('userid', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('modifierid', 'int10', true, 0), c('component', 'char100', true), c('itemid', 'int10', true, 0), c('sortorder', 'int10', true, 0),
  ], [ix('sortorder'), ix('roleid, contextid'), ix('userid, contextid, roleid'), ix('component, itemid, userid')]),
  t('role_capabilities', 'core', [
    c('contextid', 'int10', true, 0), c('roleid', 'int10', true, 0), c('capability', 'char255', true), c('permission', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('modifierid', 'int10', true, 0),
  ], [ux('roleid, contextid, capability')]),
  t('role_names', 'core', [
    c('roleid', 'int10', true, 0), c('contextid', 'int10', true, 0), c('name', 'char255', true),
  ], [ux('roleid, contextid')]),
  t('role_context_levels', 'core', [
    c('roleid', 'int10', true), c('contextlevel', 'int10', true),
  ], [ux('contextlevel, roleid')]),
  t('user_info_field', 'core', [
    c('shortname', 'char255', true, 'shortname'), c('name', 'text', true), c('datatype', 'char255', true), c('description', 'text', false),
    c('descriptionformat', 'int2', true, 0), c('categoryid', 'int10', true, 0), c('sortorder', 'int10', true, 0), c('required', 'int2', true, 0),
    c('locked', 'int2', true, 0), c('visible', 'int4', true, 0), c('forceunique', 'int2', true, 0), c('signup', 'int2', true, 0),
    c('defaultdata', 'text', false), c('defaultdataformat', 'int2', true, 0), c('param1', 'text', false), c('param2', 'text', false),
    c('param3', 'text', false), c('param4', 'text', false), c('param5', 'text', false),
  ]),
  t('user_info_data', 'core', [
    c('userid', 'int10', true, 0), c('fieldid', 'int10', true, 0), c('data', 'text', true), c('dataformat', 'int2', true, 0),
  ], [ux('userid, fieldid')]),
  t('question_categories', 'core', [
    c('name', 'char255', true), c('contextid', 'int10', true, 0), c('info', 'text', true), c('infoformat', 'int2', true, 0),
    c('stamp', 'char255', true), c('parent', 'int10', true, 0), c('sortorder', 'int10', true, 999), c('idnumber', 'char100', false),
  ], [ix('contextid'), ux('contextid, stamp'), ux('contextid, idnumber')]),
  t('question', 'core', [
    c('parent', 'int10', true, 0), c('name', 'char255', true), c('questiontext', 'text', true), c('questiontextformat', 'int2', true, 0),
    c('generalfeedback', 'text', true), c('generalfeedbackformat', 'int2', true, 0), c('defaultmark', 'number12,7', true, 1),
    c('penalty', 'number12,7', true, 0.3333333), c('qtype', 'char20', true), c('length', 'int10', true, 1), c('stamp', 'char255', true),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('createdby', 'int10', false), c('modifiedby', 'int10', false),
  ], [ix('qtype')]),
  t('question_bank_entries', 'core', [
    c('questioncategoryid', 'int10', true, 0), c('idnumber', 'char100', false), c('ownerid', 'int10', false),
  ], [ux('questioncategoryid, idnumber')]),
  t('question_versions', 'core', [
    c('questionbankentryid', 'int10', true, 0), c('version', 'int10', true, 1), c('questionid', 'int10', true, 0),
    c('status', 'char10', true, 'ready'),
  ]),
  t('question_references', 'core', [
    c('usingcontextid', 'int10', true, 0), c('component', 'char100', false), c('questionarea', 'char50', false), c('itemid', 'int10', false),
    c('questionbankentryid', 'int10', true, 0), c('version', 'int10', false),
  ], [ux('usingcontextid, component, questionarea, itemid')]),
  t('question_set_references', 'core', [
    c('usingcontextid', 'int10', true, 0), c('component', 'char100', false), c('questionarea', 'char50', false), c('itemid', 'int10', false),
    c('questionscontextid', 'int10', true, 0), c('filtercondition', 'text', false),
  ], [ux('usingcontextid, component, questionarea, itemid')]),
  t('question_answers', 'core', [
    c('question', 'int10', true, 0), c('answer', 'text', true), c('answerformat', 'int2', true, 0), c('fraction', 'number12,7', true, 0),
    c('feedback', 'text', true), c('feedbackformat', 'int2', true, 0),
  ]),
  t('question_hints', 'core', [
    c('questionid', 'int10', true), c('hint', 'text', true), c('hintformat', 'int4', true, 0), c('shownumcorrect', 'int1', false),
    c('clearwrong', 'int1', false), c('options', 'char255', false),
  ]),
  t('question_usages', 'core', [
    c('contextid', 'int10', true), c('component', 'char255', true), c('preferredbehaviour', 'char32', true),
  ]),
  t('question_attempts', 'core', [
    c('questionusageid', 'int10', true), c('slot', 'int10', true), c('behaviour', 'char32', true), c('questionid', 'int10', true),
    c('variant', 'int10', true, 1), c('maxmark', 'number12,7', true), c('minfraction', 'number12,7', true),
    c('maxfraction', 'number12,7', true, 1), c('flagged', 'int1', true, 0), c('questionsummary', 'text', false),
    c('rightanswer', 'text', false), c('responsesummary', 'text', false), c('timemodified', 'int10', true),
  ], [ux('questionusageid, slot'), ix('behaviour')]),
  t('question_attempt_steps', 'core', [
    c('questionattemptid', 'int10', true), c('sequencenumber', 'int10', true), c('state', 'char13', true), c('fraction', 'number12,7', false),
    c('timecreated', 'int10', true), c('userid', 'int10', false),
  ], [ux('questionattemptid, sequencenumber')]),
  t('question_attempt_step_data', 'core', [
    c('attemptstepid', 'int10', true), c('name', 'char32', true), c('value', 'text', false),
  ]),
  t('grade_outcomes', 'core', [
    c('courseid', 'int10', false), c('shortname', 'char255', true), c('fullname', 'text', true), c('scaleid', 'int10', false),
    c('description', 'text', false), c('descriptionformat', 'int2', true, 0), c('timecreated', 'int10', false), c('timemodified', 'int10', false),
    c('usermodified', 'int10', false),
  ], [ux('courseid, shortname')]),
  t('grade_outcomes_courses', 'core', [
    c('courseid', 'int10', true), c('outcomeid', 'int10', true),
  ], [ux('courseid, outcomeid')]),
  t('grade_categories', 'core', [
    c('courseid', 'int10', true), c('parent', 'int10', false), c('depth', 'int10', true, 0), c('path', 'char255', false),
    c('fullname', 'char255', true), c('aggregation', 'int10', true, 0), c('keephigh', 'int10', true, 0), c('droplow', 'int10', true, 0),
    c('aggregateonlygraded', 'int1', true, 0), c('aggregateoutcomes', 'int1', true, 0), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true), c('hidden', 'int10', true, 0),
  ]),
  t('grade_items', 'core', [
    c('courseid', 'int10', false), c('categoryid', 'int10', false), c('itemname', 'char255', false), c('itemtype', 'char30', true),
    c('itemmodule', 'char30', false), c('iteminstance', 'int10', false), c('itemnumber', 'int10', false), c('iteminfo', 'text', false),
    c('idnumber', 'char255', false), c('calculation', 'text', false), c('gradetype', 'int4', true, 1), c('grademax', 'number10,5', true, 100),
    c('grademin', 'number10,5', true, 0), c('scaleid', 'int10', false), c('outcomeid', 'int10', false), c('gradepass', 'number10,5', true, 0),
    c('multfactor', 'number10,5', true, 1.0), c('plusfactor', 'number10,5', true, 0), c('aggregationcoef', 'number10,5', true, 0),
    c('aggregationcoef2', 'number10,5', true, 0), c('sortorder', 'int10', true, 0), c('display', 'int10', true, 0), c('decimals', 'int1', false),
    c('hidden', 'int10', true, 0), c('locked', 'int10', true, 0), c('locktime', 'int10', true, 0), c('needsupdate', 'int10', true, 0),
    c('weightoverride', 'int1', true, 0), c('timecreated', 'int10', false), c('timemodified', 'int10', false),
  ], [
    ix('locked, locktime'), ix('itemtype, needsupdate'), ix('gradetype'), ix('idnumber, courseid'),
    ix('itemtype, itemmodule, iteminstance, courseid'),
  ]),
  t('grade_grades', 'core', [
    c('itemid', 'int10', true), c('userid', 'int10', true), c('rawgrade', 'number10,5', false), c('rawgrademax', 'number10,5', true, 100),
    c('rawgrademin', 'number10,5', true, 0), c('rawscaleid', 'int10', false), c('usermodified', 'int10', false), c('finalgrade', 'number10,5', false),
    c('hidden', 'int10', true, 0), c('locked', 'int10', true, 0), c('locktime', 'int10', true, 0), c('exported', 'int10', true, 0),
    c('overridden', 'int10', true, 0), c('excluded', 'int10', true, 0), c('feedback', 'text', false), c('feedbackformat', 'int10', true, 0),
    c('information', 'text', false), c('informationformat', 'int10', true, 0), c('timecreated', 'int10', false), c('timemodified', 'int10', false),
    c('aggregationstatus', 'char10', true, 'unknown'), c('aggregationweight', 'number10,5', false),
  ], [ux('userid, itemid'), ix('locked, locktime')]),
  t('grade_grades_history', 'core', [
    c('action', 'int10', true, 0), c('oldid', 'int10', true), c('source', 'char255', false), c('timemodified', 'int10', false),
    c('loggeduser', 'int10', false), c('itemid', 'int10', true), c('userid', 'int10', true), c('rawgrade', 'number10,5', false),
    c('rawgrademax', 'number10,5', true, 100), c('rawgrademin', 'number10,5', true, 0), c('rawscaleid', 'int10', false),
    c('usermodified', 'int10', false), c('finalgrade', 'number10,5', false), c('hidden', 'int10', true, 0), c('locked', 'int10', true, 0),
    c('locktime', 'int10', true, 0), c('exported', 'int10', true, 0), c('overridden', 'int10', true, 0), c('excluded', 'int10', true, 0),
    c('feedback', 'text', false), c('feedbackformat', 'int10', true, 0), c('information', 'text', false),
    c('informationformat', 'int10', true, 0),
  ], [ix('action'), ix('timemodified'), ix('userid, itemid, timemodified')]),
  // grade_items_history / grade_categories_history: what Moodle's grade API (`grade_object::insert()`/`update()` in
  // lib/grade/grade_object.php) logs of each insert and update of a grade item or category — the record without
  // `timecreated`, plus action, oldid, source, timemodified and loggeduser. A restore writes rows there (see
  // stages/gradebook/history.ts).
  t('grade_items_history', 'core', [
    c('action', 'int10', true, 0), c('oldid', 'int10', true), c('source', 'char255', false), c('timemodified', 'int10', false),
    c('loggeduser', 'int10', false), c('courseid', 'int10', false), c('categoryid', 'int10', false), c('itemname', 'char255', false),
    c('itemtype', 'char30', true), c('itemmodule', 'char30', false), c('iteminstance', 'int10', false), c('itemnumber', 'int10', false),
    c('iteminfo', 'text', false), c('idnumber', 'char255', false), c('calculation', 'text', false), c('gradetype', 'int4', true, 1),
    c('grademax', 'number10,5', true, 100), c('grademin', 'number10,5', true, 0), c('scaleid', 'int10', false), c('outcomeid', 'int10', false),
    c('gradepass', 'number10,5', true, 0), c('multfactor', 'number10,5', true, 1.0), c('plusfactor', 'number10,5', true, 0),
    c('aggregationcoef', 'number10,5', true, 0), c('aggregationcoef2', 'number10,5', true, 0), c('sortorder', 'int10', true, 0),
    c('hidden', 'int10', true, 0), c('locked', 'int10', true, 0), c('locktime', 'int10', true, 0), c('needsupdate', 'int10', true, 0),
    c('display', 'int10', true, 0), c('decimals', 'int1', false), c('weightoverride', 'int1', true, 0),
  ], [ix('action'), ix('timemodified')]),
  t('grade_categories_history', 'core', [
    c('action', 'int10', true, 0), c('oldid', 'int10', true), c('source', 'char255', false), c('timemodified', 'int10', false),
    c('loggeduser', 'int10', false), c('courseid', 'int10', true), c('parent', 'int10', false), c('depth', 'int10', true, 0),
    c('path', 'char255', false), c('fullname', 'char255', false), c('aggregation', 'int10', true, 0), c('keephigh', 'int10', true, 0),
    c('droplow', 'int10', true, 0), c('aggregateonlygraded', 'int1', true, 0), c('aggregateoutcomes', 'int1', true, 0),
    c('hidden', 'int10', true, 0),
  ], [ix('action'), ix('timemodified')]),
  t('tag', 'core', [
    c('userid', 'int10', true), c('tagcollid', 'int10', true), c('name', 'char255', true), c('rawname', 'char255', true),
    c('isstandard', 'int1', true, 0), c('description', 'text', false), c('descriptionformat', 'int2', true, 0), c('flag', 'int4', false, 0),
    c('timemodified', 'int10', false),
  ], [ux('tagcollid, name'), ix('tagcollid, isstandard')]),
  t('tag_instance', 'core', [
    c('tagid', 'int10', true), c('component', 'char100', true), c('itemtype', 'char100', true), c('itemid', 'int10', true),
    c('contextid', 'int10', false), c('tiuserid', 'int10', true, 0), c('ordering', 'int10', false), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0),
  ], [ux('component, itemtype, itemid, contextid, tiuserid, tagid'), ix('itemtype, component, tagid, contextid')]),
  t('groups', 'core', [
    c('courseid', 'int10', true), c('idnumber', 'char100', true), c('name', 'char254', true), c('description', 'text', false),
    c('descriptionformat', 'int2', true, 0), c('enrolmentkey', 'char50', false), c('picture', 'int10', true, 0), c('visibility', 'int1', true, 0),
    c('participation', 'int1', true, 1), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('idnumber')]),
  t('groupings', 'core', [
    c('courseid', 'int10', true, 0), c('name', 'char255', true), c('idnumber', 'char100', true), c('description', 'text', false),
    c('descriptionformat', 'int2', true, 0), c('configdata', 'text', false), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('idnumber')]),
  t('groups_members', 'core', [
    c('groupid', 'int10', true, 0), c('userid', 'int10', true, 0), c('timeadded', 'int10', true, 0), c('component', 'char100', true),
    c('itemid', 'int10', true, 0),
  ], [ux('userid, groupid')]),
  t('groupings_groups', 'core', [
    c('groupingid', 'int10', true, 0), c('groupid', 'int10', true, 0), c('timeadded', 'int10', true, 0),
  ]),
  t('grade_letters', 'core', [
    c('contextid', 'int10', true), c('lowerboundary', 'number10,5', true), c('letter', 'char255', true),
  ], [ux('contextid, lowerboundary, letter')]),
  t('grade_settings', 'core', [
    c('courseid', 'int10', true), c('name', 'char255', true), c('value', 'text', false),
  ], [ux('courseid, name')]),
  t('files', 'core', [
    c('contenthash', 'char40', true), c('pathnamehash', 'char40', true), c('contextid', 'int10', true), c('component', 'char100', true),
    c('filearea', 'char50', true), c('itemid', 'int10', true), c('filepath', 'char255', true), c('filename', 'char255', true),
    c('userid', 'int10', false), c('filesize', 'int10', true), c('mimetype', 'char100', false), c('status', 'int10', true, 0),
    c('source', 'text', false), c('author', 'char255', false), c('license', 'char255', false), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true), c('sortorder', 'int10', true, 0), c('referencefileid', 'int10', false),
  ], [ix('component, filearea, contextid, itemid'), ix('contenthash'), ux('pathnamehash'), ix('license'), ix('filename')]),
  t('files_reference', 'core', [
    c('repositoryid', 'int10', true), c('lastsync', 'int10', false), c('reference', 'text', false), c('referencehash', 'char40', true),
  ], [ux('referencehash, repositoryid')]),
  t('block_instances', 'core', [
    c('blockname', 'char40', true), c('parentcontextid', 'int10', true), c('showinsubcontexts', 'int4', true),
    c('requiredbytheme', 'int4', true, 0), c('pagetypepattern', 'char64', true), c('subpagepattern', 'char16', false),
    c('defaultregion', 'char16', true), c('defaultweight', 'int10', true), c('configdata', 'text', false), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true),
  ], [ix('parentcontextid, showinsubcontexts, pagetypepattern, subpagepattern'), ix('timemodified'), ix('blockname')]),
  t('block_positions', 'core', [
    c('blockinstanceid', 'int10', true), c('contextid', 'int10', true), c('pagetype', 'char64', true), c('subpage', 'char16', true),
    c('visible', 'int4', true), c('region', 'char16', true), c('weight', 'int10', true),
  ], [ux('blockinstanceid, contextid, pagetype, subpage')]),
  t('comments', 'core', [
    c('contextid', 'int10', true), c('component', 'char255', false), c('commentarea', 'char255', true), c('itemid', 'int10', true),
    c('content', 'text', true), c('format', 'int2', true, 0), c('userid', 'int10', true), c('timecreated', 'int10', true),
  ], [ix('contextid, commentarea, itemid')]),
  t('rating', 'core', [
    c('contextid', 'int10', true), c('component', 'char100', true), c('ratingarea', 'char50', true), c('itemid', 'int10', true),
    c('scaleid', 'int10', true), c('rating', 'int10', true), c('userid', 'int10', true), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true),
  ], [ix('component, ratingarea, contextid, itemid')]),
  t('backup_controllers', 'core', [
    c('backupid', 'char32', true), c('operation', 'char20', true, 'backup'), c('type', 'char10', true), c('itemid', 'int10', true),
    c('format', 'char20', true), c('interactive', 'int4', true), c('purpose', 'int4', true), c('userid', 'int10', true),
    c('status', 'int4', true), c('execution', 'int4', true), c('executiontime', 'int10', true), c('checksum', 'char32', true),
    c('timecreated', 'int10', true), c('timemodified', 'int10', true),
    // progress: the backup/restore progress as a floating point number, NUMBER(15,14) (0..1).
    c('progress', 'number15,14', true, 0), c('controller', 'text', true),
  ], [ux('backupid'), ix('type, itemid'), ix('userid, itemid')]),
  t('grading_areas', 'core', [
    c('contextid', 'int10', true), c('component', 'char100', true), c('areaname', 'char100', true), c('activemethod', 'char100', false),
  ], [ux('contextid, component, areaname')]),
  t('grading_definitions', 'core', [
    c('areaid', 'int10', true), c('method', 'char100', true), c('name', 'char255', true), c('description', 'text', false),
    c('descriptionformat', 'int2', false), c('status', 'int10', true, 0), c('copiedfromid', 'int10', false), c('timecreated', 'int10', true),
    c('usercreated', 'int10', true), c('timemodified', 'int10', true), c('usermodified', 'int10', true), c('timecopied', 'int10', false, 0),
    c('options', 'text', false),
  ], [ux('areaid, method')]),
  t('grading_instances', 'core', [
    c('definitionid', 'int10', true), c('raterid', 'int10', true), c('itemid', 'int10', false), c('rawgrade', 'number10,5', false),
    c('status', 'int10', true, 0), c('feedback', 'text', false), c('feedbackformat', 'int2', false), c('timemodified', 'int10', true),
  ]),
  t('badge', 'core', [
    c('name', 'char255', true), c('description', 'text', false), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('usercreated', 'int10', true), c('usermodified', 'int10', true), c('issuername', 'char255', true), c('issuerurl', 'char255', true),
    c('issuercontact', 'char255', false), c('expiredate', 'int10', false), c('expireperiod', 'int10', false), c('type', 'int1', true, 1),
    c('courseid', 'int10', false), c('message', 'text', true), c('messagesubject', 'text', true), c('attachment', 'int1', true, 1),
    c('notification', 'int1', true, 1), c('status', 'int1', true, 0), c('nextcron', 'int10', false), c('version', 'char255', false),
    c('language', 'char255', false), c('imageauthorname', 'char255', false), c('imageauthoremail', 'char255', false),
    c('imageauthorurl', 'char255', false), c('imagecaption', 'text', false),
  ], [ix('type')]),
  t('badge_criteria', 'core', [
    c('badgeid', 'int10', true, 0), c('criteriatype', 'int10', false), c('method', 'int1', true, 1), c('description', 'text', false),
    c('descriptionformat', 'int2', true, 0),
  ], [ix('criteriatype'), ux('badgeid, criteriatype')]),
  t('badge_criteria_param', 'core', [
    c('critid', 'int10', true), c('name', 'char255', true), c('value', 'char255', false),
  ]),
  t('badge_issued', 'core', [
    c('badgeid', 'int10', true, 0), c('userid', 'int10', true, 0), c('uniquehash', 'text', true), c('dateissued', 'int10', true, 0),
    c('dateexpire', 'int10', false), c('visible', 'int1', true, 0), c('issuernotified', 'int10', false),
  ], [ux('badgeid, userid')]),
  t('badge_manual_award', 'core', [
    c('badgeid', 'int10', true), c('recipientid', 'int10', true), c('issuerid', 'int10', true), c('issuerrole', 'int10', true),
    c('datemet', 'int10', true),
  ]),
  t('competency_coursecompsetting', 'core', [
    c('courseid', 'int10', true), c('pushratingstouserplans', 'int2', false), c('timecreated', 'int10', true), c('timemodified', 'int10', true),
    c('usermodified', 'int10', false),
  ], [ux('courseid')]),
  t('competency_coursecomp', 'core', [
    c('courseid', 'int10', true), c('competencyid', 'int10', true), c('ruleoutcome', 'int2', true), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true), c('usermodified', 'int10', true), c('sortorder', 'int10', true),
  ], [ix('courseid, ruleoutcome'), ux('courseid, competencyid')]),
  t('competency_modulecomp', 'core', [
    c('cmid', 'int10', true), c('timecreated', 'int10', true), c('timemodified', 'int10', true), c('usermodified', 'int10', true),
    c('sortorder', 'int10', true), c('competencyid', 'int10', true), c('ruleoutcome', 'int2', true), c('overridegrade', 'int1', true, 0),
  ], [ix('cmid, ruleoutcome'), ux('cmid, competencyid')]),
  t('course_completion_defaults', 'core', [
    c('course', 'int10', true), c('module', 'int10', true), c('completion', 'int1', true, 0), c('completionview', 'int1', true, 0),
    c('completionusegrade', 'int1', true, 0), c('completionpassgrade', 'int1', true, 0), c('completionexpected', 'int10', true, 0),
    c('customrules', 'text', false),
  ], [ux('course, module')]),
  t('customfield_field', 'core', [
    c('shortname', 'char100', true), c('name', 'char400', true), c('type', 'char100', true), c('description', 'text', false),
    c('descriptionformat', 'int10', false), c('sortorder', 'int10', false), c('categoryid', 'int10', false), c('configdata', 'text', false),
    c('timecreated', 'int10', true), c('timemodified', 'int10', true),
  ], [ix('categoryid, sortorder')]),
  t('customfield_data', 'core', [
    c('fieldid', 'int10', true), c('instanceid', 'int10', true), c('intvalue', 'int10', false), c('decvalue', 'number10,5', false),
    c('shortcharvalue', 'char255', false), c('charvalue', 'char1333', false), c('value', 'text', true), c('valueformat', 'int10', true),
    c('valuetrust', 'int2', true, 0), c('timecreated', 'int10', true), c('timemodified', 'int10', true), c('contextid', 'int10', false),
  ], [ux('instanceid, fieldid'), ix('fieldid, intvalue'), ix('fieldid, shortcharvalue'), ix('fieldid, decvalue')]),
  t('course_modules_viewed', 'core', [
    c('coursemoduleid', 'int10', true), c('userid', 'int10', true), c('timecreated', 'int10', true),
  ], [ix('coursemoduleid'), ux('userid, coursemoduleid')]),
  t('xapi_states', 'core', [
    c('component', 'char255', true), c('userid', 'int10', false), c('itemid', 'int10', true), c('stateid', 'char255', true),
    c('statedata', 'text', false), c('registration', 'char255', false), c('timecreated', 'int10', true), c('timemodified', 'int10', false),
  ], [ix('component, itemid'), ix('userid'), ix('timemodified')]),

  // admin/tool/log/store/standard/db/install.xml (stored copy: XMLDB VERSION 20140415, Moodle 2.7 era; the table has
  // kept this layout in 4.x)
  t('logstore_standard_log', 'logstore_standard', [
    c('eventname', 'char255', true), c('component', 'char100', true), c('action', 'char100', true), c('target', 'char100', true),
    c('objecttable', 'char50', false), c('objectid', 'int10', false), c('crud', 'char1', true), c('edulevel', 'int1', true),
    c('contextid', 'int10', true), c('contextlevel', 'int10', true), c('contextinstanceid', 'int10', true), c('userid', 'int10', true),
    c('courseid', 'int10', false), c('relateduserid', 'int10', false), c('anonymous', 'int1', true, 0), c('other', 'text', false),
    c('timecreated', 'int10', true), c('origin', 'char10', false), c('ip', 'char45', false), c('realuserid', 'int10', false),
  ], [
    ix('timecreated'), ix('courseid, anonymous, timecreated'),
    ix('userid, contextlevel, contextinstanceid, crud, edulevel, timecreated'),
  ]),

  // Activity modules: MOODLE_405_STABLE copy (XMLDB VERSION 20241007) unless a group says otherwise.

  // mod/assign/db/install.xml
  t('assign', 'mod_assign', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('alwaysshowdescription', 'int2', true, 0), c('nosubmissions', 'int2', true, 0), c('submissiondrafts', 'int2', true, 0),
    c('sendnotifications', 'int2', true, 0), c('sendlatenotifications', 'int2', true, 0), c('duedate', 'int10', true, 0),
    c('allowsubmissionsfromdate', 'int10', true, 0), c('grade', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('requiresubmissionstatement', 'int2', true, 0), c('completionsubmit', 'int2', true, 0), c('cutoffdate', 'int10', true, 0),
    c('gradingduedate', 'int10', true, 0), c('teamsubmission', 'int2', true, 0), c('requireallteammemberssubmit', 'int2', true, 0),
    c('teamsubmissiongroupingid', 'int10', true, 0), c('blindmarking', 'int2', true, 0), c('hidegrader', 'int2', true, 0),
    c('revealidentities', 'int2', true, 0), c('attemptreopenmethod', 'char10', true, 'untilpass'), c('maxattempts', 'int6', true, 1),
    c('markingworkflow', 'int2', true, 0), c('markingallocation', 'int2', true, 0), c('markinganonymous', 'int2', true, 0),
    c('sendstudentnotifications', 'int2', true, 1), c('preventsubmissionnotingroup', 'int2', true, 0), c('activity', 'text', false),
    c('activityformat', 'int4', true, 0), c('timelimit', 'int10', true, 0), c('submissionattachments', 'int2', true, 0),
  ], [ix('course'), ix('teamsubmissiongroupingid')]),
  t('assign_submission', 'mod_assign', [
    c('assignment', 'int10', true, 0), c('userid', 'int10', true, 0), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('timestarted', 'int10', false), c('status', 'char10', false), c('groupid', 'int10', true, 0), c('attemptnumber', 'int10', true, 0),
    c('latest', 'int2', true, 0),
  ], [
    ix('userid'), ix('attemptnumber'), ux('assignment, userid, groupid, attemptnumber'), ix('assignment, userid, groupid, latest'),
  ]),
  t('assign_grades', 'mod_assign', [
    c('assignment', 'int10', true, 0), c('userid', 'int10', true, 0), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('grader', 'int10', true, 0), c('grade', 'number10,5', false, 0), c('attemptnumber', 'int10', true, 0),
  ], [ix('userid'), ix('attemptnumber'), ux('assignment, userid, attemptnumber')]),
  t('assign_plugin_config', 'mod_assign', [
    c('assignment', 'int10', true, 0), c('plugin', 'char28', true), c('subtype', 'char28', true), c('name', 'char28', true),
    c('value', 'text', false),
  ], [ix('plugin'), ix('subtype'), ix('name')]),
  t('assign_user_mapping', 'mod_assign', [c('assignment', 'int10', true, 0), c('userid', 'int10', true, 0)]),
  t('assign_user_flags', 'mod_assign', [
    c('userid', 'int10', true, 0), c('assignment', 'int10', true, 0), c('locked', 'int10', true, 0), c('mailed', 'int4', true, 0),
    c('extensionduedate', 'int10', true, 0), c('workflowstate', 'char20', false), c('allocatedmarker', 'int10', true, 0),
  ], [ix('mailed')]),
  t('assign_overrides', 'mod_assign', [
    c('assignid', 'int10', true, 0), c('groupid', 'int10', false), c('userid', 'int10', false), c('sortorder', 'int10', false),
    c('allowsubmissionsfromdate', 'int10', false), c('duedate', 'int10', false), c('cutoffdate', 'int10', false), c('timelimit', 'int10', false),
  ]),

  // mod/forum/db/install.xml
  t('forum', 'mod_forum', [
    c('course', 'int10', true, 0), c('type', 'char20', true, 'general'), c('name', 'char1333', true), c('intro', 'text', true),
    c('introformat', 'int4', true, 0), c('duedate', 'int10', true, 0), c('cutoffdate', 'int10', true, 0), c('assessed', 'int10', true, 0),
    c('assesstimestart', 'int10', true, 0), c('assesstimefinish', 'int10', true, 0), c('scale', 'int10', true, 0),
    c('grade_forum', 'int10', true, 0), c('grade_forum_notify', 'int4', true, 0), c('maxbytes', 'int10', true, 0),
    c('maxattachments', 'int10', true, 1), c('forcesubscribe', 'int1', true, 0), c('trackingtype', 'int2', true, 1),
    c('rsstype', 'int2', true, 0), c('rssarticles', 'int2', true, 0), c('timemodified', 'int10', true, 0), c('warnafter', 'int10', true, 0),
    c('blockafter', 'int10', true, 0), c('blockperiod', 'int10', true, 0), c('completiondiscussions', 'int9', true, 0),
    c('completionreplies', 'int9', true, 0), c('completionposts', 'int9', true, 0), c('displaywordcount', 'int1', true, 0),
    c('lockdiscussionafter', 'int10', true, 0),
  ], [ix('course')]),
  t('forum_discussions', 'mod_forum', [
    c('course', 'int10', true, 0), c('forum', 'int10', true, 0), c('name', 'char255', true), c('firstpost', 'int10', true, 0),
    c('userid', 'int10', true, 0), c('groupid', 'int10', true, -1), c('assessed', 'int1', true, 1), c('timemodified', 'int10', true, 0),
    c('usermodified', 'int10', true, 0), c('timestart', 'int10', true, 0), c('timeend', 'int10', true, 0), c('pinned', 'int1', true, 0),
    c('timelocked', 'int10', true, 0),
  ], [ix('userid'), ix('course')]),
  t('forum_posts', 'mod_forum', [
    c('discussion', 'int10', true, 0), c('parent', 'int10', true, 0), c('userid', 'int10', true, 0), c('created', 'int10', true, 0),
    c('modified', 'int10', true, 0), c('mailed', 'int2', true, 0), c('subject', 'char255', true), c('message', 'text', true),
    c('messageformat', 'int2', true, 0), c('messagetrust', 'int2', true, 0), c('attachment', 'char100', true), c('totalscore', 'int4', true, 0),
    c('mailnow', 'int10', true, 0), c('deleted', 'int1', true, 0), c('privatereplyto', 'int10', true, 0), c('wordcount', 'int20', false),
    c('charcount', 'int20', false),
  ], [ix('userid'), ix('created'), ix('mailed'), ix('privatereplyto')]),
  t('forum_subscriptions', 'mod_forum', [
    c('userid', 'int10', true, 0), c('forum', 'int10', true, 0),
  ], [ux('userid, forum'), ix('userid')]),
  t('forum_digests', 'mod_forum', [
    c('userid', 'int10', true), c('forum', 'int10', true), c('maildigest', 'int1', true, -1),
  ], [ux('forum, userid, maildigest')]),
  t('forum_read', 'mod_forum', [
    c('userid', 'int10', true, 0), c('forumid', 'int10', true, 0), c('discussionid', 'int10', true, 0), c('postid', 'int10', true, 0),
    c('firstread', 'int10', true, 0), c('lastread', 'int10', true, 0),
  ], [ix('forumid, userid'), ix('discussionid, userid'), ix('postid, userid'), ix('userid')]),
  t('forum_track_prefs', 'mod_forum', [
    c('userid', 'int10', true, 0), c('forumid', 'int10', true, 0),
  ], [ix('userid, forumid')]),
  t('forum_discussion_subs', 'mod_forum', [
    c('forum', 'int10', true), c('userid', 'int10', true), c('discussion', 'int10', true), c('preference', 'int10', true, 1),
  ], [ux('userid, discussion')]),
  t('forum_grades', 'mod_forum', [
    c('forum', 'int10', true), c('itemnumber', 'int10', true), c('userid', 'int10', true), c('grade', 'number10,5', false),
    c('timecreated', 'int10', true), c('timemodified', 'int10', true),
  ], [ix('userid'), ux('forum, itemnumber, userid')]),

  // mod/quiz/db/install.xml
  t('quiz', 'mod_quiz', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('timeopen', 'int10', true, 0), c('timeclose', 'int10', true, 0), c('timelimit', 'int10', true, 0),
    c('overduehandling', 'char16', true, 'autoabandon'), c('graceperiod', 'int10', true, 0), c('preferredbehaviour', 'char32', true),
    c('canredoquestions', 'int4', true, 0), c('attempts', 'int6', true, 0), c('attemptonlast', 'int4', true, 0), c('grademethod', 'int4', true, 1),
    c('decimalpoints', 'int4', true, 2), c('questiondecimalpoints', 'int4', true, -1), c('reviewattempt', 'int6', true, 0),
    c('reviewcorrectness', 'int6', true, 0), c('reviewmaxmarks', 'int6', true, 0), c('reviewmarks', 'int6', true, 0),
    c('reviewspecificfeedback', 'int6', true, 0), c('reviewgeneralfeedback', 'int6', true, 0), c('reviewrightanswer', 'int6', true, 0),
    c('reviewoverallfeedback', 'int6', true, 0), c('questionsperpage', 'int10', true, 0), c('navmethod', 'char16', true, 'free'),
    c('shuffleanswers', 'int4', true, 0), c('sumgrades', 'number10,5', true, 0), c('grade', 'number10,5', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('password', 'char255', true), c('subnet', 'char255', true),
    c('browsersecurity', 'char32', true), c('delay1', 'int10', true, 0), c('delay2', 'int10', true, 0), c('showuserpicture', 'int4', true, 0),
    c('showblocks', 'int4', true, 0), c('completionattemptsexhausted', 'int1', false, 0), c('completionminattempts', 'int10', true, 0),
    c('allowofflineattempts', 'int1', false, 0),
  ], [ix('course')]),
  t('quiz_grade_items', 'mod_quiz', [
    c('quizid', 'int10', true), c('sortorder', 'int10', true), c('name', 'char255', true),
  ], [ux('quizid, sortorder')]),
  t('quiz_slots', 'mod_quiz', [
    c('slot', 'int10', true), c('quizid', 'int10', true, 0), c('page', 'int10', true), c('displaynumber', 'char16', false),
    c('requireprevious', 'int4', true, 0), c('maxmark', 'number12,7', true, 0), c('quizgradeitemid', 'int10', false),
  ], [ux('quizid, slot')]),
  t('quiz_sections', 'mod_quiz', [
    c('quizid', 'int10', true), c('firstslot', 'int10', true), c('heading', 'char1333', false), c('shufflequestions', 'int4', true, 0),
  ], [ux('quizid, firstslot')]),
  t('quiz_feedback', 'mod_quiz', [
    c('quizid', 'int10', true, 0), c('feedbacktext', 'text', true), c('feedbacktextformat', 'int2', true, 0),
    c('mingrade', 'number10,5', true, 0), c('maxgrade', 'number10,5', true, 0),
  ]),
  t('quiz_overrides', 'mod_quiz', [
    c('quiz', 'int10', true, 0), c('groupid', 'int10', false), c('userid', 'int10', false), c('timeopen', 'int10', false),
    c('timeclose', 'int10', false), c('timelimit', 'int10', false), c('attempts', 'int6', false), c('password', 'char255', false),
  ]),
  t('quiz_attempts', 'mod_quiz', [
    c('quiz', 'int10', true, 0), c('userid', 'int10', true, 0), c('attempt', 'int6', true, 0), c('uniqueid', 'int10', true, 0),
    c('layout', 'text', true), c('currentpage', 'int10', true, 0), c('preview', 'int3', true, 0), c('state', 'char16', true, 'inprogress'),
    c('timestart', 'int10', true, 0), c('timefinish', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('timemodifiedoffline', 'int10', true, 0), c('timecheckstate', 'int10', false, 0), c('sumgrades', 'number10,5', false),
    c('gradednotificationsenttime', 'int10', false),
  ], [ux('uniqueid'), ux('quiz, userid, attempt'), ix('state, timecheckstate')]),
  t('quiz_grades', 'mod_quiz', [
    c('quiz', 'int10', true, 0), c('userid', 'int10', true, 0), c('grade', 'number10,5', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('userid')]),

  // mod/page/db/install.xml
  t('page', 'mod_page', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('content', 'text', false), c('contentformat', 'int4', true, 0), c('legacyfiles', 'int4', true, 0), c('legacyfileslast', 'int10', false),
    c('display', 'int4', true, 0), c('displayoptions', 'text', false), c('revision', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('course')]),

  // mod/qbank/db/install.xml (Moodle 5.0: shared question banks; present in 5.0 backups)
  t('qbank', 'mod_qbank', [
    c('course', 'int10', true), c('name', 'char255', true), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('intro', 'text', false), c('introformat', 'int4', true, 0), c('type', 'char40', true),
  ]),

  // mod/url/db/install.xml
  t('url', 'mod_url', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('externalurl', 'text', true), c('display', 'int4', true, 0), c('displayoptions', 'text', false), c('parameters', 'text', false),
    c('timemodified', 'int10', true, 0),
  ], [ix('course')]),

  // mod/resource/db/install.xml
  t('resource', 'mod_resource', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('tobemigrated', 'int4', true, 0), c('legacyfiles', 'int4', true, 0), c('legacyfileslast', 'int10', false), c('display', 'int4', true, 0),
    c('displayoptions', 'text', false), c('filterfiles', 'int4', true, 0), c('revision', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('course')]),

  // mod/folder/db/install.xml
  t('folder', 'mod_folder', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('revision', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('display', 'int4', true, 0), c('showexpanded', 'int1', true, 1),
    c('showdownloadfolder', 'int1', true, 1), c('forcedownload', 'int1', true, 1),
  ], [ix('course')]),

  // mod/label/db/install.xml
  t('label', 'mod_label', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', false, 0),
    c('timemodified', 'int10', true, 0),
  ], [ix('course')]),

  // mod/book/db/install.xml
  t('book', 'mod_book', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('numbering', 'int4', true, 0), c('navstyle', 'int4', true, 1), c('customtitles', 'int2', true, 0), c('revision', 'int10', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ]),
  t('book_chapters', 'mod_book', [
    c('bookid', 'int10', true, 0), c('pagenum', 'int10', true, 0), c('subchapter', 'int10', true, 0), c('title', 'char1333', true),
    c('content', 'text', true), c('contentformat', 'int4', true, 0), c('hidden', 'int2', true, 0), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('importsrc', 'char255', true),
  ], [ix('bookid')]),

  // mod/glossary/db/install.xml
  t('glossary', 'mod_glossary', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('allowduplicatedentries', 'int2', true, 0), c('displayformat', 'char50', true, 'dictionary'), c('mainglossary', 'int2', true, 0),
    c('showspecial', 'int2', true, 1), c('showalphabet', 'int2', true, 1), c('showall', 'int2', true, 1), c('allowcomments', 'int2', true, 0),
    c('allowprintview', 'int2', true, 1), c('usedynalink', 'int2', true, 1), c('defaultapproval', 'int2', true, 1),
    c('approvaldisplayformat', 'char50', true, 'default'), c('globalglossary', 'int2', true, 0), c('entbypage', 'int3', true, 10),
    c('editalways', 'int2', true, 0), c('rsstype', 'int2', true, 0), c('rssarticles', 'int2', true, 0), c('assessed', 'int10', true, 0),
    c('assesstimestart', 'int10', true, 0), c('assesstimefinish', 'int10', true, 0), c('scale', 'int10', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('completionentries', 'int9', true, 0),
  ], [ix('course')]),
  t('glossary_entries', 'mod_glossary', [
    c('glossaryid', 'int10', true, 0), c('userid', 'int10', true, 0), c('concept', 'char255', true), c('definition', 'text', true),
    c('definitionformat', 'int2', true, 0), c('definitiontrust', 'int2', true, 0), c('attachment', 'char100', true),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('teacherentry', 'int2', true, 0),
    c('sourceglossaryid', 'int10', true, 0), c('usedynalink', 'int2', true, 1), c('casesensitive', 'int2', true, 0),
    c('fullmatch', 'int2', true, 1), c('approved', 'int2', true, 1),
  ], [ix('userid'), ix('concept')]),
  t('glossary_alias', 'mod_glossary', [c('entryid', 'int10', true, 0), c('alias', 'char255', true)]),
  t('glossary_categories', 'mod_glossary', [
    c('glossaryid', 'int10', true, 0), c('name', 'char255', true), c('usedynalink', 'int2', true, 1),
  ]),
  t('glossary_entries_categories', 'mod_glossary', [c('categoryid', 'int10', true, 0), c('entryid', 'int10', true, 0)]),

  // mod/wiki/db/install.xml
  t('wiki', 'mod_wiki', [
    c('course', 'int10', true, 0), c('name', 'char1333', true, 'Wiki'), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('firstpagetitle', 'char255', true, 'First Page'),
    c('wikimode', 'char20', true, 'collaborative'), c('defaultformat', 'char20', true, 'creole'), c('forceformat', 'int1', true, 1),
    c('editbegin', 'int10', true, 0), c('editend', 'int10', false, 0),
  ], [ix('course')]),
  t('wiki_subwikis', 'mod_wiki', [
    c('wikiid', 'int10', true, 0), c('groupid', 'int10', true, 0), c('userid', 'int10', true, 0),
  ], [ux('wikiid, groupid, userid')]),
  t('wiki_pages', 'mod_wiki', [
    c('subwikiid', 'int10', true, 0), c('title', 'char255', true, 'title'), c('cachedcontent', 'text', true), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('timerendered', 'int10', true, 0), c('userid', 'int10', true, 0), c('pageviews', 'int10', true, 0),
    c('readonly', 'int1', true, 0),
  ], [ux('subwikiid, title, userid')]),
  t('wiki_versions', 'mod_wiki', [
    c('pageid', 'int10', true, 0), c('content', 'text', true), c('contentformat', 'char20', true, 'creole'), c('version', 'int5', true, 0),
    c('timecreated', 'int10', true, 0), c('userid', 'int10', true, 0),
  ]),
  t('wiki_synonyms', 'mod_wiki', [
    c('subwikiid', 'int10', true, 0), c('pageid', 'int10', true, 0), c('pagesynonym', 'char255', true, 'Pagesynonym'),
  ], [ux('pageid, pagesynonym')]),
  t('wiki_links', 'mod_wiki', [
    c('subwikiid', 'int10', true, 0), c('frompageid', 'int10', true, 0), c('topageid', 'int10', true, 0), c('tomissingpage', 'char255', false),
  ]),

  // mod/data/db/install.xml
  t('data', 'mod_data', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('comments', 'int4', true, 0), c('timeavailablefrom', 'int10', true, 0), c('timeavailableto', 'int10', true, 0),
    c('timeviewfrom', 'int10', true, 0), c('timeviewto', 'int10', true, 0), c('requiredentries', 'int8', true, 0),
    c('requiredentriestoview', 'int8', true, 0), c('maxentries', 'int8', true, 0), c('rssarticles', 'int4', true, 0),
    c('singletemplate', 'text', false), c('listtemplate', 'text', false), c('listtemplateheader', 'text', false),
    c('listtemplatefooter', 'text', false), c('addtemplate', 'text', false), c('rsstemplate', 'text', false),
    c('rsstitletemplate', 'text', false), c('csstemplate', 'text', false), c('jstemplate', 'text', false),
    c('asearchtemplate', 'text', false), c('approval', 'int4', true, 0), c('manageapproved', 'int4', true, 1), c('scale', 'int10', true, 0),
    c('assessed', 'int10', true, 0), c('assesstimestart', 'int10', true, 0), c('assesstimefinish', 'int10', true, 0),
    c('defaultsort', 'int10', true, 0), c('defaultsortdir', 'int4', true, 0), c('editany', 'int4', true, 0),
    c('notification', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('config', 'text', false),
    c('completionentries', 'int10', false, 0),
  ], [ix('course')]),
  t('data_fields', 'mod_data', [
    c('dataid', 'int10', true, 0), c('type', 'char255', true), c('name', 'char255', true), c('description', 'text', true),
    c('required', 'int1', true, 0), c('param1', 'text', false), c('param2', 'text', false), c('param3', 'text', false),
    c('param4', 'text', false), c('param5', 'text', false), c('param6', 'text', false), c('param7', 'text', false),
    c('param8', 'text', false), c('param9', 'text', false), c('param10', 'text', false),
  ], [ix('type, dataid')]),
  t('data_records', 'mod_data', [
    c('userid', 'int10', true, 0), c('groupid', 'int10', true, 0), c('dataid', 'int10', true, 0), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('approved', 'int4', true, 0),
  ]),
  t('data_content', 'mod_data', [
    c('fieldid', 'int10', true, 0), c('recordid', 'int10', true, 0), c('content', 'text', false), c('content1', 'text', false),
    c('content2', 'text', false), c('content3', 'text', false), c('content4', 'text', false),
  ]),

  // mod/choice/db/install.xml
  t('choice', 'mod_choice', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('publish', 'int2', true, 0), c('showresults', 'int2', true, 0), c('display', 'int4', true, 0), c('allowupdate', 'int2', true, 0),
    c('allowmultiple', 'int2', true, 0), c('showunanswered', 'int2', true, 0), c('includeinactive', 'int2', true, 1),
    c('limitanswers', 'int2', true, 0), c('timeopen', 'int10', true, 0), c('timeclose', 'int10', true, 0), c('showpreview', 'int2', true, 0),
    c('timemodified', 'int10', true, 0), c('completionsubmit', 'int1', true, 0), c('showavailable', 'int1', true, 0),
  ], [ix('course')]),
  t('choice_options', 'mod_choice', [
    c('choiceid', 'int10', true, 0), c('text', 'text', false), c('maxanswers', 'int10', false, 0), c('timemodified', 'int10', true, 0),
  ]),
  t('choice_answers', 'mod_choice', [
    c('choiceid', 'int10', true, 0), c('userid', 'int10', true, 0), c('optionid', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('userid')]),

  // mod/feedback/db/install.xml
  t('feedback', 'mod_feedback', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('anonymous', 'int1', true, 1), c('email_notification', 'int1', true, 1), c('multiple_submit', 'int1', true, 1),
    c('autonumbering', 'int1', true, 1), c('site_after_submit', 'char255', true), c('page_after_submit', 'text', true),
    c('page_after_submitformat', 'int2', true, 0), c('publish_stats', 'int1', true, 0), c('timeopen', 'int10', true, 0),
    c('timeclose', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('completionsubmit', 'int1', true, 0),
  ], [ix('course')]),
  t('feedback_item', 'mod_feedback', [
    c('feedback', 'int10', true, 0), c('template', 'int10', true, 0), c('name', 'char1333', true), c('label', 'char255', true),
    c('presentation', 'text', true), c('typ', 'char255', true), c('hasvalue', 'int1', true, 0), c('position', 'int3', true, 0),
    c('required', 'int1', true, 0), c('dependitem', 'int10', true, 0), c('dependvalue', 'char255', true), c('options', 'char255', true),
  ]),
  t('feedback_completed', 'mod_feedback', [
    c('feedback', 'int10', true, 0), c('userid', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('random_response', 'int10', true, 0),
    c('anonymous_response', 'int1', true, 0), c('courseid', 'int10', true, 0),
  ], [ix('userid')]),
  t('feedback_value', 'mod_feedback', [
    c('course_id', 'int10', true, 0), c('item', 'int10', true, 0), c('completed', 'int10', true, 0), c('tmp_completed', 'int10', true, 0),
    c('value', 'text', true),
  ], [ix('course_id'), ux('completed, item, course_id')]),

  // mod/lesson/db/install.xml
  t('lesson', 'mod_lesson', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('practice', 'int3', true, 0), c('modattempts', 'int3', true, 0), c('usepassword', 'int3', true, 0), c('password', 'char32', true),
    c('dependency', 'int10', true, 0), c('conditions', 'text', true), c('grade', 'int10', true, 0), c('custom', 'int3', true, 0),
    c('ongoing', 'int3', true, 0), c('usemaxgrade', 'int3', true, 0), c('maxanswers', 'int3', true, 4), c('maxattempts', 'int3', true, 5),
    c('review', 'int3', true, 0), c('nextpagedefault', 'int3', true, 0), c('feedback', 'int3', true, 1), c('minquestions', 'int3', true, 0),
    c('maxpages', 'int3', true, 0), c('timelimit', 'int10', true, 0), c('retake', 'int3', true, 1), c('activitylink', 'int10', true, 0),
    c('mediafile', 'char255', true), c('mediaheight', 'int10', true, 100), c('mediawidth', 'int10', true, 650), c('mediaclose', 'int3', true, 0),
    c('slideshow', 'int3', true, 0), c('width', 'int10', true, 640), c('height', 'int10', true, 480), c('bgcolor', 'char7', true, '#FFFFFF'),
    c('displayleft', 'int3', true, 0), c('displayleftif', 'int3', true, 0), c('progressbar', 'int3', true, 0), c('available', 'int10', true, 0),
    c('deadline', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('completionendreached', 'int1', false, 0),
    c('completiontimespent', 'int11', false, 0), c('allowofflineattempts', 'int1', false, 0),
  ], [ix('course')]),
  t('lesson_pages', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('prevpageid', 'int10', true, 0), c('nextpageid', 'int10', true, 0), c('qtype', 'int3', true, 0),
    c('qoption', 'int3', true, 0), c('layout', 'int3', true, 1), c('display', 'int3', true, 1), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('title', 'char255', true), c('contents', 'text', true), c('contentsformat', 'int2', true, 0),
  ]),
  t('lesson_answers', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('pageid', 'int10', true, 0), c('jumpto', 'int11', true, 0), c('grade', 'int4', true, 0),
    c('score', 'int10', true, 0), c('flags', 'int3', true, 0), c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('answer', 'text', false), c('answerformat', 'int2', true, 0), c('response', 'text', false), c('responseformat', 'int2', true, 0),
  ]),
  t('lesson_attempts', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('pageid', 'int10', true, 0), c('userid', 'int10', true, 0), c('answerid', 'int10', true, 0),
    c('retry', 'int3', true, 0), c('correct', 'int10', true, 0), c('useranswer', 'text', false), c('timeseen', 'int10', true, 0),
  ], [ix('userid')]),
  t('lesson_grades', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('userid', 'int10', true, 0), c('grade', 'float', true, 0), c('late', 'int3', true, 0),
    c('completed', 'int10', true, 0),
  ], [ix('userid')]),
  t('lesson_timer', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('userid', 'int10', true, 0), c('starttime', 'int10', true, 0), c('lessontime', 'int10', true, 0),
    c('completed', 'int1', false, 0), c('timemodifiedoffline', 'int10', true, 0),
  ], [ix('userid')]),
  t('lesson_branch', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('userid', 'int10', true, 0), c('pageid', 'int10', true, 0), c('retry', 'int10', true, 0),
    c('flag', 'int3', true, 0), c('timeseen', 'int10', true, 0), c('nextpageid', 'int10', true, 0),
  ], [ix('userid')]),
  t('lesson_overrides', 'mod_lesson', [
    c('lessonid', 'int10', true, 0), c('groupid', 'int10', false), c('userid', 'int10', false), c('available', 'int10', false),
    c('deadline', 'int10', false), c('timelimit', 'int10', false), c('review', 'int3', false), c('maxattempts', 'int3', false),
    c('retake', 'int3', false), c('password', 'char32', false),
  ]),

  // mod/h5pactivity/db/install.xml
  t('h5pactivity', 'mod_h5pactivity', [
    c('course', 'int10', true), c('name', 'char1333', true), c('timecreated', 'int10', true), c('timemodified', 'int10', true),
    c('intro', 'text', false), c('introformat', 'int4', true, 0), c('grade', 'int10', false, 0), c('displayoptions', 'int4', true, 0),
    c('enabletracking', 'int1', true, 1), c('grademethod', 'int4', true, 1), c('reviewmode', 'int4', false, 1),
  ]),
  t('h5pactivity_attempts', 'mod_h5pactivity', [
    c('h5pactivityid', 'int10', true), c('userid', 'int20', true), c('timecreated', 'int10', true), c('timemodified', 'int10', true),
    c('attempt', 'int6', true, 1), c('rawscore', 'int10', false, 0), c('maxscore', 'int10', false, 0), c('scaled', 'number10,5', true, 0),
    c('duration', 'int10', false, 0), c('completion', 'int1', false), c('success', 'int1', false),
  ], [ux('h5pactivityid, userid, attempt'), ix('timecreated'), ix('h5pactivityid, timecreated'), ix('h5pactivityid, userid')]),
  t('h5pactivity_attempts_results', 'mod_h5pactivity', [
    c('attemptid', 'int10', true), c('subcontent', 'char128', false), c('timecreated', 'int10', true), c('interactiontype', 'char128', false),
    c('description', 'text', false), c('correctpattern', 'text', false), c('response', 'text', true), c('additionals', 'text', false),
    c('rawscore', 'int10', true, 0), c('maxscore', 'int10', true, 0), c('duration', 'int10', false, 0), c('completion', 'int1', false),
    c('success', 'int1', false),
  ], [ix('attemptid, timecreated')]),

  // mod/workshop/db/install.xml
  t('workshop', 'mod_workshop', [
    c('course', 'int10', true), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int3', true, 0),
    c('instructauthors', 'text', false), c('instructauthorsformat', 'int3', true, 0), c('instructreviewers', 'text', false),
    c('instructreviewersformat', 'int3', true, 0), c('timemodified', 'int10', true), c('phase', 'int3', false, 0),
    c('useexamples', 'int2', false, 0), c('usepeerassessment', 'int2', false, 0), c('useselfassessment', 'int2', false, 0),
    c('grade', 'number10,5', false, 80), c('gradinggrade', 'number10,5', false, 20), c('strategy', 'char30', true),
    c('evaluation', 'char30', true), c('gradedecimals', 'int3', false, 0), c('submissiontypetext', 'int1', true, 1),
    c('submissiontypefile', 'int1', true, 1), c('nattachments', 'int3', false, 1), c('submissionfiletypes', 'char255', false),
    c('latesubmissions', 'int2', false, 0), c('maxbytes', 'int10', false, 100000), c('examplesmode', 'int3', false, 0),
    c('submissionstart', 'int10', false, 0), c('submissionend', 'int10', false, 0), c('assessmentstart', 'int10', false, 0),
    c('assessmentend', 'int10', false, 0), c('phaseswitchassessment', 'int2', true, 0), c('conclusion', 'text', false),
    c('conclusionformat', 'int3', true, 1), c('overallfeedbackmode', 'int3', false, 1), c('overallfeedbackfiles', 'int3', false, 0),
    c('overallfeedbackfiletypes', 'char255', false), c('overallfeedbackmaxbytes', 'int10', false, 100000),
  ]),
  t('workshop_submissions', 'mod_workshop', [
    c('workshopid', 'int10', true), c('example', 'int2', false, 0), c('authorid', 'int10', true), c('timecreated', 'int10', true),
    c('timemodified', 'int10', true), c('title', 'char255', true), c('content', 'text', false), c('contentformat', 'int3', true, 0),
    c('contenttrust', 'int3', true, 0), c('attachment', 'int2', false, 0), c('grade', 'number10,5', false), c('gradeover', 'number10,5', false),
    c('gradeoverby', 'int10', false), c('feedbackauthor', 'text', false), c('feedbackauthorformat', 'int3', false, 0),
    c('timegraded', 'int10', false), c('published', 'int2', false, 0), c('late', 'int2', true, 0),
  ]),
  t('workshop_assessments', 'mod_workshop', [
    c('submissionid', 'int10', true), c('reviewerid', 'int10', true), c('weight', 'int10', true, 1), c('timecreated', 'int10', false, 0),
    c('timemodified', 'int10', false, 0), c('grade', 'number10,5', false), c('gradinggrade', 'number10,5', false),
    c('gradinggradeover', 'number10,5', false), c('gradinggradeoverby', 'int10', false), c('feedbackauthor', 'text', false),
    c('feedbackauthorformat', 'int3', false, 0), c('feedbackauthorattachment', 'int3', false, 0), c('feedbackreviewer', 'text', false),
    c('feedbackreviewerformat', 'int3', false, 0),
  ]),
  t('workshop_grades', 'mod_workshop', [
    c('assessmentid', 'int10', true), c('strategy', 'char30', true), c('dimensionid', 'int10', true), c('grade', 'number10,5', false),
    c('peercomment', 'text', false), c('peercommentformat', 'int3', false, 0),
  ], [ux('assessmentid, strategy, dimensionid')]),
  t('workshop_aggregations', 'mod_workshop', [
    c('workshopid', 'int10', true), c('userid', 'int10', true), c('gradinggrade', 'number10,5', false), c('timegraded', 'int10', false),
  ], [ux('workshopid, userid')]),

  // mod/scorm/db/install.xml (4.3+ layout: scorm_attempt / scorm_scoes_value / scorm_element replace scorm_scoes_track)
  t('scorm', 'mod_scorm', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('scormtype', 'char50', true, 'local'), c('reference', 'char255', true),
    c('intro', 'text', true), c('introformat', 'int4', true, 0), c('version', 'char9', true), c('maxgrade', 'float', true, 0),
    c('grademethod', 'int2', true, 0), c('whatgrade', 'int10', true, 0), c('maxattempt', 'int10', true, 1), c('forcecompleted', 'int1', true, 0),
    c('forcenewattempt', 'int1', true, 0), c('lastattemptlock', 'int1', true, 0), c('masteryoverride', 'int1', true, 1),
    c('displayattemptstatus', 'int1', true, 1), c('displaycoursestructure', 'int1', true, 0), c('updatefreq', 'int1', true, 0),
    c('sha1hash', 'char40', false), c('md5hash', 'char32', true), c('revision', 'int10', true, 0), c('launch', 'int10', true, 0),
    c('skipview', 'int1', true, 1), c('hidebrowse', 'int1', true, 0), c('hidetoc', 'int1', true, 0), c('nav', 'int1', true, 1),
    c('navpositionleft', 'int10', false, -100), c('navpositiontop', 'int10', false, -100), c('auto', 'int1', true, 0),
    c('popup', 'int1', true, 0), c('options', 'char255', true), c('width', 'int10', true, 100), c('height', 'int10', true, 600),
    c('timeopen', 'int10', true, 0), c('timeclose', 'int10', true, 0), c('timemodified', 'int10', true, 0),
    c('completionstatusrequired', 'int1', false), c('completionscorerequired', 'int10', false), c('completionstatusallscos', 'int1', false),
    c('autocommit', 'int1', true, 0),
  ], [ix('course')]),
  t('scorm_scoes', 'mod_scorm', [
    c('scorm', 'int10', true, 0), c('manifest', 'char255', true), c('organization', 'char255', true), c('parent', 'char255', true),
    c('identifier', 'char255', true), c('launch', 'text', true), c('scormtype', 'char5', true), c('title', 'char255', true),
    c('sortorder', 'int10', true, 0),
  ]),
  t('scorm_scoes_data', 'mod_scorm', [c('scoid', 'int10', true, 0), c('name', 'char255', true), c('value', 'text', true)]),
  t('scorm_attempt', 'mod_scorm', [
    c('userid', 'int10', true), c('scormid', 'int10', true), c('attempt', 'int10', true, 1),
  ]),
  t('scorm_element', 'mod_scorm', [c('element', 'char255', true)], [ux('element')]),
  t('scorm_scoes_value', 'mod_scorm', [
    c('scoid', 'int10', true), c('attemptid', 'int10', true), c('elementid', 'int10', true), c('value', 'text', true),
    c('timemodified', 'int10', true, 0),
  ]),

  // mod/imscp/db/install.xml
  t('imscp', 'mod_imscp', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', true, 0),
    c('revision', 'int10', true, 0), c('keepold', 'int10', true, -1), c('structure', 'text', false), c('timemodified', 'int10', true, 0),
  ], [ix('course')]),

  // mod/bigbluebuttonbn/db/install.xml
  t('bigbluebuttonbn', 'mod_bigbluebuttonbn', [
    c('type', 'int2', true, 0), c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false),
    c('introformat', 'int4', true, 1), c('meetingid', 'char255', true), c('moderatorpass', 'char255', true), c('viewerpass', 'char255', true),
    c('wait', 'int1', true, 0), c('record', 'int1', true, 0), c('recordallfromstart', 'int1', true, 0), c('recordhidebutton', 'int1', true, 0),
    c('welcome', 'text', false), c('voicebridge', 'int5', true, 0), c('openingtime', 'int10', true, 0), c('closingtime', 'int10', true, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('presentation', 'text', false),
    c('participants', 'text', false), c('userlimit', 'int3', true, 0), c('recordings_html', 'int1', true, 0),
    c('recordings_deleted', 'int1', true, 1), c('recordings_imported', 'int1', true, 0), c('recordings_preview', 'int1', true, 0),
    c('clienttype', 'int1', true, 0), c('muteonstart', 'int1', true, 0), c('disablecam', 'int1', true, 0), c('disablemic', 'int1', true, 0),
    c('disableprivatechat', 'int1', true, 0), c('disablepublicchat', 'int1', true, 0), c('disablenote', 'int1', true, 0),
    c('hideuserlist', 'int1', true, 0), c('completionattendance', 'int9', true, 0), c('completionengagementchats', 'int9', true, 0),
    c('completionengagementtalks', 'int9', true, 0), c('completionengagementraisehand', 'int9', true, 0),
    c('completionengagementpollvotes', 'int9', true, 0), c('completionengagementemojis', 'int9', true, 0),
    c('guestallowed', 'int2', false, 0), c('mustapproveuser', 'int2', false, 1), c('guestlinkuid', 'char1024', false),
    c('guestpassword', 'char255', false), c('showpresentation', 'int1', true, 1),
  ]),
  t('bigbluebuttonbn_logs', 'mod_bigbluebuttonbn', [
    c('courseid', 'int10', true), c('bigbluebuttonbnid', 'int10', true), c('userid', 'int10', false), c('timecreated', 'int10', true, 0),
    c('meetingid', 'char256', true), c('log', 'char32', true), c('meta', 'text', false),
  ], [
    ix('courseid'), ix('log'), ix('courseid, bigbluebuttonbnid, userid, log'), ix('userid, log'), ix('courseid, bigbluebuttonbnid'),
  ]),
  t('bigbluebuttonbn_recordings', 'mod_bigbluebuttonbn', [
    c('courseid', 'int10', true), c('bigbluebuttonbnid', 'int10', true), c('groupid', 'int10', false), c('recordingid', 'char64', true),
    c('headless', 'int1', true, 0), c('imported', 'int1', true, 0), c('status', 'int1', true, 0), c('importeddata', 'text', false),
    c('timecreated', 'int10', true, 0), c('usermodified', 'int10', true, 0), c('timemodified', 'int10', true, 0),
  ], [ix('courseid'), ix('recordingid')]),

  // mod/lti/db/install.xml
  t('lti', 'mod_lti', [
    c('course', 'int10', true, 0), c('name', 'char1333', true), c('intro', 'text', false), c('introformat', 'int4', false, 0),
    c('timecreated', 'int10', true, 0), c('timemodified', 'int10', true, 0), c('typeid', 'int10', false), c('toolurl', 'text', true),
    c('securetoolurl', 'text', false), c('instructorchoicesendname', 'int1', false), c('instructorchoicesendemailaddr', 'int1', false),
    c('instructorchoiceallowroster', 'int1', false), c('instructorchoiceallowsetting', 'int1', false),
    c('instructorcustomparameters', 'text', false), c('instructorchoiceacceptgrades', 'int1', false), c('grade', 'int10', true, 100),
    c('launchcontainer', 'int2', true, 1), c('resourcekey', 'char255', false), c('password', 'char255', false),
    c('debuglaunch', 'int1', true, 0), c('showtitlelaunch', 'int1', true, 0), c('showdescriptionlaunch', 'int1', true, 0),
    c('servicesalt', 'char40', false), c('icon', 'text', false), c('secureicon', 'text', false),
  ], [ix('course')]),
  t('lti_submission', 'mod_lti', [
    c('ltiid', 'int10', true), c('userid', 'int10', true), c('datesubmitted', 'int10', true), c('dateupdated', 'int10', true),
    c('gradepercent', 'number10,5', true), c('originalgrade', 'number10,5', true), c('launchid', 'int10', true), c('state', 'int2', true),
  ], [ix('ltiid')]),

  // mod/chat/db/install.xml (stored copy: XMLDB VERSION 20220530, Moodle 4.1 era, from a rebranded fork whose table and
  // field names are Moodle's)
  t('chat', 'mod_chat', [
    c('course', 'int10', true, 0), c('name', 'char255', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('keepdays', 'int11', true, 0), c('studentlogs', 'int4', true, 0), c('chattime', 'int10', true, 0), c('schedule', 'int4', true, 0),
    c('timemodified', 'int10', true, 0),
  ], [ix('course')]),
  t('chat_messages', 'mod_chat', [
    c('chatid', 'int10', true, 0), c('userid', 'int10', true, 0), c('groupid', 'int10', true, 0), c('issystem', 'int1', true, 0),
    c('message', 'text', true), c('timestamp', 'int10', true, 0),
  ], [ix('userid'), ix('groupid'), ix('timestamp, chatid')]),

  // mod/survey/db/install.xml (same stored copy as mod_chat; XMLDB VERSION 20160615)
  t('survey', 'mod_survey', [
    c('course', 'int10', true, 0), c('template', 'int10', true, 0), c('days', 'int6', true, 0), c('timecreated', 'int10', true, 0),
    c('timemodified', 'int10', true, 0), c('name', 'char255', true), c('intro', 'text', true), c('introformat', 'int4', true, 0),
    c('questions', 'char255', true), c('completionsubmit', 'int1', true, 0),
  ], [ix('course')]),
  // The built-in survey questions (mod/survey/db/install.xml; rows from install.php, seeded by site-seed.ts).
  t('survey_questions', 'mod_survey', [
    c('text', 'char255', true, ''), c('shorttext', 'char30', true, ''), c('multi', 'char100', true, ''), c('intro', 'char50', true, ''),
    c('type', 'int3', true, 0), c('options', 'text', false),
  ]),
  t('survey_answers', 'mod_survey', [
    c('userid', 'int10', true, 0), c('survey', 'int10', true, 0), c('question', 'int10', true, 0), c('time', 'int10', true, 0),
    c('answer1', 'text', true), c('answer2', 'text', true),
  ], [ix('userid')]),
  t('survey_analysis', 'mod_survey', [
    c('survey', 'int10', true, 0), c('userid', 'int10', true, 0), c('notes', 'text', true),
  ], [ix('userid')]),

  // mod/assign/submission/onlinetext/db/install.xml (XMLDB VERSION 20120423; unchanged since Moodle 2.3)
  t('assignsubmission_onlinetext', 'assignsubmission_onlinetext', [
    c('assignment', 'int10', true, 0), c('submission', 'int10', true, 0), c('onlinetext', 'text', false), c('onlineformat', 'int4', true, 0),
  ]),
  // mod/assign/submission/file/db/install.xml (XMLDB VERSION 20120423)
  t('assignsubmission_file', 'assignsubmission_file', [
    c('assignment', 'int10', true, 0), c('submission', 'int10', true, 0), c('numfiles', 'int10', true, 0),
  ]),
  // mod/assign/feedback/comments/db/install.xml (XMLDB VERSION 20120423)
  t('assignfeedback_comments', 'assignfeedback_comments', [
    c('assignment', 'int10', true, 0), c('grade', 'int10', true, 0), c('commenttext', 'text', false), c('commentformat', 'int4', true, 0),
  ]),
  // mod/assign/feedback/file/db/install.xml (XMLDB VERSION 20120423)
  t('assignfeedback_file', 'assignfeedback_file', [
    c('assignment', 'int10', true, 0), c('grade', 'int10', true, 0), c('numfiles', 'int10', true, 0),
  ]),

  // Question types: stored copy at Moodle 4.1 (a rebranded fork whose table and field names are Moodle's;
  // these install.xml files date from 2012-2022 and have not changed since).

  // question/type/multichoice/db/install.xml
  t('qtype_multichoice_options', 'qtype_multichoice', [
    c('questionid', 'int10', true, 0), c('layout', 'int4', true, 0), c('single', 'int4', true, 0), c('shuffleanswers', 'int4', true, 1),
    c('correctfeedback', 'text', true), c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', true),
    c('partiallycorrectfeedbackformat', 'int2', true, 0), c('incorrectfeedback', 'text', true), c('incorrectfeedbackformat', 'int2', true, 0),
    c('answernumbering', 'char10', true, 'abc'), c('shownumcorrect', 'int2', true, 0), c('showstandardinstruction', 'int2', true, 1),
  ], [ux('questionid')]),

  // question/type/truefalse/db/install.xml
  t('question_truefalse', 'qtype_truefalse', [
    c('question', 'int10', true, 0), c('trueanswer', 'int10', true, 0), c('falseanswer', 'int10', true, 0),
    c('showstandardinstruction', 'int2', true, 1),
  ]),

  // question/type/shortanswer/db/install.xml
  t('qtype_shortanswer_options', 'qtype_shortanswer', [
    c('questionid', 'int10', true, 0), c('usecase', 'int2', true, 0),
  ], [ux('questionid')]),

  // question/type/numerical/db/install.xml
  t('question_numerical', 'qtype_numerical', [
    c('question', 'int10', true, 0), c('answer', 'int10', true, 0), c('tolerance', 'char255', true, '0.0'),
  ], [ix('answer')]),
  t('question_numerical_options', 'qtype_numerical', [
    c('question', 'int10', true, 0), c('showunits', 'int4', true, 0), c('unitsleft', 'int4', true, 0), c('unitgradingtype', 'int4', true, 0),
    c('unitpenalty', 'number12,7', true, 0.1),
  ]),
  t('question_numerical_units', 'qtype_numerical', [
    c('question', 'int10', true, 0), c('multiplier', 'number38,19', true, 1), c('unit', 'char50', true),
  ], [ux('question, unit')]),

  // question/type/match/db/install.xml
  t('qtype_match_options', 'qtype_match', [
    c('questionid', 'int10', true, 0), c('shuffleanswers', 'int4', true, 1), c('correctfeedback', 'text', true),
    c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', true), c('partiallycorrectfeedbackformat', 'int2', true, 0),
    c('incorrectfeedback', 'text', true), c('incorrectfeedbackformat', 'int2', true, 0), c('shownumcorrect', 'int2', true, 0),
  ], [ux('questionid')]),
  t('qtype_match_subquestions', 'qtype_match', [
    c('questionid', 'int10', true, 0), c('questiontext', 'text', true), c('questiontextformat', 'int2', true, 0), c('answertext', 'char255', true),
  ]),

  // question/type/essay/db/install.xml
  t('qtype_essay_options', 'qtype_essay', [
    c('questionid', 'int10', true), c('responseformat', 'char16', true, 'editor'), c('responserequired', 'int2', true, 1),
    c('responsefieldlines', 'int4', true, 15), c('minwordlimit', 'int10', false), c('maxwordlimit', 'int10', false),
    c('attachments', 'int4', true, 0), c('attachmentsrequired', 'int4', true, 0), c('graderinfo', 'text', false),
    c('graderinfoformat', 'int4', true, 0), c('responsetemplate', 'text', false), c('responsetemplateformat', 'int4', true, 0),
    c('maxbytes', 'int10', true, 0), c('filetypeslist', 'text', false),
  ], [ux('questionid')]),

  // question/type/ddwtos/db/install.xml
  t('question_ddwtos', 'qtype_ddwtos', [
    c('questionid', 'int10', true, 0), c('shuffleanswers', 'int4', true, 1), c('correctfeedback', 'text', true),
    c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', true), c('partiallycorrectfeedbackformat', 'int2', true, 0),
    c('incorrectfeedback', 'text', true), c('incorrectfeedbackformat', 'int2', true, 0), c('shownumcorrect', 'int2', true, 0),
  ]),

  // question/type/gapselect/db/install.xml
  t('question_gapselect', 'qtype_gapselect', [
    c('questionid', 'int10', true, 0), c('shuffleanswers', 'int4', true, 1), c('correctfeedback', 'text', true),
    c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', true), c('partiallycorrectfeedbackformat', 'int2', true, 0),
    c('incorrectfeedback', 'text', true), c('incorrectfeedbackformat', 'int2', true, 0), c('shownumcorrect', 'int2', true, 0),
  ]),

  // question/type/randomsamatch/db/install.xml
  t('qtype_randomsamatch_options', 'qtype_randomsamatch', [
    c('questionid', 'int10', true, 0), c('choose', 'int10', true, 4), c('subcats', 'int2', true, 1), c('correctfeedback', 'text', true),
    c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', true), c('partiallycorrectfeedbackformat', 'int2', true, 0),
    c('incorrectfeedback', 'text', true), c('incorrectfeedbackformat', 'int2', true, 0), c('shownumcorrect', 'int2', true, 0),
  ], [ux('questionid')]),

  // question/type/calculated/db/install.xml (also holds the dataset tables shared by calculated* question types)
  t('question_calculated', 'qtype_calculated', [
    c('question', 'int10', true, 0), c('answer', 'int10', true, 0), c('tolerance', 'char20', true, '0.0'), c('tolerancetype', 'int10', true, 1),
    c('correctanswerlength', 'int10', true, 2), c('correctanswerformat', 'int10', true, 2),
  ], [ix('answer')]),
  t('question_calculated_options', 'qtype_calculated', [
    c('question', 'int10', true, 0), c('synchronize', 'int2', true, 0), c('single', 'int4', true, 0), c('shuffleanswers', 'int4', true, 0),
    c('correctfeedback', 'text', false), c('correctfeedbackformat', 'int2', true, 0), c('partiallycorrectfeedback', 'text', false),
    c('partiallycorrectfeedbackformat', 'int2', true, 0), c('incorrectfeedback', 'text', false), c('incorrectfeedbackformat', 'int2', true, 0),
    c('answernumbering', 'char10', true, 'abc'), c('shownumcorrect', 'int2', true, 0),
  ]),
  t('question_dataset_definitions', 'qtype_calculated', [
    c('category', 'int10', true, 0), c('name', 'char255', true), c('type', 'int10', true, 0), c('options', 'char255', true),
    c('itemcount', 'int10', true, 0),
  ]),
  t('question_dataset_items', 'qtype_calculated', [
    c('definition', 'int10', true, 0), c('itemnumber', 'int10', true, 0), c('value', 'char255', true),
  ], [ix('definition')]),
  t('question_datasets', 'qtype_calculated', [
    c('question', 'int10', true, 0), c('datasetdefinition', 'int10', true, 0),
  ], [ix('question, datasetdefinition')]),

  // question/type/multianswer/db/install.xml
  t('question_multianswer', 'qtype_multianswer', [c('question', 'int10', true, 0), c('sequence', 'text', true)]),

  // Workshop grading strategies (mod/workshop/form/*): XMLDB VERSION 20120122, unchanged since Moodle 2.3; the
  // accumulative/comments/numerrors copies are the Moodle 4.1-era fork above, rubric is from moodle/moodle.

  // mod/workshop/form/accumulative/db/install.xml
  t('workshopform_accumulative', 'workshopform_accumulative', [
    c('workshopid', 'int10', true), c('sort', 'int10', false, 0), c('description', 'text', false), c('descriptionformat', 'int3', false, 0),
    c('grade', 'int10', true), c('weight', 'int5', false, 1),
  ]),

  // mod/workshop/form/comments/db/install.xml
  t('workshopform_comments', 'workshopform_comments', [
    c('workshopid', 'int10', true), c('sort', 'int10', false, 0), c('description', 'text', false), c('descriptionformat', 'int3', false, 0),
  ]),

  // mod/workshop/form/numerrors/db/install.xml
  t('workshopform_numerrors', 'workshopform_numerrors', [
    c('workshopid', 'int10', true), c('sort', 'int10', false, 0), c('description', 'text', false), c('descriptionformat', 'int3', false, 0),
    c('descriptiontrust', 'int10', false), c('grade0', 'char50', false), c('grade1', 'char50', false), c('weight', 'int5', false, 1),
  ]),
  t('workshopform_numerrors_map', 'workshopform_numerrors', [
    c('workshopid', 'int10', true), c('nonegative', 'int10', true), c('grade', 'number10,5', true),
  ], [ux('workshopid, nonegative')]),

  // mod/workshop/form/rubric/db/install.xml
  t('workshopform_rubric', 'workshopform_rubric', [
    c('workshopid', 'int10', true), c('sort', 'int10', false, 0), c('description', 'text', false), c('descriptionformat', 'int3', false, 0),
  ]),
  t('workshopform_rubric_levels', 'workshopform_rubric', [
    c('dimensionid', 'int10', true), c('grade', 'number10,5', true), c('definition', 'text', false), c('definitionformat', 'int3', false, 0),
  ]),
  t('workshopform_rubric_config', 'workshopform_rubric', [
    c('workshopid', 'int10', true), c('layout', 'char30', false, 'list'),
  ], [ux('workshopid')]),

  // lib/db/install.xml (4.3): the webservice's tokens. Departure: `token` holds the SHA-256 (hex) of the token, not the
  // token itself, so a copy of the store gives away no working token; `name` is 4.2's token name.
  t('external_tokens', 'core', [
    c('token', 'char128', true), c('privatetoken', 'char64', false), c('tokentype', 'int4', true), c('userid', 'int10', true),
    c('externalserviceid', 'int10', true), c('sid', 'char128', false), c('contextid', 'int10', true), c('creatorid', 'int10', true, 1),
    c('iprestriction', 'char255', false), c('validuntil', 'int10', false), c('timecreated', 'int10', true), c('lastaccess', 'int10', false),
    c('name', 'char255', false),
  ], [ix('token'), ix('userid'), ix('externalserviceid'), ix('contextid'), ix('creatorid')]),

  // This project's table, not Moodle's: the raw records of an activity whose module the target cannot hold
  // (no plugin or no spec), one row per element with an `id` attribute (stages/activities/raw-module.ts).
  t('mbz_module_records', 'mbz_restore', [
    c('courseid', 'int10', true), c('modulename', 'char100', true), c('oldcmid', 'int10', true, 0), c('sectionid', 'int10', true, 0),
    c('entry', 'char255', true), c('path', 'char1333', true), c('oldid', 'int10', true, 0), c('data', 'text', false),
  ], [ix('courseid, modulename')]),

  // This project's tables, not Moodle's (Moodle has no such limits): the categories a webservice token may restore
  // into (none listed: any), and which token started which restore, so a token sees only its own restores.
  t('mbz_token_categories', 'mbz_restore', [c('tokenid', 'int10', true), c('categoryid', 'int10', true)], [ux('tokenid, categoryid')]),
  t('mbz_token_restores', 'mbz_restore', [
    c('tokenid', 'int10', true), c('restoreid', 'char32', true), c('timecreated', 'int10', true),
  ], [ux('restoreid'), ix('tokenid')]),
];

// Internal helpers

type TypeSpec = `int${number}` | `char${number}` | `number${number},${number}` | 'float' | `float${number},${number}` | 'text' | 'binary';
type DefaultFor<S extends TypeSpec> = S extends 'text' | `char${string}` ? string : S extends 'binary' ? never : number;

/** A column: `spec` is the XMLDB type with its length (and decimals), e.g. `int10`, `char255`, `number10,5`. */
function c<S extends TypeSpec>(name: string, spec: S, notnull: boolean, def?: DefaultFor<S>): ColumnSpec {
  const m = /^(int|char|number|float|text|binary)(\d+)?(?:,(\d+))?$/.exec(spec);
  if (!m) throw new Error(`bad column type ${spec} for ${name}`);
  const type = m[1] === 'float' ? 'number' : (m[1] as ColumnSpec['type']);
  return {
    name,
    type,
    notnull,
    ...(def !== undefined ? { default: def } : {}),
    ...(m[2] !== undefined ? { length: Number(m[2]) } : {}),
    ...(m[3] !== undefined ? { decimals: Number(m[3]) } : {}),
  };
}

/** A table; `id` comes first, as in every Moodle table. */
function t(name: string, component: string, columns: ColumnSpec[], indexes: IndexSpec[] = []): TableSpec {
  return { name, component, columns: [{ name: 'id', type: 'int', notnull: true, length: 10 }, ...columns], indexes };
}

/** A non-unique index over `fields` as written in install.xml (`'a, b'`). */
function ix(fields: string): IndexSpec {
  return { columns: fields.split(/,\s*/), unique: false };
}

/** A unique key or unique index over `fields`. */
function ux(fields: string): IndexSpec {
  return { columns: fields.split(/,\s*/), unique: true };
}
