/**
 * Referential integrity of a restored store: every foreign-key-like column must point at a row that
 * exists. Core columns are listed here from Moodle's schema; module tables' columns come from the
 * module specs (`parent`, `course` and `refs`), so a new module spec is covered without new code.
 * Values ≤ 0 and NULL mean "none" in Moodle and are not references.
 */
import { MODULE_SPECS, type StorageAdapter } from '@mbz-restore/engine';

/** table.column → referenced table. */
const CORE: Record<string, string> = {
  'course.category': 'course_categories',
  'course_sections.course': 'course',
  'course_modules.course': 'course',
  'course_modules.module': 'modules',
  'course_modules.section': 'course_sections',
  'course_modules.groupingid': 'groupings',
  'course_format_options.courseid': 'course',
  'enrol.courseid': 'course',
  'enrol.roleid': 'role',
  'user_enrolments.enrolid': 'enrol',
  'user_enrolments.userid': 'user',
  'role_assignments.roleid': 'role',
  'role_assignments.contextid': 'context',
  'role_assignments.userid': 'user',
  'role_capabilities.roleid': 'role',
  'role_capabilities.contextid': 'context',
  'role_names.roleid': 'role',
  'role_names.contextid': 'context',
  'user_preferences.userid': 'user',
  'groups.courseid': 'course',
  'groupings.courseid': 'course',
  'groups_members.groupid': 'groups',
  'groups_members.userid': 'user',
  'groupings_groups.groupingid': 'groupings',
  'groupings_groups.groupid': 'groups',
  'grade_categories.courseid': 'course',
  'grade_categories.parent': 'grade_categories',
  'grade_items.courseid': 'course',
  'grade_items.categoryid': 'grade_categories',
  'grade_items.scaleid': 'scale',
  'grade_items.outcomeid': 'grade_outcomes',
  'grade_grades.itemid': 'grade_items',
  'grade_grades.userid': 'user',
  'grade_grades_history.oldid': 'grade_grades',
  'grade_grades_history.itemid': 'grade_items',
  'grade_grades_history.userid': 'user',
  'grade_grades_history.rawscaleid': 'scale',
  'grade_items_history.oldid': 'grade_items',
  'grade_items_history.courseid': 'course',
  'grade_items_history.categoryid': 'grade_categories',
  'grade_items_history.scaleid': 'scale',
  'grade_categories_history.oldid': 'grade_categories',
  'grade_categories_history.courseid': 'course',
  'grade_letters.contextid': 'context',
  'grade_settings.courseid': 'course',
  'logstore_standard_log.contextid': 'context',
  'logstore_standard_log.userid': 'user',
  'logstore_standard_log.courseid': 'course',
  'logstore_standard_log.relateduserid': 'user',
  'logstore_standard_log.realuserid': 'user',
  'comments.contextid': 'context',
  'comments.userid': 'user',
  'course_completions.course': 'course',
  'course_completions.userid': 'user',
  'course_completion_criteria.course': 'course',
  'course_modules_completion.coursemoduleid': 'course_modules',
  'course_modules_completion.userid': 'user',
  'block_instances.parentcontextid': 'context',
  'block_positions.blockinstanceid': 'block_instances',
  'block_positions.contextid': 'context',
  'filter_active.contextid': 'context',
  'filter_config.contextid': 'context',
  'files.contextid': 'context',
  'files.userid': 'user',
  'question_categories.contextid': 'context',
  'question_categories.parent': 'question_categories',
  'question_bank_entries.questioncategoryid': 'question_categories',
  'question_versions.questionbankentryid': 'question_bank_entries',
  'question_versions.questionid': 'question',
  'question_answers.question': 'question',
  'question_hints.questionid': 'question',
  'question_usages.contextid': 'context',
  'question_attempts.questionusageid': 'question_usages',
  'question_attempts.questionid': 'question',
  'question_attempt_steps.questionattemptid': 'question_attempts',
  'question_attempt_steps.userid': 'user',
  'question_attempt_step_data.attemptstepid': 'question_attempt_steps',
  'question_references.usingcontextid': 'context',
  'question_references.questionbankentryid': 'question_bank_entries',
  'question_set_references.usingcontextid': 'context',
  'event.courseid': 'course',
  'event.userid': 'user',
  'event.groupid': 'groups',
  'tag_instance.tagid': 'tag',
  'tag_instance.contextid': 'context',
};

