/**
 * The typed model of `moodle_backup.xml`, the only backup file Moodle loads whole
 * (`backup_general_helper::get_backup_information()`): information, details, contents and settings.
 * See `../shared/docs/moodle-backup-format.md` §2.
 */
import { ErrorCode, MbzError } from '../errors.ts';
import type { XmlObject, XmlValue } from '../xml/types.ts';

/** `information/details/detail` (only the first is used, as in Moodle). */
export interface BackupDetail {
  readonly backupId: string;
  /** `course`, `section` or `activity`. */
  readonly type: 'course' | 'section' | 'activity';
  /** Always `moodle2` for a backup the engine accepts. */
  readonly format: string;
  readonly interactive: boolean;
  /** 10 general, 20 import, 30 hub, 40 samesite, 50 automated, 60 converted, 70 async, 80 copy. */
  readonly mode: number;
  readonly execution: number;
  readonly executionTime: number;
}

/** One `contents/sections/section`. */
export interface BackupSectionRef {
  /** Source section id (`course_sections.id`). */
  readonly sectionId: number;
  /** Section name, or its number when unnamed. */
  readonly title: string;
  /** e.g. `sections/section_636`. */
  readonly directory: string;
}

/** One `contents/activities/activity`. */
export interface BackupActivityRef {
  /** Source course module id. */
  readonly moduleId: number;
  /** Source section id. */
  readonly sectionId: number;
  readonly moduleName: string;
  readonly title: string;
  /** e.g. `activities/page_764`. */
  readonly directory: string;
}

/** A setting of level section or activity. */
export interface ScopedSetting {
  /** `section_636` or `page_764`. */
  readonly scope: string;
  readonly name: string;
  readonly value: string;
}

/** Everything `moodle_backup.xml` says. Values keep Moodle's strings where their meaning is textual. */
export interface BackupManifest {
  readonly name: string;
  readonly moodleVersion: string;
  readonly moodleRelease: string;
  readonly backupVersion: string;
  readonly backupRelease: string;
  readonly backupDate: number;
  readonly mnetRemoteUsers: boolean;
  /** `include_files`; absent in old backups, where it counts as true. */
  readonly includeFiles: boolean;
  readonly originalWwwroot: string;
  readonly originalSiteIdentifierHash: string;
  readonly originalCourseId: number;
  readonly originalCourseFullname: string;
  readonly originalCourseShortname: string;
  /** `original_course_format`; `null` in backups older than Moodle 3.x that do not record it. */
  readonly originalCourseFormat: string | null;
  readonly originalCourseStartdate: number;
  readonly originalCourseEnddate: number;
  readonly originalCourseContextId: number;
  readonly originalSystemContextId: number;
  readonly detail: BackupDetail;
  /** `contents/course`, absent in activity and section backups. */
  readonly course: { readonly courseId: number; readonly title: string; readonly directory: string } | null;
  readonly sections: readonly BackupSectionRef[];
  readonly activities: readonly BackupActivityRef[];
  /** Root settings, name → value exactly as in the XML, in document order. */
  readonly rootSettings: Readonly<Record<string, string>>;
  /** Section- and activity-level settings, in document order. */
  readonly sectionSettings: readonly ScopedSetting[];
  readonly activitySettings: readonly ScopedSetting[];
}

/** The record path and array paths to read `moodle_backup.xml` with `readRecords`. */
export const MANIFEST_RECORD = {
  path: '/moodle_backup/information',
  arrays: ['details/detail', 'contents/activities/activity', 'contents/sections/section', 'settings/setting'],
} as const;

