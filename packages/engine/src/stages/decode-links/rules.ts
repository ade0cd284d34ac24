/**
 * What Moodle 4.3's link decoder rewrites: the contents (table + text columns) and the rules (encoded link name →
 * URL template + id-map item names), registered by `restore_decode_processor::register_link_decoders()`
 * (`backup/util/helper/restore_decode_processor.class.php`) in its order: the course task, the section task, every
 * installed module's `restore_<mod>_activity_task` (plugin list order, i.e. alphabetical), the block tasks, then
 * the contents of the qtype plugins (`restore_plugin::get_restore_decode_contents('qtype')`; plugins have no
 * rules). Each entry names the Moodle function it copies.
 */

/** One `restore_decode_content`: the text columns of a table, read back and decoded. */
export interface DecodeContent {
  readonly table: string;
  readonly fields: readonly string[];
  /**
   * Moodle's mapping item name (`restore_decode_content::$mapping`, default the table): Moodle decodes the rows whose
   * id is a `newitemid` of it. Documentation here: the engine decodes the rows this restore wrote with `$@` in them.
   */
  readonly mapping: string;
  /** `block_instances.configdata` of html blocks: base64 of a serialized object whose `text` is decoded (`restore_html_block_decode_content`). */
  readonly kind?: 'block-configdata';
}

/** One `restore_decode_rule`: `$@NAME*id*…@$` → site URL + template with `$1`, `$2`… replaced by mapped ids. */
export interface DecodeRule {
  readonly name: string;
  readonly template: string;
  /** Id-map item name of each placeholder, `$1` first. */
  readonly mappings: readonly string[];
  /** `urlencode()` the whole URL (`restore_decode_rule::$urlencoded`). */
  readonly urlencoded?: boolean;
}

const content = (table: string, fields: readonly string[], mapping = table): DecodeContent => ({
  table,
  fields,
  mapping,
});
const rule = (
  name: string,
  template: string,
  mappings: string | readonly string[],
  urlencoded = false,
): DecodeRule => ({
  name,
  template,
  mappings: typeof mappings === 'string' ? [mappings] : mappings,
  ...(urlencoded ? { urlencoded } : {}),
});
const FEEDBACKS = ['correctfeedback', 'partiallycorrectfeedback', 'incorrectfeedback'];

