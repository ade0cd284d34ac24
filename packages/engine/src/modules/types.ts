/**
 * How one activity module's own XML (`activities/<mod>_<cmid>/<mod>.xml`) becomes rows, declared as
 * data after Moodle's `mod/<mod>/backup/moodle2/restore_<mod>_stepslib.php`: for each element path the
 * table it fills, the id-map item name it registers, which columns point at other restored records
 * (and so are remapped), which are dates to shift, and which file areas belong to it.
 *
 * Conventions of the id map (Moodle's `backup_ids_temp` item names): `user`, `group`, `grouping`,
 * `course_module`, `course_section`, `context`, `scale`, `outcome`, `grade_item`, `question`,
 * `question_category`, `question_usage`, `enrol`, `role`, `event`, the module name itself for the instance
 * (e.g. `forum`), and module-local names such as `forum_discussion`, `forum_post`.
 */

/** What to do when a remapped column's old id has no mapping. */
export type UnmappedPolicy =
  /** Skip the whole record (and its children), as Moodle does with `if (!$newid) return;`. */
  | 'skip'
  /** Store 0. */
  | 'zero'
  /** Store NULL. */
  | 'null'
  /** Keep the old value (Moodle keeps some ids unchanged, e.g. when the mapping is optional). */
  | 'keep';

/** A remapped column. */
export interface RefSpec {
  /** Id-map item name the old value is translated through, e.g. `user`, `group`, `forum_discussion`. */
  readonly itemname: string;
  /** Behaviour when there is no mapping. Default is `zero`. */
  readonly unmapped?: UnmappedPolicy;
  /** True when the value can only be remapped after the whole file is read (self references such as `forum_posts.parent`). */
  readonly deferred?: boolean;
}

/** A file area restored with the records of one path (Moodle's `add_related_files(component, filearea, itemname)`). */
export interface FileAreaSpec {
  readonly component: string;
  readonly filearea: string;
  /** Id-map item name used to remap `files.itemid`; `null` when the itemid is kept (e.g. `intro`, itemid 0). */
  readonly itemname: string | null;
}

/** One element path of a module's XML and the table row it becomes. */
export interface RecordSpec {
  /** Absolute element path, e.g. `/activity/forum/discussions/discussion`. */
  readonly path: string;
  /** Target table without prefix, e.g. `forum_discussions`. */
  readonly table: string;
  /** Id-map item name registered old id → new id, e.g. `forum_discussion`; omit when nothing refers to it. */
  readonly itemname?: string;
  /** True when the path is only restored with user data (`<mod>_<cmid>_userinfo`). */
  readonly userinfo: boolean;
  /** Columns that take the new id of an enclosing record: column → item name of that ancestor (`{ forum: 'forum' }`). */
  readonly parent?: Readonly<Record<string, string>>;
  /** Columns set to the new course id. */
  readonly course?: readonly string[];
  /** Columns remapped through the id map. */
  readonly refs?: Readonly<Record<string, RefSpec>>;
  /** Date columns shifted by the restore's date offset (`apply_date_offset`). */
  readonly dates?: readonly string[];
  /** File areas restored for these records. */
  readonly files?: readonly FileAreaSpec[];
  /** Columns of the XML that are not table columns and must be dropped (besides `id`). */
  readonly drop?: readonly string[];
  /** Behaviour the spec cannot express, for the implementer, with the Moodle function that does it. */
  readonly notes?: string;
  /**
   * A tag record (`tag_instance`), restored with `core_tag_tag::add_item_tag(component, itemtype, itemid, module
   * context, rawname)`: `itemid` is the remapped (or parent) item.
   */
  readonly tag?: { readonly component: string; readonly itemtype: string };
}

/** The restore of one activity module's own XML. */
export interface ModuleSpec {
  /** Module name as in `modules.name`, e.g. `forum`. */
  readonly name: string;
  /** Frankenstyle component, e.g. `mod_forum`. */
  readonly component: string;
  /** Records in document order; the first is the instance (`/activity/<mod>`), which sets `course_modules.instance`. */
  readonly records: readonly RecordSpec[];
  /** Moodle source files the spec was read from (paths in moodle/moodle). */
  readonly sources: readonly string[];
}
