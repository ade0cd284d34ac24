/**
 * The course sections: one `course_sections` row per included section of the backup, in manifest order.
 * Follows `restore_section_structure_step` (`backup/moodle2/restore_stepslib.php`, 4.x): the section is
 * looked up by (course, number); a missing one is inserted with name, summary, visibility and availability
 * (`availabilityjson`, or the pre-2.7 fields converted as `convert_legacy_fields()` does) and an EMPTY
 * `sequence` (the activities stage rebuilds it); an existing one only gets an empty name or summary filled.
 * `course_section` is mapped old → new and the `course`/`section` file area is listed for the files stage.
 * Section-level course format options (`/section/course_format_options`) are kept when the backup's format is
 * the new course's format, unless the same option already exists (`process_course_format_options()`).
 *
 * Pre-2.7 availability (`availablefrom`, `groupingid`, `/section/availability` records …) is converted into
 * availability JSON here, with source ids; ids inside availability JSON are remapped by the finalize stage,
 * once every activity, group and grade item is restored (Moodle's final task does both).
 *
 * Each section created fires `course_section_created`, whose weeks-format observer recomputes the course end date
 * (`format_weeks::update_end_date()`, `./course/format-options.ts`); it is done once, after the last section.
 *
 * Departure: the 4.4+ delegated-section columns `component`/`itemid` are left empty (subsections are not
 * modelled; the item would be a source id).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { sectionAvailability } from './activities/availability.ts';
import { addFileArea } from './activities/file-areas.ts';
import { updateWeeksEndDate } from './course/format-options.ts';
import { num, text } from './support.ts';

const SECTION = '/section';
const FORMAT_OPTION = '/section/course_format_options';

export const sectionsStage = defineStage({
  name: 'sections',
  enabledBy: [],
  reads: ['sections/*/section.xml'],
  weight: 1,
  async run(ctx) {
    const { state, manifest } = ctx;
    const [course] = await ctx.rows.select('course', { id: state.courseId });
    const format = String(course?.format ?? '');
    const byNumber = new Map<number, number>();
    for (const row of await ctx.rows.select('course_sections', { course: state.courseId }))
      byNumber.set(Number(row.section), Number(row.id));
    const options = new Set<string>();
    for (const row of await ctx.rows.select('course_format_options', { courseid: state.courseId })) {
      options.add(`${String(row.sectionid)}/${String(row.format)}/${String(row.name)}`);
    }
    const sections = manifest.sections;
    const before = byNumber.size;
    for (const [index, ref] of sections.entries()) {
      const key = ref.directory.slice(ref.directory.lastIndexOf('/') + 1) || `section_${ref.sectionId}`;
      if (!ctx.settings.sectionIncluded(key)) continue;
      const entry = `${ref.directory}/section.xml`;
      if (!ctx.source.has(entry)) {
        ctx.warn(
          'section-xml-missing',
          `Section ${ref.sectionId} is listed in moodle_backup.xml but ${entry} is missing; it is not restored.`,
          entry,
        );
        continue;
      }
      let sectionId: number | undefined;
      for await (const record of ctx.source.records(entry, { paths: [SECTION, FORMAT_OPTION] })) {
        if (record.path === SECTION) {
          sectionId = await restoreSection(ctx, record.data, byNumber);
          ctx.ids.set('course_section', num(record.data.id, ref.sectionId), sectionId);
        } else if (sectionId !== undefined) {
          await restoreFormatOption(ctx, record.data, sectionId, format, options);
        }
      }
      if (sectionId === undefined) {
        ctx.warn('section-xml-invalid', `${entry} holds no <section> element; the section is not restored.`, entry);
        continue;
      }
      addFileArea(ctx, {
        component: 'course',
        filearea: 'section',
        itemname: 'course_section',
        oldContextId: manifest.originalCourseContextId,
      });
      ctx.progress(index + 1, sections.length);
    }
    // course_section_created → format_weeks_observer::course_section_created() → update_end_date().
    if (byNumber.size > before) await updateWeeksEndDate(ctx, state.courseId);
  },
});

// Internal helpers

/** Inserts the section, or fills the empty name/summary of an existing one with the same number; returns its id. */
async function restoreSection(ctx: RestoreContext, data: XmlObject, byNumber: Map<number, number>): Promise<number> {
  const number = num(data.number);
  const existing = byNumber.get(number);
  if (existing !== undefined) {
    const [row] = await ctx.rows.select('course_sections', { id: existing });
    const changes: Record<string, unknown> = {};
    if (row && (row.name === null || row.name === '')) changes.name = data.name ?? null;
    if (row && !row.summary) {
      changes.summary = typeof data.summary === 'string' ? data.summary : null;
      changes.summaryformat = data.summaryformat;
    }
    if (Object.keys(changes).length > 0) await ctx.rows.update('course_sections', existing, changes);
    return existing;
  }
  // restore_section_structure_step::process_section() and process_availability_field() (activities/availability.ts).
  const availability = await sectionAvailability(ctx, data);
  const id = await ctx.rows.insert('course_sections', {
    course: ctx.state.courseId,
    section: number,
    name: typeof data.name === 'string' ? data.name : null,
    // `$section->summary = $data->summary`: a NULL summary stays NULL.
    summary: typeof data.summary === 'string' ? data.summary : null,
    summaryformat: num(data.summaryformat, 1),
    sequence: '',
    visible: num(data.visible, 1),
    availability,
    component: null,
    itemid: null,
    timemodified: num(data.timemodified),
  });
  byNumber.set(number, id);
  return id;
}

async function restoreFormatOption(
  ctx: RestoreContext,
  data: XmlObject,
  sectionId: number,
  format: string,
  seen: Set<string>,
): Promise<void> {
  if (text(data.format) !== format || text(data.name) === '') return;
  const key = `${sectionId}/${format}/${text(data.name)}`;
  if (seen.has(key)) return;
  seen.add(key);
  const id = await ctx.rows.insert('course_format_options', {
    courseid: ctx.state.courseId,
    format,
    sectionid: sectionId,
    name: text(data.name),
    value: data.value ?? null,
  });
  if (data.id !== undefined) ctx.ids.set('course_format_options', num(data.id), id);
}
