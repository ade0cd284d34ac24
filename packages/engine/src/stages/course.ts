/**
 * The course row and its context. Moodle first creates a skeleton course
 * (`restore_dbops::create_new_course()`) then fills it from course/course.xml
 * (`restore_course_structure_step::process_course()`): names made unique with
 * `restore_dbops::calculate_course_names()` ("… copy N" / "…_N"), `idnumber` kept only on the same
 * site when unused, dates shifted, the category the caller chose. Course format options are kept.
 * Course tags are added with `core_tag_tag::add_item_tag()` (`./tags.ts`).
 * Also from `process_course()` (4.3): an empty `hiddensections` becomes 0; `showcompletionconditions` and
 * `showactivitydates` take the site defaults (`moodlecourse`, both 1) when the backup has none (backups older than
 * 3.11, or NULL); then `course_get_format($data)->update_course_format_options($data)` writes the format's options
 * from the course data (`./course/format-options.ts`); the 4.x `courseformatoptions` list is applied after it
 * (`process_course_format_option()`: update the option when the course has it, else insert); a legacy `scorm` format
 * becomes `singleactivity` with activity type scorm.
 * A backup without course.xml (an activity backup) gets a course named after the original course; process_course()
 * does not run for it, so it gets no format options and the columns' defaults.
 * The weeks format's automatic end date is set by the sections stage (`./course/format-options.ts`).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { Row } from '../storage/storage-adapter.ts';
import type { XmlObject } from '../xml/types.ts';
import { ContextLevel, createContext, list, num, text } from './support.ts';
import { addItemTag } from './tags.ts';
import { writeCourseFormatOptions } from './course/format-options.ts';

/** `moodlecourse/showcompletionconditions` and `moodlecourse/showactivitydates` defaults (4.3, `$CFG->enablecompletion` on). */
const SITE_COURSE_DEFAULTS = { showcompletionconditions: 1, showactivitydates: 1 } as const;

export const courseStage = defineStage({
  name: 'course',
  enabledBy: [],
  reads: ['course/course.xml'],
  weight: 1,
  async run(ctx) {
    const { manifest, state } = ctx;
    let course: XmlObject | undefined;
    for await (const record of ctx.source.records('course/course.xml', {
      paths: ['/course'],
      arrays: ['tags/tag', 'customfields/customfield', 'courseformatoptions/courseformatoption'],
    })) {
      course ??= record.data;
    }
    const data: XmlObject = course ?? {};
    // The restore settings course_fullname/course_shortname default to moodle_backup.xml's names (§4.2).
    state.courseBaseNames = [
      manifest.originalCourseFullname || text(data.fullname),
      manifest.originalCourseShortname || text(data.shortname),
    ];
    const [fullname, shortname] = await courseNames(ctx, ...state.courseBaseNames);
    const idnumber = await keptIdnumber(ctx, text(data.idnumber));
    // process_course(): "Any empty value for course->hiddensections will lead to 0" (MDL-31532).
    const hiddensections = empty(data.hiddensections) ? '0' : data.hiddensections!;
    let format = text(data.format) || manifest.originalCourseFormat || 'topics';
    let formatData: XmlObject = { ...data, hiddensections };
    // process_course(): "Check if this is an old SCORM course format."
    if (format === 'scorm') {
      format = 'singleactivity';
      formatData = { ...formatData, activitytype: 'scorm' };
    }
    const courseId = await ctx.rows.insert('course', {
      ...data,
      hiddensections,
      category: state.categoryId,
      fullname,
      shortname,
      idnumber,
      format,
      // process_course(): `$data->x ?? $courseconfig->x` (3.11+ backups carry both fields). Without course.xml
      // process_course() does not run and the skeleton course keeps the columns' defaults.
      ...(course
        ? {
            showcompletionconditions: data.showcompletionconditions ?? SITE_COURSE_DEFAULTS.showcompletionconditions,
            showactivitydates: data.showactivitydates ?? SITE_COURSE_DEFAULTS.showactivitydates,
          }
        : {}),
      startdate: ctx.shiftDate(data.startdate ?? manifest.originalCourseStartdate) ?? 0,
      enddate: ctx.shiftDate(data.enddate ?? manifest.originalCourseEnddate) ?? 0,
      // The grouping is restored later; the groups stage sets the new id.
      defaultgroupingid: 0,
      sortorder: 0,
      timecreated: num(data.timecreated, state.now),
      timemodified: num(data.timemodified, state.now),
      cacherev: state.now,
    });
    const [category] = await ctx.rows.select('context', {
      contextlevel: ContextLevel.Category,
      instanceid: state.categoryId,
    });
    const context = await createContext(
      ctx,
      ContextLevel.Course,
      courseId,
      String(category?.path ?? '/1'),
      manifest.originalCourseContextId,
    );
    if (course) ctx.ids.set('context', num(course.contextid), context.id);
    ctx.ids.set('course', manifest.originalCourseId, courseId);
    if (course) ctx.ids.set('course', num(course.id), courseId);
    state.courseId = courseId;
    state.courseContextId = context.id;
    state.courseContextPath = context.path;
    // process_course(): course_get_format($data)->update_course_format_options($data).
    if (course) await writeCourseFormatOptions(ctx, courseId, format, formatData);
    for (const option of list(data.courseformatoptions, 'courseformatoption')) {
      // process_course_format_option(): section-level options (sectionid ≠ 0) are restored with their section;
      // an option the course has (same name, format, section 0) gets the backup's value, else it is inserted.
      if (num(option.sectionid) !== 0) continue;
      const [existing] = await ctx.rows.select(
        'course_format_options',
        { courseid: courseId, name: text(option.name), format: text(option.format), sectionid: 0 },
        { limit: 1 },
      );
      if (existing)
        await ctx.rows.update('course_format_options', Number(existing.id), { value: option.value ?? null });
      else await ctx.rows.insert('course_format_options', { ...option, courseid: courseId, sectionid: 0 });
    }
    // restore_course_structure_step::process_tag(): core_tag_tag::add_item_tag('core', 'course', …).
    for (const tag of list(data.tags, 'tag')) {
      await addItemTag(ctx, {
        component: 'core',
        itemtype: 'course',
        itemid: courseId,
        contextid: context.id,
        rawname: text(tag.rawname) || text(tag.name),
      });
    }
    if (manifest.originalSystemContextId) ctx.ids.set('context', manifest.originalSystemContextId, 1);
  },
});

