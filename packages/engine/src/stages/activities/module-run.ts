/**
 * The state of restoring one activity's own XML (`activities/<mod>_<cmid>/<mod>.xml`), shared by the generic
 * spec interpreter and the module hooks: Moodle keeps the same in its activity task (`get_moduleid()`,
 * `get_contextid()`, `get_old_contextid()`, `get_activityid()`, `get_old_moduleversion()`), and the hooks
 * interface through which module-specific behaviour (`restore_<mod>_stepslib.php` code the specs can only
 * describe in `notes`) plugs into the interpreter.
 */
import type { ModuleSpec, RecordSpec } from '../../modules/types.ts';
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlRecord } from '../../xml/types.ts';

/** One activity being restored. */
export interface ActivityRun {
  readonly ctx: RestoreContext;
  readonly spec: ModuleSpec;
  /** Setting key and directory name, e.g. `forum_791`. */
  readonly key: string;
  /** The module's XML entry, e.g. `activities/forum_791/forum.xml`. */
  readonly entry: string;
  /** `<mod>_<cmid>_userinfo`. */
  readonly userinfo: boolean;
  /** New course module id (reserved before the module's rows are written). */
  readonly cmId: number;
  /** New module context id. */
  readonly contextId: number;
  /** Source module context id (`/activity/@contextid`). */
  readonly oldContextId: number;
  /** Source module version (`/module/@version`), for version-dependent upgrades. */
  readonly moduleVersion: number;
  /** New instance id, once the instance row is written. */
  instanceId: number | undefined;
  /** New id of the last record written per item name (Moodle's `get_new_parentid()` fallback). */
  readonly lastIds: Map<string, number>;
  /** Scratch space of the module's hooks. */
  readonly scratch: Map<string, unknown>;
  /** Columns of the `course_modules` row a module sets (e.g. quiz `completionpassgrade`). */
  readonly cmChanges: Record<string, unknown>;
}

/** A record about to be written. */
export interface RecordEvent {
  readonly run: ActivityRun;
  readonly spec: RecordSpec;
  readonly record: XmlRecord;
  /** The row: the XML fields with parent, course, refs and dates already applied. Hooks may change it. */
  readonly row: Record<string, unknown>;
}

/** Module-specific behaviour for one element path. */
export interface RecordHooks {
  /** Adjusts the row before it is written; `false` skips the record and everything inside it. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing (most do) keeps the record
  prepare?(event: RecordEvent): boolean | void | Promise<boolean | void>;
  /** Writes the row itself (e.g. later or elsewhere); returns its id, or `undefined` when it was skipped. */
  insert?(event: RecordEvent): Promise<number | undefined>;
  /** Runs after the row was written. */
  after?(event: RecordEvent, id: number): void | Promise<void>;
}

/** Module-specific behaviour of one module. */
export interface ModuleHooks {
  /** Per element path. */
  readonly paths?: Readonly<Record<string, RecordHooks>>;
  /** Element paths handled by `paths` although their spec says "Not a plain insert". */
  readonly handles?: readonly string[];
  /** Runs after the whole file was read, before deferred references are resolved (Moodle's `after_execute()`). */
  finish?(run: ActivityRun): Promise<void>;
}
