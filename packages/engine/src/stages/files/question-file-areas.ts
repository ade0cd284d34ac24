/**
 * The file areas of questions: the common ones (`restore_create_question_files::send_common_files()`) and those of
 * the core question types the engine restores (each type's `backup_qtype_<qtype>_plugin::get_qtype_fileareas()`,
 * component `qtype_<qtype>`), as file area → id-map item name of `files.itemid`.
 */

/** Areas of component `question`. */
export const QUESTION_FILE_AREAS: ReadonlyArray<readonly [string, string]> = [
  ['questiontext', 'question_created'],
  ['generalfeedback', 'question_created'],
  ['answer', 'question_answer'],
  ['answerfeedback', 'question_answer'],
  ['hint', 'question_hint'],
  ['correctfeedback', 'question_created'],
  ['partiallycorrectfeedback', 'question_created'],
  ['incorrectfeedback', 'question_created'],
];

const COMBINED_FEEDBACK: ReadonlyArray<readonly [string, string]> = [
  ['correctfeedback', 'question_created'],
  ['partiallycorrectfeedback', 'question_created'],
  ['incorrectfeedback', 'question_created'],
];

const CALCULATED: ReadonlyArray<readonly [string, string]> = [
  ['instruction', 'question_created'],
  ...COMBINED_FEEDBACK,
];

/** Areas of component `qtype_<qtype>`, by question type. Types without areas are absent. */
export const QTYPE_FILE_AREAS: ReadonlyMap<string, ReadonlyArray<readonly [string, string]>> = new Map([
  ['multichoice', COMBINED_FEEDBACK],
  ['match', [['subquestion', 'qtype_match_subquestions'], ...COMBINED_FEEDBACK]],
  ['essay', [['graderinfo', 'question_created']]],
  ['ddwtos', COMBINED_FEEDBACK],
  ['gapselect', COMBINED_FEEDBACK],
  ['randomsamatch', COMBINED_FEEDBACK],
  ['calculated', CALCULATED],
  ['calculatedsimple', CALCULATED],
  ['calculatedmulti', CALCULATED],
]);
