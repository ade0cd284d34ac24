/**
 * Types of the deterministic course model the writers render. The model holds ids, names and
 * small per-entity facts; bulk per-user data (grades, attempts, log rows) is *not* stored but
 * re-derived from the seed by the writers, so memory stays small even for `xl`.
 *
 * Ids mimic a real site: every table has its own id sequence starting at a seeded offset, so ids
 * of different tables rarely coincide (a reader that confuses two id spaces fails loudly).
 */
import type { BackupSize, SizeProfile } from './sizes.ts';

/** Module types the generator writes. */
export type ModName = 'assign' | 'forum' | 'label' | 'page' | 'quiz' | 'resource' | 'url';

/** One user record of users.xml. */
export interface UserInfo {
  readonly id: number;
  readonly contextId: number;
  readonly kind: 'admin' | 'teacher' | 'student';
  /** Position among students (or teachers); 0 for the admin. */
  readonly index: number;
  readonly username: string;
  readonly idnumber: string;
  readonly email: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly middlename: string;
  readonly alternatename: string;
  readonly institution: string;
  readonly department: string;
  readonly city: string;
  readonly country: string;
  readonly lang: string;
  readonly lastip: string;
  readonly firstaccess: number;
  readonly lastaccess: number;
  readonly timecreated: number;
  readonly description: string | null;
}

/** One enrol instance of course/enrolments.xml. */
export interface EnrolInfo {
  readonly id: number;
  readonly method: 'manual' | 'guest' | 'self';
  readonly status: number;
  readonly roleId: number;
  /** Enrolled users: user, user_enrolments id and role_assignments id. */
  readonly members: readonly {
    readonly user: UserInfo;
    readonly ueId: number;
    readonly raId: number;
    readonly roleId: number;
  }[];
}

/** A group with its members (students). */
export interface GroupInfo {
  readonly id: number;
  readonly name: string;
  readonly idnumber: string;
  readonly members: readonly { readonly id: number; readonly user: UserInfo }[];
}

/** A grouping and the group ids it contains. */
export interface GroupingInfo {
  readonly id: number;
  readonly name: string;
  readonly idnumber: string;
  readonly groups: readonly { readonly id: number; readonly groupId: number }[];
}

/** A file record of files.xml; `blob` is undefined for directory records (filename `.`). */
export interface FileInfo {
  readonly id: number;
  readonly contextId: number;
  readonly filepath: string;
  readonly filename: string;
  readonly blob: BlobInfo | undefined;
  readonly timecreated: number;
}

/** One distinct file content, stored once under `files/<hh>/<sha1>`. */
export interface BlobInfo {
  /** Index of the random stream that produces the content. */
  readonly index: number;
  readonly size: number;
  /** Real SHA-1 of the content (Moodle's `contenthash`). */
  readonly sha1: string;
}

/** One question of the course bank (4.x layout: entry → version → question). */
export interface QuestionInfo {
  readonly index: number;
  readonly categoryId: number;
  readonly entryId: number;
  readonly versionId: number;
  readonly id: number;
  readonly qtype: 'truefalse' | 'shortanswer' | 'multichoice';
  readonly name: string;
  /** First answer id; the answers of one question have consecutive ids. */
  readonly firstAnswerId: number;
  /** Id of the qtype options record (`truefalse`, `shortanswer`, `multichoice`). */
  readonly optionsId: number;
  /** First hint id (multichoice has two hints). */
  readonly firstHintId: number;
  readonly stamp: string;
}

/** A question category of questions.xml. */
export interface QuestionCategoryInfo {
  readonly id: number;
  readonly name: string;
  readonly parent: number;
  readonly sortorder: number;
  readonly stamp: string;
  readonly info: string;
}

/** A graded activity's grade item (activity grades.xml). */
export interface GradeItemInfo {
  readonly id: number;
  /** Position among all grade items (course item is 0); drives grade_grades / history id ranges. */
  readonly ordinal: number;
  readonly grademax: number;
  readonly sortorder: number;
}

/** One activity (course module). */
export interface ActivityInfo {
  readonly modname: ModName;
  readonly cmid: number;
  readonly instanceId: number;
  readonly contextId: number;
  readonly name: string;
  /** 1-based number among activities of the same type. */
  readonly ordinal: number;
  readonly added: number;
  /** Set when placed in a section. */
  sectionId: number;
  sectionNumber: number;
  /** Activity completion tracking (1 = manual) for completion-tracked pages. */
  readonly completion: 0 | 1;
  readonly gradeItem: GradeItemInfo | undefined;
  /** Student indexes with user data in this activity, ascending. Empty when none. */
  readonly participants: Int32Array;
  /** First id of each per-participant record family (submissions, attempts, …), by family name. */
  readonly idBase: Readonly<Record<string, number>>;
  /** Files (resource only); set right after the module is created. */
  files: readonly FileInfo[];
  /** Questions placed in the quiz, in slot order (quiz only). */
  readonly slots: readonly QuestionInfo[];
}

/** One course section. */
export interface SectionInfo {
  readonly id: number;
  readonly number: number;
  readonly name: string | null;
  readonly summary: string;
  readonly activities: ActivityInfo[];
}

/** A course-level block instance. */
export interface BlockInfo {
  readonly id: number;
  readonly contextId: number;
  readonly name: 'html' | 'online_users';
  readonly weight: number;
  readonly configdata: string | null;
}

/** Everything the writers need, fully determined by `(size, seed)`. */
export interface CourseModel {
  readonly size: BackupSize;
  readonly seed: number;
  readonly profile: SizeProfile;
  readonly site: {
    readonly wwwroot: string;
    readonly siteHash: string;
    readonly backupId: string;
    readonly systemContextId: number;
  };
  readonly time: {
    readonly created: number;
    readonly startdate: number;
    readonly enddate: number;
    readonly backup: number;
  };
  readonly course: {
    readonly id: number;
    readonly contextId: number;
    readonly fullname: string;
    readonly shortname: string;
    readonly format: string;
    readonly summary: string;
    readonly categoryId: number;
  };
  readonly admin: UserInfo;
  readonly students: readonly UserInfo[];
  readonly teachers: readonly UserInfo[];
  /** admin, students, teachers — the users.xml order. */
  readonly users: readonly UserInfo[];
  readonly enrols: readonly EnrolInfo[];
  readonly groups: readonly GroupInfo[];
  readonly groupings: readonly GroupingInfo[];
  readonly sections: readonly SectionInfo[];
  /** Activities in moodle_backup.xml contents order (section by section). */
  readonly activities: readonly ActivityInfo[];
  readonly gradebook: {
    readonly categoryId: number;
    readonly courseItem: GradeItemInfo;
    readonly gradeGradeBase: number;
    readonly historyBase: number;
  };
  readonly questionCategories: readonly QuestionCategoryInfo[];
  readonly questions: readonly QuestionInfo[];
  readonly files: readonly FileInfo[];
  /** Distinct contents, in first-use order. */
  readonly blobs: readonly BlobInfo[];
  readonly blocks: readonly BlockInfo[];
  /** First id of the standard-log table. */
  readonly idBase: { readonly log: number };
}

/** Role ids of the standard roles (Moodle's install ids). */
export const ROLE_EDITINGTEACHER = 3;
export const ROLE_STUDENT = 5;
