/**
 * Which question-bank format a backup has, as Moodle's restore decides it from the backup's release and
 * build date (`restore_task::backup_release_compare()` uses PHP `version_compare()` on `backup_release`;
 * `backup_version_compare()` compares the first 8 digits of `backup_version`, a YYYYMMDD date).
 */
import type { BackupManifest } from '../../backup/manifest.ts';

/** Question-bank format flags of one backup. */
export interface QuestionFormat {
  /**
   * Made before Moodle 3.5 (`release < 3.5 || version < 20180205`): categories could be top-level; the restore puts
   * them under a "top" category it creates (`restore_create_categories_and_questions::process_question_category()`).
   */
  readonly before35: boolean;
  /** Made before Moodle 4.0 (`release < 4.0 || version < 20220202`): no question bank entries nor versions in questions.xml. */
  readonly before40: boolean;
}

/** The flags for a backup. */
export function questionFormat(manifest: BackupManifest): QuestionFormat {
  const build = Number.parseInt(manifest.backupVersion.slice(0, 8), 10);
  const older = (release: string, date: number) =>
    compareRelease(manifest.backupRelease, release) < 0 || (Number.isFinite(build) && build < date);
  return { before35: older('3.5', 20180205), before40: older('4.0', 20220202) };
}

/** PHP-style comparison of dotted release numbers (`3.11` > `3.5`); non-numeric parts count as 0. */
export function compareRelease(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
