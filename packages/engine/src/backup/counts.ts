/**
 * What a backup holds, counted the way `../shared/fixtures/mbz/README.md` defines the manifest's
 * `counts` (camelCase here). `inspectBackup()` computes it from the archive; the generator returns
 * the same shape for what it wrote, so the two can be compared exactly.
 */
export interface BackupCounts {
  /** `contents/sections/section` entries in moodle_backup.xml. */
  sections: number;
  /** `contents/activities/activity` entries in moodle_backup.xml. */
  activities: number;
  /** Activities per `modulename`, keys sorted. */
  modules: Record<string, number>;
  /** `<user>` records in users.xml; `null` when the backup has no users.xml. */
  users: number | null;
  /** `logEntriesLegacy + logEntriesLogstore`. */
  logEntries: number;
  /** `<log>` records in every logs.xml. */
  logEntriesLegacy: number;
  /** `logstore_*_log` records in every logstores.xml. */
  logEntriesLogstore: number;
  /** `<file>` records in files.xml. */
  files: number;
  /** `<file>` records in files.xml that are not directory entries (filename `.`). */
  filesNonDir: number;
  /** Content files stored under `files/`. */
  blobs: number;
  /** `<question_category>` records in questions.xml; `null` when there is no questions.xml. */
  questionCategories: number | null;
  /** `<question>` records in questions.xml; `null` when there is no questions.xml. */
  questions: number | null;
  /** `<grade_grade>` records in every grade_history.xml (root and activities). */
  gradeHistoryEntries: number;
  /** `<grade_grade>` records in gradebook.xml and every activity grades.xml. */
  gradeGrades: number;
  /** `<group>` records in groups.xml. */
  groups: number;
  /** `<enrolment>` (user enrolment) records in course/enrolments.xml. */
  userEnrolments: number;
  /** `<comment>` records in every comments.xml. */
  comments: number;
  /** Block instances (`block.xml` files) anywhere in the backup. */
  blocks: number;
}
