/**
 * Hand-built `BackupManifest`s for the option tests, and the real manifests of the generated backups in
 * `../shared/fixtures/generated` (read with the engine's own archive and record readers, as `inspect` does).
 */
import type { BackupManifest, ScopedSetting } from '../../../src/backup/manifest.ts';
import { MANIFEST_RECORD, parseManifest } from '../../../src/backup/manifest.ts';
import { openArchive } from '../../../src/archive/open-archive.ts';
import { readRecords } from '../../../src/xml/record-reader.ts';

/** Root settings as a full Moodle 4.3 course backup with users writes them. */
export const FULL_ROOT: Readonly<Record<string, string>> = Object.freeze({
  filename: 'backup.mbz',
  imscc11: '0',
  users: '1',
  anonymize: '0',
  role_assignments: '1',
  activities: '1',
  blocks: '1',
  files: '1',
  filters: '1',
  comments: '1',
  badges: '1',
  calendarevents: '1',
  userscompletion: '1',
  logs: '1',
  grade_histories: '1',
  questionbank: '1',
  groups: '1',
  competencies: '1',
  customfield: '1',
  contentbankcontent: '1',
  xapistate: '1',
  legacyfiles: '1',
});

/** What a test manifest contains. */
export interface ManifestParts {
  /** Root settings; default {@link FULL_ROOT}. */
  root?: Record<string, string>;
  type?: 'course' | 'section' | 'activity';
  /** Section ids; each gets `_included` 1 and `_userinfo` = root users unless listed in `scoped`. */
  sections?: number[];
  /** `[modname, cmid, sectionid]`. */
  activities?: [string, number, number][];
  /** Overrides of section/activity backup settings by full name, e.g. `{ forum_34_userinfo: '0' }`. */
  scoped?: Record<string, string>;
}

/** Builds a manifest: by default a course backup with users, sections 10 and 11, forum 34 in 10 and page 35 in 11. */
export function makeManifest(parts: ManifestParts = {}): BackupManifest {
  const root = parts.root ?? { ...FULL_ROOT };
  const sections = parts.sections ?? [10, 11];
  const activities = parts.activities ?? [
    ['forum', 34, 10],
    ['page', 35, 11],
  ];
  const userinfo = root.users ?? '0';
  const scopedValue = (name: string, fallback: string) => parts.scoped?.[name] ?? fallback;
  const sectionSettings: ScopedSetting[] = sections.flatMap((id) =>
    ['included', 'userinfo'].map((k) => ({
      scope: `section_${id}`,
      name: `section_${id}_${k}`,
      value: scopedValue(`section_${id}_${k}`, k === 'included' ? '1' : userinfo),
    })),
  );
  const activitySettings: ScopedSetting[] = activities.flatMap(([mod, cmid]) =>
    ['included', 'userinfo'].map((k) => ({
      scope: `${mod}_${cmid}`,
      name: `${mod}_${cmid}_${k}`,
      value: scopedValue(`${mod}_${cmid}_${k}`, k === 'included' ? '1' : userinfo),
    })),
  );
  return {
    name: 'test.mbz',
    moodleVersion: '2023100900',
    moodleRelease: '4.3 (Build: 20231009)',
    backupVersion: '2023100900',
    backupRelease: '4.3',
    backupDate: 1700000000,
    mnetRemoteUsers: false,
    includeFiles: true,
    originalWwwroot: 'https://moodle.example',
    originalSiteIdentifierHash: 'x',
    originalCourseId: 2,
    originalCourseFullname: 'Test course',
    originalCourseShortname: 'TC',
    originalCourseFormat: 'topics',
    originalCourseStartdate: 1700000000,
    originalCourseEnddate: 0,
    originalCourseContextId: 20,
    originalSystemContextId: 1,
    detail: {
      backupId: 'b',
      type: parts.type ?? 'course',
      format: 'moodle2',
      interactive: true,
      mode: 10,
      execution: 1,
      executionTime: 0,
    },
    course:
      parts.type === undefined || parts.type === 'course' ? { courseId: 2, title: 'TC', directory: 'course' } : null,
    sections: sections.map((id) => ({ sectionId: id, title: String(id), directory: `sections/section_${id}` })),
    activities: activities.map(([mod, cmid, sectionId]) => ({
      moduleId: cmid,
      sectionId,
      moduleName: mod,
      title: `${mod} ${cmid}`,
      directory: `activities/${mod}_${cmid}`,
    })),
    rootSettings: root,
    sectionSettings,
    activitySettings,
  };
}

/** Reads and parses `moodle_backup.xml` of a real backup. */
export async function readBackupManifest(path: string): Promise<BackupManifest> {
  const reader = await openArchive(path);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await reader.open('moodle_backup.xml')) chunks.push(chunk as Buffer);
    for await (const record of readRecords([Buffer.concat(chunks)], {
      paths: [MANIFEST_RECORD.path],
      arrays: MANIFEST_RECORD.arrays,
    })) {
      return parseManifest(record.data);
    }
    throw new Error(`${path}: no /moodle_backup/information record`);
  } finally {
    await reader.close();
  }
}