/** Builds the manifest from the `/moodle_backup/information` element. Throws `backup.invalid-manifest` when required parts are missing. */
export function parseManifest(information: XmlObject): BackupManifest {
  const details = list(information, 'details', 'detail');
  const first = details[0];
  if (!first) fail('information/details/detail is missing');
  const type = text(first, 'type');
  if (type !== 'course' && type !== 'section' && type !== 'activity') {
    fail(`information/details/detail/type is ${quoted(type)}, expected course, section or activity`);
  }
  const contents = object(information, 'contents');
  const course = contents ? object(contents, 'course') : undefined;
  const settings = list(information, 'settings', 'setting');
  const rootSettings: Record<string, string> = {};
  const sectionSettings: ScopedSetting[] = [];
  const activitySettings: ScopedSetting[] = [];
  for (const setting of settings) {
    const level = text(setting, 'level');
    const name = text(setting, 'name');
    const value = text(setting, 'value');
    if (level === 'root') rootSettings[name] = value;
    else if (level === 'section') sectionSettings.push({ scope: text(setting, 'section'), name, value });
    else if (level === 'activity') activitySettings.push({ scope: text(setting, 'activity'), name, value });
    else if (level !== 'course')
      fail(`setting ${quoted(name, false)} has level ${quoted(level)}, expected root, course, section or activity`);
  }
  return {
    name: text(information, 'name'),
    moodleVersion: required(information, 'moodle_version'),
    moodleRelease: text(information, 'moodle_release'),
    backupVersion: required(information, 'backup_version'),
    backupRelease: text(information, 'backup_release'),
    backupDate: int(information, 'backup_date'),
    mnetRemoteUsers: int(information, 'mnet_remoteusers') === 1,
    includeFiles: optionalText(information, 'include_files') !== '0',
    originalWwwroot: text(information, 'original_wwwroot'),
    originalSiteIdentifierHash: text(information, 'original_site_identifier_hash'),
    originalCourseId: int(information, 'original_course_id'),
    originalCourseFullname: text(information, 'original_course_fullname'),
    originalCourseShortname: text(information, 'original_course_shortname'),
    originalCourseFormat: optionalText(information, 'original_course_format'),
    originalCourseStartdate: int(information, 'original_course_startdate'),
    originalCourseEnddate: int(information, 'original_course_enddate'),
    originalCourseContextId: int(information, 'original_course_contextid'),
    originalSystemContextId: int(information, 'original_system_contextid'),
    detail: {
      backupId: text(first, 'backup_id'),
      type,
      format: text(first, 'format'),
      interactive: int(first, 'interactive') === 1,
      mode: int(first, 'mode'),
      execution: int(first, 'execution'),
      executionTime: int(first, 'executiontime'),
    },
    course: course
      ? { courseId: int(course, 'courseid'), title: text(course, 'title'), directory: text(course, 'directory') }
      : null,
    sections: (contents ? list(contents, 'sections', 'section') : []).map((s) => ({
      sectionId: int(s, 'sectionid'),
      title: text(s, 'title'),
      directory: text(s, 'directory'),
    })),
    activities: (contents ? list(contents, 'activities', 'activity') : []).map((a) => ({
      moduleId: int(a, 'moduleid'),
      sectionId: int(a, 'sectionid'),
      moduleName: text(a, 'modulename'),
      title: text(a, 'title'),
      directory: text(a, 'directory'),
    })),
    rootSettings,
    sectionSettings,
    activitySettings,
  };
}

// Internal helpers

function fail(what: string): never {
  throw new MbzError(ErrorCode.BackupInvalidManifest, `moodle_backup.xml is not a valid backup descriptor: ${what}.`, {
    context: { entry: 'moodle_backup.xml' },
  });
}

/** A value from the backup for a message: quoted, and cut short (a hostile backup may hold megabytes there). */
function quoted(value: string, quotes = true): string {
  const short = value.length > 80 ? `${value.slice(0, 77)}…` : value;
  return quotes ? JSON.stringify(short) : short;
}

function object(parent: XmlObject, key: string): XmlObject | undefined {
  const value = parent[key];
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  return isObject(value) ? value : undefined;
}

function list(parent: XmlObject, container: string, item: string): XmlObject[] {
  const holder = object(parent, container);
  if (!holder) return [];
  const value: XmlValue | undefined = holder[item];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter(isObject);
}

function isObject(value: XmlValue | undefined): value is XmlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(parent: XmlObject, key: string): string | null {
  const value = parent[key];
  return typeof value === 'string' ? value : null;
}

function text(parent: XmlObject, key: string): string {
  return optionalText(parent, key) ?? '';
}

function required(parent: XmlObject, key: string): string {
  const value = optionalText(parent, key);
  if (value === null || value === '') fail(`information/${key} is missing`);
  return value;
}

function int(parent: XmlObject, key: string): number {
  const value = optionalText(parent, key);
  if (value === null || value === '') return 0;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`${key} is ${quoted(value)}, expected a number`);
  return Math.trunc(n);
}
