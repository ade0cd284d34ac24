/**
 * Course-level format options as Moodle 4.3's core course formats define them, and the two format hooks a
 * restore runs:
 * - `restore_course_structure_step::process_course()` ends with
 *   `course_get_format($data)->update_course_format_options($data)` ("course format options that may be saved
 *   against the course entity in earlier-version backups": `numsections`, `hiddensections`, `coursedisplay`,
 *   `automaticenddate` were fields of course.xml before 4.0). `core_courseformat\base::update_format_options()`
 *   writes one `course_format_options` row per option of `course_format_options()`: the value of the course data
 *   when it has that key (cleaned as `validate_format_options()` does: `clean_param()` by type, a select value
 *   outside its choices dropped), else the option's default. `numsections` is no option since 3.3, so it is not
 *   written.
 * - `format_weeks::update_end_date()` (the `course_section_created` observer, `course/format/weeks/classes/
 *   observer.php`): with `automaticenddate` on (the default when there is no row) the course end date becomes the
 *   end of the last section's week, `get_section_dates(lastsection)->end` = startdate + lastsection weeks (4.x
 *   adds `P7D` intervals to a UTC `DateTime`).
 * `course_get_format()` falls back to the site default format (`topics`) for a format that is not installed
 * (`base::get_format_or_default()`): its options are written under `topics`, the course keeps its format name.
 * The formats known here are Moodle 4.3's core ones; settings are Moodle's defaults (the store has no
 * `moodlecourse` settings).
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';

interface FormatOption {
  readonly default: string | null;
  readonly type: 'int' | 'bool' | 'text';
  /** Allowed values of a select element (`element_attributes`), when the option is one. */
  readonly choices?: readonly string[];
}

/** `moodlecourse/hiddensections` and `moodlecourse/coursedisplay` defaults (`admin/settings/courses.php`, 4.3). */
const HIDDENSECTIONS: FormatOption = { default: '1', type: 'int', choices: ['0', '1'] };
const COURSEDISPLAY: FormatOption = { default: '0', type: 'int', choices: ['0', '1'] };

/** `course_format_options()` of each core format (`course/format/<name>/lib.php`, 4.3). */
const FORMAT_OPTIONS: Readonly<Record<string, Readonly<Record<string, FormatOption>>>> = {
  topics: { hiddensections: HIDDENSECTIONS, coursedisplay: COURSEDISPLAY },
  weeks: {
    hiddensections: HIDDENSECTIONS,
    coursedisplay: COURSEDISPLAY,
    automaticenddate: { default: '1', type: 'bool' },
  },
  // format_social: number of discussions shown, default 10.
  social: { numdiscussions: { default: '10', type: 'int' } },
  // format_singleactivity: the activity type, default `format_singleactivity/activitytype` = forum.
  singleactivity: { activitytype: { default: 'forum', type: 'text' } },
};

/** The format class `course_get_format()` uses for a course format name. */
export function effectiveFormat(format: string): string {
  return format in FORMAT_OPTIONS ? format : 'topics';
}

/**
 * `update_course_format_options($data)` for a new course: one row per option of the format, the course data's
 * value or the default.
 */
export async function writeCourseFormatOptions(
  ctx: RestoreContext,
  courseId: number,
  courseFormat: string,
  data: XmlObject,
): Promise<void> {
  const format = effectiveFormat(courseFormat);
  for (const [name, option] of Object.entries(FORMAT_OPTIONS[format]!)) {
    const value = name in data ? cleanOption(option, data[name]) : undefined;
    await ctx.rows.insert('course_format_options', {
      courseid: courseId,
      format,
      sectionid: 0,
      name,
      value: value === undefined ? option.default : value,
    });
  }
}

/**
 * `format_weeks::update_end_date()`: for a weeks course whose `automaticenddate` is on (or unset), the end date
 * becomes startdate + (highest section number) weeks. Nothing for other formats or a course without sections.
 */
export async function updateWeeksEndDate(ctx: RestoreContext, courseId: number): Promise<void> {
  const [course] = await ctx.rows.select('course', { id: courseId }, { limit: 1 });
  if (course?.format !== 'weeks') return;
  const sections = await ctx.rows.select('course_sections', { course: courseId });
  if (sections.length === 0) return;
  const [option] = await ctx.rows.select(
    'course_format_options',
    { courseid: courseId, format: 'weeks', sectionid: 0, name: 'automaticenddate' },
    { limit: 1 },
  );
  const automatic = option ? option.value : FORMAT_OPTIONS.weeks!.automaticenddate!.default;
  if (!phpNonEmpty(automatic)) return;
  const lastSection = Math.max(...sections.map((s) => Number(s.section)));
  const enddate = Number(course.startdate) + WEEK_SECONDS * lastSection;
  if (Number(course.enddate) !== enddate) await ctx.rows.update('course', courseId, { enddate });
}

// Internal helpers

const WEEK_SECONDS = 7 * 24 * 3600;

/** `validate_format_options()`: `clean_param()` by type; a select value outside its choices is dropped (undefined). */
function cleanOption(option: FormatOption, raw: unknown): string | null | undefined {
  if (raw === null || raw === undefined) return option.type === 'text' ? null : '0';
  const value = typeof raw === 'string' ? raw.trim() : String(raw);
  let cleaned: string;
  if (option.type === 'int') {
    // PARAM_INT: (int) of the value.
    const n = Number.parseInt(value, 10);
    cleaned = String(Number.isFinite(n) ? n : 0);
  } else if (option.type === 'bool') {
    // PARAM_BOOL: 'yes', 'on', 'true' → 1; 'no', 'off', 'false' → 0; else empty() → 0/1.
    const lower = value.toLowerCase();
    cleaned = ['yes', 'on', 'true'].includes(lower)
      ? '1'
      : ['no', 'off', 'false'].includes(lower)
        ? '0'
        : phpNonEmpty(value)
          ? '1'
          : '0';
  } else {
    cleaned = value;
  }
  if (option.choices && !option.choices.includes(cleaned)) return undefined;
  return cleaned;
}

/** PHP's `!empty()` of a database value. */
function phpNonEmpty(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '' && value !== '0' && value !== 0;
}