/** Every content Moodle 4.3 decodes, in registration order. */
export const DECODE_CONTENTS: readonly DecodeContent[] = Object.freeze([
  // restore_course_task::define_decode_contents()
  content('course', ['summary']),
  content('event', ['description']),
  // restore_section_task::define_decode_contents()
  content('course_sections', ['summary'], 'course_section'),
  // restore_assign_activity_task::define_decode_contents()
  content('assign', ['intro']),
  // restore_bigbluebuttonbn_activity_task::define_decode_contents()
  content('bigbluebuttonbn', ['intro']),
  content('bigbluebuttonbn_logs', ['log']),
  content('bigbluebuttonbn_recordings', ['importeddata']),
  // restore_book_activity_task::define_decode_contents()
  content('book', ['intro']),
  content('book_chapters', ['content'], 'book_chapter'),
  // restore_chat_activity_task::define_decode_contents()
  content('chat', ['intro']),
  content('chat_messages', ['message'], 'chat_message'),
  // restore_choice_activity_task::define_decode_contents()
  content('choice', ['intro']),
  // restore_data_activity_task::define_decode_contents()
  content('data', [
    'intro',
    'singletemplate',
    'listtemplate',
    'listtemplateheader',
    'listtemplatefooter',
    'addtemplate',
    'rsstemplate',
    'rsstitletemplate',
    'asearchtemplate',
  ]),
  content(
    'data_fields',
    [
      'description',
      'param1',
      'param2',
      'param3',
      'param4',
      'param5',
      'param6',
      'param7',
      'param8',
      'param9',
      'param10',
    ],
    'data_field',
  ),
  content('data_content', ['content', 'content1', 'content2', 'content3', 'content4']),
  // restore_feedback_activity_task::define_decode_contents()
  content('feedback', ['intro', 'site_after_submit', 'page_after_submit']),
  content('feedback_item', ['presentation']),
  content('feedback_value', ['value']),
  // restore_folder_activity_task::define_decode_contents()
  content('folder', ['intro']),
  // restore_forum_activity_task::define_decode_contents()
  content('forum', ['intro']),
  content('forum_posts', ['message'], 'forum_post'),
  // restore_glossary_activity_task::define_decode_contents()
  content('glossary', ['intro']),
  content('glossary_entries', ['definition'], 'glossary_entry'),
  // restore_h5pactivity_activity_task::define_decode_contents()
  content('h5pactivity', ['intro']),
  // restore_imscp_activity_task::define_decode_contents()
  content('imscp', ['intro']),
  // restore_label_activity_task::define_decode_contents()
  content('label', ['intro']),
  // restore_lesson_activity_task::define_decode_contents()
  content('lesson', ['intro']),
  content('lesson_pages', ['contents'], 'lesson_page'),
  content('lesson_answers', ['answer', 'response'], 'lesson_answer'),
  // restore_lti_activity_task::define_decode_contents()
  content('lti', ['intro']),
  // restore_page_activity_task::define_decode_contents()
  content('page', ['intro', 'content']),
  // restore_quiz_activity_task::define_decode_contents()
  content('quiz', ['intro']),
  content('quiz_feedback', ['feedbacktext']),
  // restore_resource_activity_task::define_decode_contents()
  content('resource', ['intro']),
  // restore_scorm_activity_task::define_decode_contents()
  content('scorm', ['intro']),
  // restore_survey_activity_task::define_decode_contents()
  content('survey', ['intro']),
  // restore_url_activity_task::define_decode_contents()
  content('url', ['intro', 'externalurl']),
  // restore_wiki_activity_task::define_decode_contents()
  content('wiki', ['intro']),
  content('wiki_versions', ['content'], 'wiki_version'),
  content('wiki_pages', ['cachedcontent'], 'wiki_page'),
  // restore_workshop_activity_task::define_decode_contents()
  content('workshop', ['intro', 'instructauthors', 'instructreviewers', 'conclusion']),
  content('workshop_submissions', ['content', 'feedbackauthor'], 'workshop_submission'),
  content('workshop_assessments', ['feedbackauthor', 'feedbackreviewer'], 'workshop_assessment'),
  // restore_html_block_task::define_decode_contents() (restore_default_block_task and the other core blocks have none)
  { table: 'block_instances', fields: ['configdata'], mapping: 'block_instance', kind: 'block-configdata' },
  // restore_qtype_plugin::define_plugin_decode_contents()
  content('question', ['questiontext', 'generalfeedback'], 'question_created'),
  content('question_answers', ['answer', 'feedback'], 'question_answer'),
  content('question_hints', ['hint'], 'question_hint'),
  // restore_qtype_<name>_plugin::define_decode_contents() of the core question types that have one (calculated*,
  // description, multianswer, numerical, random, shortanswer, truefalse have none)
  content('qtype_ddimageortext', FEEDBACKS),
  content('qtype_ddmarker', FEEDBACKS),
  content('question_ddwtos', FEEDBACKS),
  content('qtype_essay_options', ['graderinfo'], 'qtype_essay'),
  content('question_gapselect', FEEDBACKS),
  content('qtype_match_subquestions', ['questiontext']),
  content('qtype_match_options', FEEDBACKS),
  content('qtype_multichoice_options', FEEDBACKS),
  content('qtype_randomsamatch_options', FEEDBACKS, 'qtype_randomsamatch'),
]);

