/**
 * Writes `course/course.xml` (`backup_course_structure_step`): the course row with attributes
 * `id` and `contextid`, the 4.3 field list, the (ignored on restore) category, empty tags and
 * custom fields, and the topics format options — field for field like a real 4.3 backup.
 * Also writes `sections/section_<id>/section.xml` (`backup_section_structure_step`), whose
 * `sequence` lists the section's cmids in contents order.
 */
import type { SectionInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders course/course.xml. */
export function renderCourse(w: XmlWriter, ctx: RenderContext): void {
  const { model: m } = ctx;
  const c = m.course;
  w.open('course', { id: c.id, contextid: c.contextId }).leaves({
    shortname: c.shortname,
    fullname: c.fullname,
    idnumber: '',
    summary: c.summary,
    summaryformat: 1,
    format: c.format,
    showgrades: 1,
    newsitems: 5,
    startdate: m.time.startdate,
    enddate: m.time.enddate,
    marker: 0,
    maxbytes: 0,
    legacyfiles: 0,
    showreports: 0,
    visible: 1,
    groupmode: 0,
    groupmodeforce: 0,
    defaultgroupingid: m.groupings[0]?.id ?? 0,
    lang: '',
    theme: '',
    timecreated: m.time.created,
    timemodified: m.time.created,
    requested: 0,
    showactivitydates: 1,
    showcompletionconditions: 1,
    pdfexportfont: null,
    enablecompletion: 1,
    completionnotify: 0,
  });
  w.open('category', { id: c.categoryId }).leaves({ name: 'Category 1', description: null }).close();
  w.empty('tags').empty('customfields');
  w.open('courseformatoptions');
  for (const [name, value] of [
    ['hiddensections', '1'],
    ['coursedisplay', '0'],
  ] as const) {
    w.open('courseformatoption').leaves({ format: c.format, sectionid: 0, name, value }).close();
  }
  w.close().close();
}

/** Renders sections/section_<id>/section.xml. */
export function renderSection(w: XmlWriter, ctx: RenderContext, section: SectionInfo): void {
  w.open('section', { id: section.id }).leaves({
    number: section.number,
    name: section.name,
    summary: section.summary,
    summaryformat: 1,
    sequence: section.activities.map((a) => a.cmid).join(','),
    visible: 1,
    availabilityjson: null,
    timemodified: ctx.model.time.created + 60,
  });
  w.close();
}
