/**
 * Counting what was written. Every writer bumps these counters *as it writes* a record, so the
 * reported `BackupCounts` describe the archive, not the plan. The definitions are those of
 * `BackupCounts` in `@mbz-restore/engine` (`packages/engine/src/backup/counts.ts`), which follow the
 * fixture manifest of `../shared/fixtures/mbz/README.md`.
 */
import type { BackupCounts } from '@mbz-restore/engine';

/** Mutable counters filled while rendering; see {@link BackupCounts} for each meaning. */
export interface CountsRecorder {
  sections: number;
  activities: number;
  modules: Record<string, number>;
  users: number | null;
  logEntriesLegacy: number;
  logEntriesLogstore: number;
  files: number;
  filesNonDir: number;
  blobs: number;
  questionCategories: number | null;
  questions: number | null;
  gradeHistoryEntries: number;
  gradeGrades: number;
  groups: number;
  userEnrolments: number;
  comments: number;
  blocks: number;
}

/** Fresh counters (`users`, `questionCategories`, `questions` stay `null` until their file is written). */
export function createCountsRecorder(): CountsRecorder {
  return {
    sections: 0,
    activities: 0,
    modules: {},
    users: null,
    logEntriesLegacy: 0,
    logEntriesLogstore: 0,
    files: 0,
    filesNonDir: 0,
    blobs: 0,
    questionCategories: null,
    questions: null,
    gradeHistoryEntries: 0,
    gradeGrades: 0,
    groups: 0,
    userEnrolments: 0,
    comments: 0,
    blocks: 0,
  };
}

/** The final, frozen counts (module keys sorted, `logEntries` summed). */
export function toBackupCounts(c: CountsRecorder): BackupCounts {
  const modules: Record<string, number> = {};
  for (const name of Object.keys(c.modules).sort()) modules[name] = c.modules[name] ?? 0;
  return Object.freeze({
    sections: c.sections,
    activities: c.activities,
    modules: Object.freeze(modules),
    users: c.users,
    logEntries: c.logEntriesLegacy + c.logEntriesLogstore,
    logEntriesLegacy: c.logEntriesLegacy,
    logEntriesLogstore: c.logEntriesLogstore,
    files: c.files,
    filesNonDir: c.filesNonDir,
    blobs: c.blobs,
    questionCategories: c.questionCategories,
    questions: c.questions,
    gradeHistoryEntries: c.gradeHistoryEntries,
    gradeGrades: c.gradeGrades,
    groups: c.groups,
    userEnrolments: c.userEnrolments,
    comments: c.comments,
    blocks: c.blocks,
  });
}
