/**
 * How the `objectid` of a standard-log row is remapped. Moodle asks the event class
 * (`\core\event\base::get_objectid_mapping()`, e.g. `['db' => 'forum_posts', 'restore' => 'forum_post']`)
 * and then the id map (`restore_tool_log_logstore_subplugin::process_log()`). The engine has no event
 * classes, so it goes by the row's `objecttable`, which is the event's `db` table: core tables are listed
 * here with the restore item name Moodle's events give them, module tables come from the module specs
 * (each record's table and the item name its restore registers, `modules/`).
 *
 * Outcomes, as Moodle: a mapped table whose id was not restored → {@link NOT_FOUND}; a table whose events
 * declare the id unmappable → {@link NOT_MAPPED}. Departure: for a table the engine does not know, Moodle
 * would keep the source id (event classes without a mapping) or skip the row (unknown event class); the
 * engine stores {@link NOT_MAPPED} and keeps the row, so no source-site id stays behind.
 */
import { MODULE_SPECS, NO_TABLE } from '../../modules/index.ts';

/** `\core\event\base::NOT_MAPPED`: the id cannot be mapped on restore. */
export const NOT_MAPPED = -31337;
/** `\core\event\base::NOT_FOUND`: the id could be mapped but its record was not restored. */
export const NOT_FOUND = -31338;

/** Core object tables → restore item name (`null` = the events declare `NOT_MAPPED`). */
const CORE_TABLES: Readonly<Record<string, string | null>> = {
  course: 'course',
  course_modules: 'course_module',
  course_sections: 'course_section',
  course_categories: null,
  user: 'user',
  groups: 'group',
  groupings: 'grouping',
  groupings_groups: null,
  groups_members: null,
  role: 'role',
  role_assignments: null,
  enrol: 'enrol',
  user_enrolments: null,
  grade_items: 'grade_item',
  grade_grades: 'grade_grades',
  grade_categories: 'grade_category',
  grade_outcomes: 'outcome',
  scale: 'scale',
  question: 'question',
  question_categories: 'question_category',
  event: 'event',
  block_instances: 'block_instance',
  comments: null,
  files: null,
  tag: null,
  tag_instance: null,
  badge: 'badge',
  badge_issued: null,
  course_completions: null,
  course_modules_completion: null,
  rating: null,
  message: null,
  notifications: null,
};

/** Object table → restore item name, or `null` when the id is never mapped. */
export const OBJECT_TABLE_ITEMNAMES: ReadonlyMap<string, string | null> = buildTable();

function buildTable(): Map<string, string | null> {
  const table = new Map<string, string | null>();
  for (const spec of Object.values(MODULE_SPECS)) {
    for (const record of spec.records) {
      if (record.table === NO_TABLE || record.itemname === undefined || table.has(record.table)) continue;
      table.set(record.table, record.itemname);
    }
  }
  for (const [name, itemname] of Object.entries(CORE_TABLES)) table.set(name, itemname);
  return table;
}
