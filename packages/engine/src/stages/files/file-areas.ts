/**
 * Which file areas are restored, and how their context and item ids are found: Moodle's `add_related_files()`
 * calls, gathered in one place. Areas come from
 * - other stages (`ctx.state.fileAreas`: activities, sections, blocks, calendar …);
 * - the course and section steps (`restore_course_structure_step::after_execute()`: course `summary`,
 *   `overviewfiles`; `restore_course_legacy_files_step`: course `legacy` when the `legacyfiles` setting is on;
 *   `restore_section_structure_step::after_execute()`: course `section` by `course_section`);
 * - the groups step (`restore_groups_structure_step`: group `description` and `icon` by `group`, grouping
 *   `description` by `grouping`);
 * - user creation (`restore_dbops::create_included_users()`: user `icon` and `profile` of each created user; a user
 *   context that was not mapped belongs to a matched user, whose files Moodle does not touch, so it is skipped quietly);
 * - question files (`restore_create_question_files`): the question, answer and hint areas of every bank with created
 *   questions, plus the file areas of the question types created there, into the bank's final context.
 * Scale and outcome files (component `grade`) are left to the stage that creates scales and outcomes.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import { QTYPE_FILE_AREAS, QUESTION_FILE_AREAS } from './question-file-areas.ts';

/** One restorable area of one source context. */
export interface FileAreaSpec {
  readonly component: string;
  readonly filearea: string;
  readonly oldContextId: number;
  /** Id-map item name for `itemid`, or `null` to keep it. */
  readonly itemname: string | null;
  /** The new context, when not found through the `context` map (question banks). */
  readonly newContextId?: number;
  /** Skip quietly when the context is not mapped (user files of matched users). */
  readonly quiet?: boolean;
}

/** Every area to restore, by `oldContextId/component/filearea`. */
export function collectFileAreas(ctx: RestoreContext): Map<string, FileAreaSpec[]> {
  const areas = new Map<string, FileAreaSpec[]>();
  const add = (spec: FileAreaSpec) => {
    const key = areaKey(spec.oldContextId, spec.component, spec.filearea);
    const list = areas.get(key);
    if (!list) areas.set(key, [spec]);
    else if (!list.some((s) => s.itemname === spec.itemname && s.newContextId === spec.newContextId)) list.push(spec);
  };
  for (const area of ctx.state.fileAreas) add(area);

  const course = ctx.manifest.originalCourseContextId;
  add({ component: 'course', filearea: 'summary', oldContextId: course, itemname: null });
  add({ component: 'course', filearea: 'overviewfiles', oldContextId: course, itemname: null });
  if (ctx.settings.root('legacyfiles') !== 0)
    add({ component: 'course', filearea: 'legacy', oldContextId: course, itemname: null });
  add({ component: 'course', filearea: 'section', oldContextId: course, itemname: 'course_section' });
  add({ component: 'group', filearea: 'description', oldContextId: course, itemname: 'group' });
  add({ component: 'group', filearea: 'icon', oldContextId: course, itemname: 'group' });
  add({ component: 'grouping', filearea: 'description', oldContextId: course, itemname: 'grouping' });

  const userContexts = new Set<number>();
  for (const file of ctx.state.fileRecords) if (file.component === 'user') userContexts.add(file.contextid);
  for (const oldContextId of userContexts) {
    add({ component: 'user', filearea: 'icon', oldContextId, itemname: null, quiet: true });
    add({ component: 'user', filearea: 'profile', oldContextId, itemname: null, quiet: true });
  }

  for (const [oldContextId, bank] of ctx.state.questionBanks) {
    if (bank.createdQuestionIds.length === 0) continue;
    for (const [filearea, itemname] of QUESTION_FILE_AREAS) {
      add({ component: 'question', filearea, oldContextId, itemname, newContextId: bank.newContextId });
    }
    for (const qtype of bank.qtypes) {
      for (const [filearea, itemname] of QTYPE_FILE_AREAS.get(qtype) ?? []) {
        add({ component: `qtype_${qtype}`, filearea, oldContextId, itemname, newContextId: bank.newContextId });
      }
    }
  }
  return areas;
}

/** Lookup key of an area. */
export function areaKey(oldContextId: number, component: string, filearea: string): string {
  return `${oldContextId}/${component}/${filearea}`;
}