/** Every rule Moodle 4.3 applies, in registration order (each text goes through all of them, chained). */
export const DECODE_RULES: readonly DecodeRule[] = Object.freeze([
  // restore_course_task::define_decode_rules(). Moodle 4.4 added COURSESECTIONBYID (/course/section.php, which
  // 4.3 does not have) and 4.5 moved BADGESVIEWBYID to /badges/index.php: 4.3's rules are these.
  rule('COURSEVIEWBYID', '/course/view.php?id=$1', 'course'),
  rule('GRADEINDEXBYID', '/grade/index.php?id=$1', 'course'),
  rule('GRADEREPORTINDEXBYID', '/grade/report/index.php?id=$1', 'course'),
  rule('BADGESVIEWBYID', '/badges/view.php?type=2&id=$1', 'course'),
  rule('USERINDEXVIEWBYID', '/user/index.php?id=$1', 'course'),
  rule('PLUGINFILEBYCONTEXT', '/pluginfile.php/$1', 'context'),
  rule('PLUGINFILEBYCONTEXTURLENCODED', '/pluginfile.php/$1', 'context', true),
  // restore_section_task::define_decode_rules(): none.
  // restore_assign_activity_task::define_decode_rules() (ASSIGNINDEX maps its course id as a course_module: Moodle's own)
  rule('ASSIGNVIEWBYID', '/mod/assign/view.php?id=$1', 'course_module'),
  rule('ASSIGNINDEX', '/mod/assign/index.php?id=$1', 'course_module'),
  // restore_bigbluebuttonbn_activity_task::define_decode_rules()
  rule('BIGBLUEBUTTONBNVIEWBYID', '/mod/bigbluebuttonbn/view.php?id=$1', 'course_module'),
  rule('BIGBLUEBUTTONBNINDEX', '/mod/bigbluebuttonbn/index.php?id=$1', 'course'),
  // restore_book_activity_task::define_decode_rules()
  rule('BOOKINDEX', '/mod/book/index.php?id=$1', 'course'),
  rule('BOOKVIEWBYID', '/mod/book/view.php?id=$1', 'course_module'),
  rule('BOOKVIEWBYIDCH', '/mod/book/view.php?id=$1&amp;chapterid=$2', ['course_module', 'book_chapter']),
  rule('BOOKVIEWBYB', '/mod/book/view.php?b=$1', 'book'),
  rule('BOOKVIEWBYBCH', '/mod/book/view.php?b=$1&amp;chapterid=$2', ['book', 'book_chapter']),
  // Old book links (MDL-33362, MDL-35007).
  rule('BOOKSTART', '/mod/book/view.php?id=$1', 'course_module'),
  rule('BOOKCHAPTER', '/mod/book/view.php?id=$1&amp;chapterid=$2', ['course_module', 'book_chapter']),
  // restore_chat_activity_task::define_decode_rules()
  rule('CHATVIEWBYID', '/mod/chat/view.php?id=$1', 'course_module'),
  rule('CHATINDEX', '/mod/chat/index.php?id=$1', 'course'),
  // restore_choice_activity_task::define_decode_rules()
  rule('CHOICEVIEWBYID', '/mod/choice/view.php?id=$1', 'course_module'),
  rule('CHOICEINDEX', '/mod/choice/index.php?id=$1', 'course'),
  // restore_data_activity_task::define_decode_rules()
  rule('DATAVIEWBYID', '/mod/data/view.php?id=$1', 'course_module'),
  rule('DATAVIEWBYD', '/mod/data/view.php?d=$1', 'data'),
  rule('DATAINDEX', '/mod/data/index.php?id=$1', 'course'),
  rule('DATAVIEWRECORD', '/mod/data/view.php?d=$1&amp;rid=$2', ['data', 'data_record']),
  // restore_feedback_activity_task::define_decode_rules()
  rule('FEEDBACKINDEX', '/mod/feedback/index.php?id=$1', 'course'),
  rule('FEEDBACKVIEWBYID', '/mod/feedback/view.php?id=$1', 'course_module'),
  rule('FEEDBACKANALYSISBYID', '/mod/feedback/analysis.php?id=$1', 'course_module'),
  rule('FEEDBACKSHOWENTRIESBYID', '/mod/feedback/show_entries.php?id=$1', 'course_module'),
  // restore_folder_activity_task::define_decode_rules()
  rule('FOLDERVIEWBYID', '/mod/folder/view.php?id=$1', 'course_module'),
  rule('FOLDERINDEX', '/mod/folder/index.php?id=$1', 'course'),
  // restore_forum_activity_task::define_decode_rules()
  rule('FORUMINDEX', '/mod/forum/index.php?id=$1', 'course'),
  rule('FORUMVIEWBYID', '/mod/forum/view.php?id=$1', 'course_module'),
  rule('FORUMVIEWBYF', '/mod/forum/view.php?f=$1', 'forum'),
  rule('FORUMDISCUSSIONVIEW', '/mod/forum/discuss.php?d=$1', 'forum_discussion'),
  rule('FORUMDISCUSSIONVIEWPARENT', '/mod/forum/discuss.php?d=$1&parent=$2', ['forum_discussion', 'forum_post']),
  rule('FORUMDISCUSSIONVIEWINSIDE', '/mod/forum/discuss.php?d=$1#$2', ['forum_discussion', 'forum_post']),
  // restore_glossary_activity_task::define_decode_rules()
  rule('GLOSSARYVIEWBYID', '/mod/glossary/view.php?id=$1', 'course_module'),
  rule('GLOSSARYINDEX', '/mod/glossary/index.php?id=$1', 'course'),
  rule('GLOSSARYSHOWENTRY', '/mod/glossary/showentry.php?courseid=$1&eid=$2', ['course', 'glossary_entry']),
  // restore_h5pactivity_activity_task::define_decode_rules()
  rule('H5PACTIVITYVIEWBYID', '/mod/h5pactivity/view.php?id=$1', 'course_module'),
  rule('H5PACTIVITYINDEX', '/mod/h5pactivity/index.php?id=$1', 'course'),
  // restore_imscp_activity_task::define_decode_rules()
  rule('IMSCPVIEWBYID', '/mod/imscp/view.php?id=$1', 'course_module'),
  rule('IMSCPINDEX', '/mod/imscp/index.php?id=$1', 'course'),
  // restore_label_activity_task::define_decode_rules(): none.
  // restore_lesson_activity_task::define_decode_rules()
  rule('LESSONEDIT', '/mod/lesson/edit.php?id=$1', 'course_module'),
  rule('LESSONESAY', '/mod/lesson/essay.php?id=$1', 'course_module'),
  rule('LESSONREPORT', '/mod/lesson/report.php?id=$1', 'course_module'),
  rule('LESSONMEDIAFILE', '/mod/lesson/mediafile.php?id=$1', 'course_module'),
  rule('LESSONVIEWBYID', '/mod/lesson/view.php?id=$1', 'course_module'),
  rule('LESSONINDEX', '/mod/lesson/index.php?id=$1', 'course'),
  rule('LESSONVIEWPAGE', '/mod/lesson/view.php?id=$1&pageid=$2', ['course_module', 'lesson_page']),
  rule('LESSONEDITPAGE', '/mod/lesson/edit.php?id=$1&pageid=$2', ['course_module', 'lesson_page']),
  // restore_lti_activity_task::define_decode_rules()
  rule('LTIVIEWBYID', '/mod/lti/view.php?id=$1', 'course_module'),
  rule('LTIINDEX', '/mod/lti/index.php?id=$1', 'course'),
  // restore_page_activity_task::define_decode_rules()
  rule('PAGEVIEWBYID', '/mod/page/view.php?id=$1', 'course_module'),
  rule('PAGEINDEX', '/mod/page/index.php?id=$1', 'course'),
  // restore_quiz_activity_task::define_decode_rules()
  rule('QUIZVIEWBYID', '/mod/quiz/view.php?id=$1', 'course_module'),
  rule('QUIZVIEWBYQ', '/mod/quiz/view.php?q=$1', 'quiz'),
  rule('QUIZINDEX', '/mod/quiz/index.php?id=$1', 'course'),
  // restore_resource_activity_task::define_decode_rules()
  rule('RESOURCEVIEWBYID', '/mod/resource/view.php?id=$1', 'course_module'),
  rule('RESOURCEINDEX', '/mod/resource/index.php?id=$1', 'course'),
  // restore_scorm_activity_task::define_decode_rules()
  rule('SCORMVIEWBYID', '/mod/scorm/view.php?id=$1', 'course_module'),
  rule('SCORMINDEX', '/mod/scorm/index.php?id=$1', 'course'),
  // restore_survey_activity_task::define_decode_rules()
  rule('SURVEYVIEWBYID', '/mod/survey/view.php?id=$1', 'course_module'),
  rule('SURVEYINDEX', '/mod/survey/index.php?id=$1', 'course'),
  // restore_url_activity_task::define_decode_rules()
  rule('URLINDEX', '/mod/url/index.php?id=$1', 'course'),
  rule('URLVIEWBYID', '/mod/url/view.php?id=$1', 'course_module'),
  rule('URLVIEWBYU', '/mod/url/view.php?u=$1', 'url'),
  // restore_wiki_activity_task::define_decode_rules()
  rule('WIKIINDEX', '/mod/wiki/index.php?id=$1', 'course'),
  rule('WIKIVIEWBYID', '/mod/wiki/view.php?id=$1', 'course_module'),
  rule('WIKIPAGEBYID', '/mod/wiki/view.php?pageid=$1', 'wiki_page'),
  // restore_workshop_activity_task::define_decode_rules()
  rule('WORKSHOPVIEWBYID', '/mod/workshop/view.php?id=$1', 'course_module'),
  rule('WORKSHOPINDEX', '/mod/workshop/index.php?id=$1', 'course'),
  // restore_default_block_task / restore_html_block_task::define_decode_rules(): none.
]);
