/**
 * Writes `moodle_backup.xml`, the backup descriptor (`backup/moodle2/backup_final_task` +
 * `backup_general_helper::get_backup_information()` on the reading side; format reference §2).
 *
 * Header values are those of Moodle 4.3: `moodle_version`/`backup_version` 2023100900,
 * `moodle_release` "4.3 (Build: 20231009)", `backup_release` 4.3; detail type course, format
 * moodle2, interactive 1, mode 10 (general), execution 1. Contents list the activities section by
 * section (the order a restore rebuilds `sequence` from), then sections, then the course. Settings:
 * the root settings of a 4.3 backup with users, then per section `_included`/`_userinfo` followed
 * by the settings of that section's activities — the same order as the real file.
 *
 * Moodle's format detection needs `<?xml version="1.0" encoding="UTF-8"?>`, `<moodle_backup>` and
 * `<information>` in the first 200 bytes; the writer's fixed prefix guarantees it.
 */
import type { CourseModel } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Moodle version this generator imitates. */
export const MOODLE_VERSION = '2023100900';
/** Matching `moodle_release`. */
export const MOODLE_RELEASE = '4.3 (Build: 20231009)';
/** Backup format version and release of Moodle 4.3. */
export const BACKUP_VERSION = '2023100900';
export const BACKUP_RELEASE = '4.3';

/** Archive file name Moodle would give this backup. */
export function backupFileName(model: CourseModel): string {
  const d = new Date(model.time.backup * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
  return `backup-moodle2-course-${model.course.id}-${model.course.shortname.toLowerCase()}-${stamp}.mbz`;
}

/** Root-level settings, in the order Moodle 4.3 writes them. */
export function rootSettings(model: CourseModel): [string, string][] {
  const on = [
    'users',
    'anonymize',
    'role_assignments',
    'activities',
    'blocks',
    'files',
    'filters',
    'comments',
    'badges',
    'calendarevents',
    'userscompletion',
    'logs',
    'grade_histories',
    'questionbank',
    'groups',
    'competencies',
    'customfield',
    'contentbankcontent',
    'xapistate',
    'legacyfiles',
  ];
  return [
    ['filename', backupFileName(model)],
    ['imscc11', '0'],
    ...on.map((name): [string, string] => [name, name === 'anonymize' ? '0' : '1']),
  ];
}

/** Renders moodle_backup.xml and counts sections, activities and modules. */
export function renderMoodleBackup(w: XmlWriter, ctx: RenderContext): void {
  const { model: m, counts } = ctx;
  w.open('moodle_backup').open('information');
  w.leaves({
    name: backupFileName(m),
    moodle_version: MOODLE_VERSION,
    moodle_release: MOODLE_RELEASE,
    backup_version: BACKUP_VERSION,
    backup_release: BACKUP_RELEASE,
    backup_date: m.time.backup,
    mnet_remoteusers: 0,
    include_files: 1,
    include_file_references_to_external_content: 0,
    original_wwwroot: m.site.wwwroot,
    original_site_identifier_hash: m.site.siteHash,
    original_course_id: m.course.id,
    original_course_format: m.course.format,
    original_course_fullname: m.course.fullname,
    original_course_shortname: m.course.shortname,
    original_course_startdate: m.time.startdate,
    original_course_enddate: m.time.enddate,
    original_course_contextid: m.course.contextId,
    original_system_contextid: m.site.systemContextId,
  });
  w.open('details').open('detail', { backup_id: m.site.backupId });
  w.leaves({ type: 'course', format: 'moodle2', interactive: 1, mode: 10, execution: 1, executiontime: 0 });
  w.close().close();

  w.open('contents').open('activities');
  for (const a of m.activities) {
    w.open('activity')
      .leaves({
        moduleid: a.cmid,
        sectionid: a.sectionId,
        modulename: a.modname,
        title: a.name,
        directory: `activities/${a.modname}_${a.cmid}`,
      })
      .close();
    counts.activities++;
    counts.modules[a.modname] = (counts.modules[a.modname] ?? 0) + 1;
  }
  w.close().open('sections');
  for (const s of m.sections) {
    w.open('section')
      .leaves({ sectionid: s.id, title: s.name ?? String(s.number), directory: `sections/section_${s.id}` })
      .close();
    counts.sections++;
  }
  w.close();
  w.open('course').leaves({ courseid: m.course.id, title: m.course.shortname, directory: 'course' }).close();
  w.close();

  w.open('settings');
  for (const [name, value] of rootSettings(m)) w.open('setting').leaves({ level: 'root', name, value }).close();
  for (const s of m.sections) {
    const key = `section_${s.id}`;
    for (const suffix of ['included', 'userinfo']) {
      w.open('setting')
        .leaves({ level: 'section', section: key, name: `${key}_${suffix}`, value: '1' })
        .close();
    }
    for (const a of s.activities) {
      const act = `${a.modname}_${a.cmid}`;
      for (const suffix of ['included', 'userinfo']) {
        w.open('setting')
          .leaves({ level: 'activity', activity: act, name: `${act}_${suffix}`, value: '1' })
          .close();
      }
    }
  }
  w.close().close().close();
}
