/**
 * The restore options as data: every root setting a restore can set, its values, its default, the
 * backup setting that caps it and the settings it depends on. See `../shared/docs/moodle-backup-format.md` §4.
 *
 * Follows `backup/moodle2/restore_root_task.class.php` `define_settings()` (defaults, "only enabled when
 * available", dependencies), `course/externallib.php` `duplicate_course()` (the MDL-64915 names and
 * defaults), `backup/backup.class.php` (`ENROL_*`) and `backup/moodle2/restore_course_task.class.php`
 * (what `enrolments` does when users are off).
 *
 * Deliberately not restore options:
 * - `questionbank`, `files`, `anonymize`, `filename` and the converters (`imscc11`) are backup-only
 *   settings: Moodle's restore defines no setting of that name. Questions are restored whenever the
 *   backup has them; `files` is exposed as `BackupManifest.includeFiles`.
 * - `customfield` is the backup's spelling; the restore setting is `customfields`.
 *
 * Choices where Moodle is silent or depends on the target site:
 * - `enrolments` = 1 ("with users") when users are not restored means what Moodle then does: nothing,
 *   so it resolves to 0 (see `resolve-options.ts`). Only 0 and 2 are meaningful without users.
 * - `competencies` also needs competencies enabled on the target site in Moodle
 *   (`restore_competencies_setting`); the engine has no site, so a caller whose site has them off passes 0.
 * - `xapistate` (Moodle 4.2+, `restore_xapistate_setting`) is users' state: we make it depend on `users`,
 *   as its backup-side setting does. Not verified against the restore task's source.
 */

/** Enrolment option values (`backup/backup.class.php`). */
export const EnrolMode = {
  /** `ENROL_NEVER`: no enrolment methods restored (with users: they are converted to manual). */
  Never: 0,
  /** `ENROL_WITHUSERS`: enrolment methods restored only together with users. */
  WithUsers: 1,
  /** `ENROL_ALWAYS`: enrolment methods restored even without users. */
  Always: 2,
} as const;

/** One of {@link EnrolMode}'s values. */
export type EnrolMode = (typeof EnrolMode)[keyof typeof EnrolMode];

/** The ten option names of MDL-64915, as `core_course_duplicate_course` accepts them. */
export const MDL64915_OPTION_NAMES = [
  'activities',
  'blocks',
  'filters',
  'users',
  'enrolments',
  'role_assignments',
  'comments',
  'userscompletion',
  'logs',
  'grade_histories',
] as const;

/** A name of {@link MDL64915_OPTION_NAMES}. */
export type Mdl64915OptionName = (typeof MDL64915_OPTION_NAMES)[number];

/** Every root restore option, in Moodle's definition order (which is also a topological order). */
export const ROOT_OPTION_NAMES = [
  'users',
  'enrolments',
  'role_assignments',
  'permissions',
  'activities',
  'blocks',
  'filters',
  'comments',
  'badges',
  'calendarevents',
  'userscompletion',
  'logs',
  'grade_histories',
  'groups',
  'competencies',
  'customfields',
  'contentbankcontent',
  'legacyfiles',
  'xapistate',
] as const;

/** A root restore option name. */
export type RootOptionName = (typeof ROOT_OPTION_NAMES)[number];

/** How one root option behaves. */
export interface RootOptionSpec {
  /** Restore setting name. */
  readonly name: RootOptionName;
  /** Accepted values: `[0, 1]` for booleans, `[0, 1, 2]` for `enrolments`. */
  readonly values: readonly number[];
  /** Value used when the caller does not set it: a number, or `'backup'` for the backup's value of {@link defaultKey}. */
  readonly defaultValue: number | 'backup';
  /** Backup root setting whose value is the default when {@link defaultValue} is `'backup'`. */
  readonly defaultKey: string | null;
  /** Backup root setting that caps the option (effective = wanted AND backup value); `null` = never capped. */
  readonly backupKey: string | null;
  /** Options that force this one to 0 when they are 0 (`add_dependency()` in `define_settings()`). */
  readonly dependsOn: readonly RootOptionName[];
  /** One line on what the option restores. */
  readonly summary: string;
}