/** Item names of the id map → the table their new ids live in. */
const ITEM_TABLES: Record<string, string> = {
  user: 'user',
  group: 'groups',
  grouping: 'groupings',
  course_module: 'course_modules',
  course_section: 'course_sections',
  context: 'context',
  scale: 'scale',
  outcome: 'grade_outcomes',
  grade_item: 'grade_items',
  question: 'question',
  question_category: 'question_categories',
  question_bank_entry: 'question_bank_entries',
  question_usage: 'question_usages',
  enrol: 'enrol',
  role: 'role',
  event: 'event',
  course: 'course',
  grade_grade: 'grade_grades',
  block_instance: 'block_instances',
};

/**
 * Columns whose target depends on another column of the row (`tag_instance.itemid` by component and
 * item type, `rating.itemid` by rating area …): not simple references, so not checked here.
 */
const POLYMORPHIC = new Set([
  'tag_instance.itemid',
  'rating.itemid',
  'files.itemid',
  'comments.itemid',
  'grade_items.iteminstance',
  'event.instance',
  'logstore_standard_log.objectid',
  'logstore_standard_log.contextinstanceid',
]);

/** Every checked reference: table.column → referenced table. */
export function referenceColumns(): Record<string, string> {
  const refs: Record<string, string> = { ...CORE };
  for (const spec of Object.values(MODULE_SPECS)) {
    const local: Record<string, string> = {};
    for (const record of spec.records) if (record.itemname && record.table) local[record.itemname] = record.table;
    for (const record of spec.records) {
      if (!record.table) continue;
      const target = (item: string) => ITEM_TABLES[item] ?? local[item];
      for (const [column, item] of Object.entries(record.parent ?? {})) {
        const table = target(item);
        if (table) refs[`${record.table}.${column}`] = table;
      }
      for (const column of record.course ?? []) refs[`${record.table}.${column}`] = 'course';
      for (const [column, ref] of Object.entries(record.refs ?? {})) {
        const table = target(ref.itemname);
        if (table) refs[`${record.table}.${column}`] = table;
      }
    }
  }
  for (const key of POLYMORPHIC) delete refs[key];
  return refs;
}

/** One dangling reference found. */
export interface Dangling {
  column: string;
  rowId: number;
  value: number;
  references: string;
}

/** Walks every reference column of every non-empty table; returns the dangling ones (at most `limit`). */
export async function findDanglingReferences(storage: StorageAdapter, limit = 50): Promise<Dangling[]> {
  const present = new Set(await storage.tables());
  const ids = new Map<string, Set<number>>();
  const idsOf = async (table: string) => {
    let set = ids.get(table);
    if (!set) {
      set = new Set(present.has(table) ? (await storage.select(table)).map((r) => Number(r.id)) : []);
      ids.set(table, set);
    }
    return set;
  };
  const found: Dangling[] = [];
  const byTable = new Map<string, Array<[string, string]>>();
  for (const [key, target] of Object.entries(referenceColumns())) {
    const [table, column] = key.split('.') as [string, string];
    if (!present.has(table)) continue;
    byTable.set(table, [...(byTable.get(table) ?? []), [column, target]]);
  }
  for (const [table, columns] of byTable) {
    for (const row of await storage.select(table)) {
      for (const [column, target] of columns) {
        const value = Number(row[column]);
        if (row[column] === null || row[column] === undefined || !(value > 0)) continue;
        if (!(await idsOf(target)).has(value)) {
          found.push({ column: `${table}.${column}`, rowId: Number(row.id), value, references: target });
          if (found.length >= limit) return found;
        }
      }
    }
  }
  // Context instance ids by level, and course module instances by module name.
  const levels: Record<number, string> = {
    30: 'user',
    40: 'course_categories',
    50: 'course',
    70: 'course_modules',
    80: 'block_instances',
  };
  for (const row of await storage.select('context')) {
    const table = levels[Number(row.contextlevel)];
    if (table && !(await idsOf(table)).has(Number(row.instanceid))) {
      found.push({
        column: 'context.instanceid',
        rowId: Number(row.id),
        value: Number(row.instanceid),
        references: table,
      });
    }
  }
  const modules = new Map((await storage.select('modules')).map((m) => [Number(m.id), String(m.name)]));
  for (const cm of await storage.select('course_modules')) {
    const table = modules.get(Number(cm.module));
    if (table && present.has(table) && !(await idsOf(table)).has(Number(cm.instance))) {
      found.push({
        column: 'course_modules.instance',
        rowId: Number(cm.id),
        value: Number(cm.instance),
        references: table,
      });
    }
  }
  return found.slice(0, limit);
}
