/**
 * What a stage works with: the backup, the settings, the id map, the row writer over the storage
 * unit of work, the course being built, and the means to warn, report progress and notice cancellation.
 * Stages share state through the typed fields of {@link RestoreState}, not through globals.
 */
import type { BackupManifest } from '../backup/manifest.ts';
import type { IdMap } from '../restore/id-map.ts';
import type { BackupSource } from '../restore/backup-source.ts';
import type { RowWriter } from '../restore/row-writer.ts';
import type { StorageTransaction } from '../storage/storage-adapter.ts';
import type { RestoreSettings } from './settings.ts';

/** One file record of files.xml, as the files stage needs it. */
export interface BackupFileRecord {
  readonly id: number;
  readonly contenthash: string;
  readonly contextid: number;
  readonly component: string;
  readonly filearea: string;
  readonly itemid: number;
  readonly filepath: string;
  readonly filename: string;
  readonly userid: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A file area to restore (see {@link RestoreState.fileAreas}). */
export interface RestoreFileArea {
  readonly component: string;
  readonly filearea: string;
  /** Id-map item name `files.itemid` is remapped through; `null` keeps the itemid. */
  readonly itemname: string | null;
  /** Source context id the files belong to. */
  readonly oldContextId: number;
}

/** A question bank restored by the questions stage: the categories of one source context (see {@link RestoreState.questionBanks}). */
export interface RestoredQuestionBank {
  /** Context level of the bank in the backup: 10 system, 40 category, 50 course, 70 module. */
  readonly contextLevel: number;
  /** Context its categories are in now. A module bank starts in the course context and is moved to its module's context by the files stage. */
  newContextId: number;
  /** Categories of the bank, old id → new id, with whether the category was top-level (`parent` 0) in the backup. */
  readonly categories: Array<{
    readonly oldId: number;
    newId: number;
    readonly topLevel: boolean;
    readonly created: boolean;
  }>;
  /** New ids of the questions created in this bank (not those matched to existing ones). */
  readonly createdQuestionIds: number[];
  /** Question types of the created questions (their qtype file areas are restored). */
  readonly qtypes: Set<string>;
}

/** A context row this restore created. */
export interface CreatedContextRow {
  readonly id: number;
  readonly contextlevel: number;
  readonly instanceid: number;
  readonly depth: number;
  readonly path: string;
}

/** State stages build up and later stages read. Each field says which stage fills it. */
export interface RestoreState {
  /** New course id (course stage). */
  courseId: number;
  /** The names the course was restored under before any "copy N" / "_N" (course stage; see `settleCourseNames`). */
  courseBaseNames?: readonly [fullname: string, shortname: string];
  /** New course context id (course stage). */
  courseContextId: number;
  /** `context.path` of the new course context, e.g. `/1/3/120` (course stage). */
  courseContextPath: string;
  /** Target category id (given). */
  readonly categoryId: number;
  /** Item ids referenced by included inforef.xml files, per item name (`user`, `file`, `question_category` …) (prepare stage). */
  readonly inforefs: Map<string, Set<number>>;
  /** Old context id → where it belongs, for contexts restored later (activities, blocks) (activities/blocks stages fill the id map `context`). */
  readonly fileRecords: BackupFileRecord[];
  /**
   * File areas whose files are restored, Moodle's `add_related_files(component, filearea, itemname)`: the files of
   * `oldContextId` + `component` + `filearea`, with `files.itemid` remapped through the id map item `itemname`
   * (kept as is when `null`). Filled by the sections, activities, blocks and calendar stages; read by the files stage.
   */
  readonly fileAreas: RestoreFileArea[];
  /**
   * Question banks restored, by source context id: where their categories went and what was created (questions stage).
   * The files stage moves module banks to their module's context and restores the question files from it.
   */
  readonly questionBanks: Map<number, RestoredQuestionBank>;
  /** Seconds to add to dates (`apply_date_offset`); 0 unless the start date changes. */
  dateOffset: number;
  /** Unix time the restore started (for `timecreated` of rows Moodle stamps with "now"). */
  readonly now: number;
  /** Id of the user the restore runs as (Moodle's restoring user): the store's admin. */
  restorerUserId: number;
  /** True when the backup comes from the same site as the store (§5.2). */
  sameSite: boolean;
  /**
   * The contexts this restore created, by `<contextlevel>/<instanceid>` and by id (`insertContext` fills it, for the
   * course, user, module and block contexts): their later look-ups (role assignments, block parents, task targets,
   * module files) need no round trip to the store.
   */
  readonly createdContexts: Map<string | number, CreatedContextRow>;
  /** New ids of restored users (matched or created) that are deleted; they get no role assignments (users stage). */
  readonly deletedUserIds: Set<number>;
  /** Write the log events and grade history rows Moodle's restore writes as it goes (given; `RestoreRequest.restoreEvents`). */
  readonly restoreEvents: boolean;
  /** Moodle's `$USER` during the restore: 0 for a CLI restore, the token's user through the webservice (given). */
  readonly actingUserId: number;
  /** Site URL restore links are decoded into, without a trailing slash (given, else the store's `wwwroot`). */
  readonly siteUrl: string;
}

/** The context every stage's `run` receives. */
export interface RestoreContext {
  readonly restoreId: string;
  readonly source: BackupSource;
  readonly manifest: BackupManifest;
  readonly settings: RestoreSettings;
  readonly ids: IdMap;
  readonly rows: RowWriter;
  /** The storage unit of work, for what the row writer does not cover (blobs). */
  readonly tx: StorageTransaction;
  readonly state: RestoreState;
  readonly signal: AbortSignal;
  /** Records a warning on the result (never throws). */
  warn(code: string, message: string, entry?: string): void;
  /** Reports progress inside the current stage (`done` of `total` units). Cheap; call it often. */
  progress(done: number, total: number): void;
  /** Shifts a date by the restore's offset; 0, null and '' stay as they are (Moodle's `apply_date_offset`). */
  shiftDate(value: unknown): number | null;
}
