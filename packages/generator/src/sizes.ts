/**
 * The size table: what `generateBackup({ size })` puts in a course, as one readable data object.
 *
 * The shape follows Moodle's own test-course generator (`tool_generator` sizes S/M/L, see
 * `../shared/fixtures/generated/README.md`): sections full of pages and assignments, one resource
 * holding many small random files plus resources holding one big random file each, a quiz with a
 * question bank, a forum, labels and URLs — then user data on top (enrolments, groups, grades with
 * history, quiz attempts, submissions, comments, completion, standard-log events).
 *
 * `participation` is the share of students that submit each assignment, attempt each quiz and mark
 * tracked pages complete; it shrinks with the size so that `xl` is dominated by logs and blobs (what
 * benchmarks want) rather than by gradebook rows.
 */

/** Size names accepted by `generateBackup()`. */
export type BackupSize = 'xs' | 's' | 'm' | 'l' | 'xl';

/** Everything a size decides. Counts are exact unless marked "approx". */
export interface SizeProfile {
  /** Students enrolled (role `student`). The backup also holds the teachers and the admin user. */
  readonly students: number;
  /** Editing teachers enrolled (role `editingteacher`). */
  readonly teachers: number;
  /** Course sections including section 0. */
  readonly sections: number;
  /** Activities per module type; resources are `1 + bigFiles.count` (one holds the small files). */
  readonly activities: {
    readonly assign: number;
    readonly forum: number;
    readonly quiz: number;
    readonly page: number;
    readonly label: number;
    readonly url: number;
  };
  /** Groups (every student is in one) and groupings. */
  readonly groups: number;
  readonly groupings: number;
  /** Questions in the course question bank; `quizSlots` of them are placed in each quiz. */
  readonly questions: number;
  readonly quizSlots: number;
  /** Discussions per forum and replies per discussion. */
  readonly forumDiscussions: number;
  readonly forumReplies: number;
  /** Share of students with user data in each assignment, quiz and completion-tracked page. */
  readonly participation: number;
  /** Total `logstore_standard_log` records (exact; filled up with view events after the real events). */
  readonly logRecords: number;
  /** Files in the "Small files" resource: count and size range (sizes are multiples of 4 bytes). */
  readonly smallFiles: { readonly count: number; readonly minBytes: number; readonly maxBytes: number };
  /** "Big file N" resources, one file each. */
  readonly bigFiles: { readonly count: number; readonly bytes: number };
  /** Approximate size of the tar.gz in MB (blobs are random, so they do not compress). */
  readonly approxArchiveMB: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The size table. Read this to know what each size generates. */
export const SIZE_TABLE: Readonly<Record<BackupSize, SizeProfile>> = {
  xs: {
    students: 20,
    teachers: 1,
    sections: 3,
    activities: { assign: 1, forum: 1, quiz: 1, page: 2, label: 1, url: 1 },
    groups: 2,
    groupings: 1,
    questions: 6,
    quizSlots: 3,
    forumDiscussions: 3,
    forumReplies: 2,
    participation: 1,
    logRecords: 400,
    smallFiles: { count: 4, minBytes: 2 * KiB, maxBytes: 16 * KiB },
    bigFiles: { count: 1, bytes: 64 * KiB },
    approxArchiveMB: 0.2,
  },
  s: {
    students: 100,
    teachers: 2,
    sections: 10,
    activities: { assign: 10, forum: 1, quiz: 1, page: 30, label: 5, url: 5 },
    groups: 4,
    groupings: 2,
    questions: 14,
    quizSlots: 4,
    forumDiscussions: 10,
    forumReplies: 2,
    participation: 0.9,
    logRecords: 10_000,
    smallFiles: { count: 64, minBytes: 8 * KiB, maxBytes: 24 * KiB },
    bigFiles: { count: 2, bytes: 4 * MiB },
    approxArchiveMB: 10,
  },
  m: {
    students: 1_000,
    teachers: 5,
    sections: 20,
    activities: { assign: 20, forum: 3, quiz: 4, page: 60, label: 10, url: 10 },
    groups: 20,
    groupings: 4,
    questions: 40,
    quizSlots: 5,
    forumDiscussions: 30,
    forumReplies: 4,
    participation: 0.6,
    logRecords: 100_000,
    smallFiles: { count: 128, minBytes: 8 * KiB, maxBytes: 24 * KiB },
    bigFiles: { count: 24, bytes: 4 * MiB },
    approxArchiveMB: 110,
  },
  l: {
    students: 5_000,
    teachers: 10,
    sections: 30,
    activities: { assign: 30, forum: 5, quiz: 6, page: 100, label: 15, url: 15 },
    groups: 50,
    groupings: 5,
    questions: 60,
    quizSlots: 5,
    forumDiscussions: 60,
    forumReplies: 5,
    participation: 0.3,
    logRecords: 300_000,
    smallFiles: { count: 256, minBytes: 8 * KiB, maxBytes: 24 * KiB },
    bigFiles: { count: 72, bytes: 4 * MiB },
    approxArchiveMB: 325,
  },
  xl: {
    students: 20_000,
    teachers: 20,
    sections: 50,
    activities: { assign: 40, forum: 8, quiz: 10, page: 150, label: 20, url: 20 },
    groups: 100,
    groupings: 10,
    questions: 100,
    quizSlots: 5,
    forumDiscussions: 100,
    forumReplies: 6,
    participation: 0.1,
    logRecords: 1_000_000,
    smallFiles: { count: 512, minBytes: 8 * KiB, maxBytes: 24 * KiB },
    bigFiles: { count: 128, bytes: 8 * MiB },
    approxArchiveMB: 1_130,
  },
};

/** The sizes in increasing order. */
export const BACKUP_SIZES: readonly BackupSize[] = ['xs', 's', 'm', 'l', 'xl'];

/** Type guard for user input (CLI flags). */
export function isBackupSize(value: string): value is BackupSize {
  return (BACKUP_SIZES as readonly string[]).includes(value);
}
