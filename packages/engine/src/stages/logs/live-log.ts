/**
 * The standard log as Moodle's live log store writes an event fired during a restore
 * (`admin/tool/log/classes/helper/buffered_writer.php` `write()` and `logstore_standard\log\store`):
 * the event's data (`\core\event\base::get_data()`: eventname, component, action, target, objecttable,
 * objectid, crud, edulevel, contextid, contextlevel, contextinstanceid, userid, courseid, relateduserid,
 * anonymous 0, other, timecreated), `other` JSON-encoded (Moodle 4.3 sites log in JSON, `logstore_standard`
 * `jsonformat` on; the generated backups' own log rows show it), `origin` = `restore` (what Moodle 4.3's
 * restore leaves in `$PAGE->requestorigin`, see the oracle restores), `ip` NULL (as in the CLI restores of the
 * oracle; the engine knows no client address), `realuserid` NULL (nobody is
 * "logged in as" during a restore).
 *
 * Each event class fixes its crud, edulevel and objecttable in `init()` (`lib/classes/event/<name>.php`);
 * component, action and target come from the class name (`\core\event\base::__construct()` splits
 * `<target>_<action>`).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { ContextLevel } from '../support.ts';
import { phpJsonEncode, type PhpEncodable } from '../../php/json.ts';

/** `\core\event\base::LEVEL_OTHER` / `LEVEL_TEACHING`. */
const LEVEL_OTHER = 0;
const LEVEL_TEACHING = 1;

/** What each event class of a restore declares (`init()`), by short name. */
export const RESTORE_EVENT_CLASSES = {
  course_restored: { target: 'course', action: 'restored', crud: 'c', edulevel: LEVEL_TEACHING, objecttable: 'course' },
  course_section_created: {
    target: 'course_section',
    action: 'created',
    crud: 'c',
    edulevel: LEVEL_TEACHING,
    objecttable: 'course_sections',
  },
  course_section_updated: {
    target: 'course_section',
    action: 'updated',
    crud: 'u',
    edulevel: LEVEL_TEACHING,
    objecttable: 'course_sections',
  },
  enrol_instance_created: {
    target: 'enrol_instance',
    action: 'created',
    crud: 'c',
    edulevel: LEVEL_OTHER,
    objecttable: 'enrol',
  },
  user_enrolment_created: {
    target: 'user_enrolment',
    action: 'created',
    crud: 'c',
    edulevel: LEVEL_OTHER,
    objecttable: 'user_enrolments',
  },
  grade_item_created: {
    target: 'grade_item',
    action: 'created',
    crud: 'c',
    edulevel: LEVEL_OTHER,
    objecttable: 'grade_items',
  },
  grade_item_updated: {
    target: 'grade_item',
    action: 'updated',
    crud: 'u',
    edulevel: LEVEL_OTHER,
    objecttable: 'grade_items',
  },
  group_member_added: {
    target: 'group_member',
    action: 'added',
    crud: 'c',
    edulevel: LEVEL_OTHER,
    objecttable: 'groups',
  },
  grouping_group_assigned: {
    target: 'grouping_group',
    action: 'assigned',
    crud: 'c',
    edulevel: LEVEL_OTHER,
    objecttable: 'groupings',
  },
  role_assigned: { target: 'role', action: 'assigned', crud: 'c', edulevel: LEVEL_OTHER, objecttable: 'role' },
  user_graded: { target: 'user', action: 'graded', crud: 'u', edulevel: LEVEL_TEACHING, objecttable: 'grade_grades' },
  tag_added: { target: 'tag', action: 'added', crud: 'c', edulevel: LEVEL_OTHER, objecttable: 'tag_instance' },
} as const;

export type RestoreEventName = keyof typeof RESTORE_EVENT_CLASSES;

/** `\core\event\base::USER_OTHER`: the gradebook's "system" user of `user_graded` events it fires itself. */
export const USER_OTHER = -1;

/** One fired event: what varies per event. */
export interface FiredEvent {
  readonly objectid: number;
  /** `other` as the PHP array Moodle builds (encoded here as PHP's `json_encode` does). */
  readonly other: { readonly [key: string]: PhpEncodable | undefined } | null;
  /** Default: Moodle's `$USER` during the restore (`RestoreState.actingUserId`). */
  readonly userid?: number;
  readonly relateduserid?: number | null;
  /** Default: the course context. */
  readonly context?: { readonly id: number; readonly contextlevel: number; readonly instanceid: number };
}

/** Writes fired events to `logstore_standard_log` through the row writer. */
export class LiveLog {
  readonly #ctx: RestoreContext;

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  async write(name: RestoreEventName, event: FiredEvent): Promise<void> {
    const { state } = this.#ctx;
    const declared = RESTORE_EVENT_CLASSES[name];
    const context = event.context ?? {
      id: state.courseContextId,
      contextlevel: ContextLevel.Course,
      instanceid: state.courseId,
    };
    await this.#ctx.rows.insert('logstore_standard_log', {
      eventname: `\\core\\event\\${name}`,
      component: 'core',
      action: declared.action,
      target: declared.target,
      objecttable: declared.objecttable,
      objectid: event.objectid,
      crud: declared.crud,
      edulevel: declared.edulevel,
      contextid: context.id,
      contextlevel: context.contextlevel,
      contextinstanceid: context.instanceid,
      userid: event.userid ?? state.actingUserId,
      courseid: state.courseId,
      relateduserid: event.relateduserid ?? null,
      anonymous: 0,
      other: phpJsonEncode(event.other),
      timecreated: state.now,
      origin: 'restore',
      ip: null,
      realuserid: null,
    });
  }
}