/** Backup root settings that count as 1 when absent from `moodle_backup.xml` (older backups); any other absent key counts as 0. */
export const BACKUP_VALUE_WHEN_ABSENT: Readonly<Record<string, number>> = Object.freeze({
  // `restore_root_task`: "older backup that does not contain information on the group setting".
  groups: 1,
  // `restore_root_task`: "Enable when available, or key doesn't exist (backward compatibility)".
  permissions: 1,
  // Written since 4.x; older backups always carried the legacy course files.
  legacyfiles: 1,
});

/** The specs of every root option, in {@link ROOT_OPTION_NAMES} order. */
export const ROOT_OPTIONS: readonly RootOptionSpec[] = Object.freeze(
  [
    spec('users', 0, 'users', [], 'users.xml and all user data; parent of every section/activity userinfo'),
    {
      ...spec('enrolments', EnrolMode.WithUsers, null, [], 'enrolment methods (and, with users, user enrolments)'),
      values: Object.freeze([EnrolMode.Never, EnrolMode.WithUsers, EnrolMode.Always]),
    },
    spec('role_assignments', 0, 'role_assignments', ['users'], 'role assignments in every roles.xml'),
    spec('permissions', 'backup', 'permissions', [], 'role overrides (permissions) in every roles.xml'),
    spec('activities', 1, 'activities', [], 'every activity; parent of every <mod>_<cmid>_included'),
    spec('blocks', 1, 'blocks', [], 'blocks'),
    spec('filters', 1, 'filters', [], 'filters.xml everywhere'),
    spec('comments', 0, 'comments', ['users'], 'comments.xml everywhere'),
    spec('badges', 'backup', 'badges', ['activities', 'users'], 'badges.xml'),
    spec('calendarevents', 'backup', 'calendarevents', [], 'calendar.xml everywhere'),
    spec(
      'userscompletion',
      0,
      'userscompletion',
      ['users'],
      'activity completion and the user part of course completion',
    ),
    spec('logs', 0, 'logs', ['users'], 'logs.xml and logstores.xml'),
    spec('grade_histories', 0, 'grade_histories', ['users', 'activities'], 'grade_history.xml (course and activities)'),
    spec('groups', 'backup', 'groups', [], 'groups.xml (groups and groupings)'),
    spec('competencies', 'backup', 'competencies', [], 'competencies.xml (course and activities)'),
    // Moodle's default for customfields is the variable left over from `groups` (a quirk we keep);
    // the cap is the backup's own `customfield` setting.
    { ...spec('customfields', 'backup', 'customfield', [], 'course custom field values'), defaultKey: 'groups' },
    spec('contentbankcontent', 'backup', 'contentbankcontent', [], 'contentbank.xml'),
    spec('legacyfiles', 1, 'legacyfiles', [], 'the course legacy file area'),
    spec('xapistate', 'backup', 'xapistate', ['users'], "xapistate.xml of activities (users' H5P state)"),
  ].map((s) => Object.freeze(s)),
);

/** The spec of `name`. */
export function rootOptionSpec(name: RootOptionName): RootOptionSpec {
  const found = ROOT_OPTIONS.find((s) => s.name === name);
  if (!found) throw new Error(`no spec for root option ${name}`);
  return found;
}

/** True when `name` is a root restore option name. */
export function isRootOptionName(name: string): name is RootOptionName {
  return (ROOT_OPTION_NAMES as readonly string[]).includes(name);
}

/**
 * The value of a backup setting for the cap and default rules: 1 when it is `1` (any non-zero number),
 * 0 when `0` or empty, and {@link BACKUP_VALUE_WHEN_ABSENT} (else 0) when the key is missing.
 */
export function backupRootValue(rootSettings: Readonly<Record<string, string>>, key: string): number {
  const raw = rootSettings[key];
  if (raw === undefined) return BACKUP_VALUE_WHEN_ABSENT[key] ?? 0;
  return truthy(raw) ? 1 : 0;
}

/** PHP truthiness of a setting value read from XML (`'0'` and `''` are false). */
export function truthy(raw: string): boolean {
  const value = raw.trim();
  return value !== '' && value !== '0' && Number(value) !== 0;
}

// Internal helpers

function spec(
  name: RootOptionName,
  defaultValue: number | 'backup',
  backupKey: string | null,
  dependsOn: readonly RootOptionName[],
  summary: string,
): RootOptionSpec {
  return {
    name,
    values: Object.freeze([0, 1]),
    defaultValue,
    defaultKey: defaultValue === 'backup' ? backupKey : null,
    backupKey,
    dependsOn: Object.freeze([...dependsOn]),
    summary,
  };
}