// Internal helpers

/**
 * Checks the new course's names again just before the restore commits: a restore running at the same time
 * may have committed a course with the same names since the course stage chose them (each unit of work sees
 * only committed rows and its own). Takes the next free "copy N" / "_N" when so. This narrows the race to
 * the moment between this check and the commit; Moodle's own restore checks once, at the start.
 */
export async function settleCourseNames(ctx: Pick<RestoreContext, 'rows' | 'state'>): Promise<void> {
  const { courseId, courseBaseNames } = ctx.state;
  if (!courseBaseNames || courseId === 0) return;
  const [own] = await ctx.rows.select('course', { id: courseId });
  if (!own || !(await taken(ctx, String(own.fullname), String(own.shortname)))) return;
  const [fullname, shortname] = await courseNames(ctx, ...courseBaseNames);
  await ctx.rows.update('course', courseId, { fullname, shortname });
}

/** `restore_dbops::calculate_course_names()`: the first counter at which neither name is taken by another course. */
async function courseNames(
  ctx: Pick<RestoreContext, 'rows' | 'state'>,
  fullname: string,
  shortname: string,
): Promise<[string, string]> {
  for (let counter = 0; ; counter++) {
    const full = counter === 0 ? fullname : `${fullname} copy ${counter}`;
    const suffix = `_${counter}`;
    const short = counter === 0 ? shortname : `${shortname.slice(0, 100 - suffix.length)}${suffix}`;
    if (!(await taken(ctx, full, short))) return [full, short];
  }
}

/** True when a course other than the one being restored has this full name or short name. */
async function taken(
  ctx: Pick<RestoreContext, 'rows' | 'state'>,
  fullname: string,
  shortname: string,
): Promise<boolean> {
  const other = (rows: readonly Row[]): boolean => rows.some((row) => Number(row.id) !== ctx.state.courseId);
  return (
    other(await ctx.rows.select('course', { fullname }, { limit: 2 })) ||
    other(await ctx.rows.select('course', { shortname }, { limit: 2 }))
  );
}

/** PHP's `empty()` of an XML value. */
function empty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === '0';
}

/** `idnumber` survives only on the same site and when no other course uses it. */
async function keptIdnumber(ctx: RestoreContext, idnumber: string): Promise<string> {
  if (!idnumber || !ctx.state.sameSite) return '';
  const used = await ctx.rows.select('course', { idnumber }, { limit: 1 });
  return used.length === 0 ? idnumber : '';
}
