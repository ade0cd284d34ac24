/**
 * Backup files the generated course has no records for, written with exactly the root and empty
 * containers a real Moodle 4.3 backup has (`gen_s_users.mbz`): e.g. `badges.xml` is
 * `<badges>` / `</badges>`, `filters.xml` holds empty `filter_actives` and `filter_configs`.
 * Restore steps check these files exist (or skip silently), so they are always written.
 */
import type { XmlRender } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Root element and empty child containers of each kind of empty file. */
export const EMPTY_FILES = {
  badges: ['badges', []],
  courseCompletion: ['course_completion', []],
  scales: ['scales_definition', []],
  outcomes: ['outcomes_definition', []],
  calendar: ['events', []],
  comments: ['comments', []],
  filters: ['filters', ['filter_actives', 'filter_configs']],
  courseCompetencies: ['course_competencies', ['competencies', 'user_competencies']],
  moduleCompetencies: ['course_module_competencies', ['competencies']],
  completionDefaults: ['course_completion_defaults', []],
  contentbank: ['contents', []],
  lastAccess: ['lastaccesses', []],
  logs: ['logs', []],
  xapistate: ['states', []],
  grading: ['areas', []],
  roles: ['roles', ['role_overrides', 'role_assignments']],
  gradeHistory: ['grade_history', ['grade_grades']],
  activityGrades: ['activity_gradebook', ['grade_items', 'grade_letters']],
  completion: ['completions', ['completionviews']],
  inforef: ['inforef', []],
} as const satisfies Record<string, readonly [string, readonly string[]]>;

/** Kind of an empty file. */
export type EmptyFileKind = keyof typeof EMPTY_FILES;

/** Writes the empty file of `kind`. */
export function writeEmpty(w: XmlWriter, kind: EmptyFileKind): void {
  const [root, children] = EMPTY_FILES[kind];
  w.open(root);
  for (const child of children) w.empty(child);
  w.close();
}

/** An {@link XmlRender} for the empty file of `kind`. */
export function emptyRender(kind: EmptyFileKind): XmlRender {
  return (w) => writeEmpty(w, kind);
}
