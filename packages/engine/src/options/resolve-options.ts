/**
 * Resolves caller input and a backup's manifest into the complete, frozen restore options a plan runs on.
 * See `../shared/docs/moodle-backup-format.md` §4.
 *
 * Follows `backup/moodle2/restore_root_task.class.php`, `restore_section_task.class.php` and
 * `restore_activity_task.class.php` (`define_settings()`: defaults and dependencies),
 * `backup/util/settings/setting_dependency.class.php` (a parent at 0 forces its dependents to their
 * default, 0, and locks them), `backup/moodle2/restore_course_task.class.php` (`enrolments` = 1 without
 * users restores nothing) and `backup/controller/restore_controller.class.php` `execute_plan()`
 * (which backups count as excluding activities).
 *
 * Departures from Moodle, on purpose:
 * - Nothing the backup lacks can be switched on: Moodle lets `users`=1 through on a backup without users
 *   and then fails (`missing_users_xml_file`); here the value is capped to 0 and says so.
 * - Dependencies are applied after every requested value, so the result does not depend on input order
 *   (Moodle's `duplicate_course()` result does, through `NOT_LOCKED` checks).
 * - `enrolments` = 1 (with users) while `users` is 0 resolves to 0, which is what Moodle then does.
 * - 4.5 subsections (a section delegated to an activity) are not modelled: the manifest does not say
 *   which sections are delegated.
 */
import type { BackupDetail, BackupManifest, ScopedSetting } from '../backup/manifest.ts';
import { validateInput, type RestoreOptionsInput } from './option-input.ts';
import { EnrolMode, ROOT_OPTIONS, backupRootValue, truthy, type RootOptionName } from './restore-options.ts';

/** Why a setting has its value. */
export type SettingStatus =
  /** The caller's value, kept. */
  | 'requested'
  /** The default, kept. */
  | 'defaulted'
  /** Forced to 0 because the backup does not contain it (`by` = the backup setting). */
  | 'capped'
  /** Forced to 0 by a dependency (`by` = the setting at 0 it depends on). */
  | 'locked';

/** How one setting was resolved. */
export interface SettingResolution {
  /** The effective value. */
  readonly value: number;
  /** Why it has that value. */
  readonly status: SettingStatus;
  /** The caller's value; `null` when not given. */
  readonly requested: number | null;
  /** The value used when the caller gives none. */
  readonly defaultValue: number;
  /** For `capped` the backup setting, for `locked` the parent setting; otherwise `null`. */
  readonly by: string | null;
}

/** Effective settings of one section of the backup. */
export interface ResolvedSectionOptions {
  /** Source section id. */
  readonly sectionId: number;
  /** Setting prefix, e.g. `section_636`. */
  readonly setting: string;
  /** `section_<id>_included`, 0 or 1. */
  readonly included: number;
  /** `section_<id>_userinfo`, 0 or 1. */
  readonly userinfo: number;
}

/** Effective settings of one activity of the backup. */
export interface ResolvedActivityOptions {
  /** Source course module id. */
  readonly moduleId: number;
  /** Module name, e.g. `forum`. */
  readonly moduleName: string;
  /** Source section id. */
  readonly sectionId: number;
  /** Setting prefix, e.g. `forum_34`. */
  readonly setting: string;
  /** `<mod>_<cmid>_included`, 0 or 1. */
  readonly included: number;
  /** `<mod>_<cmid>_userinfo`, 0 or 1. */
  readonly userinfo: number;
}

/** The complete, frozen restore options. */
export interface ResolvedRestoreOptions {
  /** `information/details/detail/type` of the backup. */
  readonly backupType: BackupDetail['type'];
  /** Every root option as a number (booleans 0/1, `enrolments` 0/1/2). */
  readonly root: Readonly<Record<RootOptionName, number>>;
  /** Every section of the manifest, in document order. */
  readonly sections: readonly ResolvedSectionOptions[];
  /** Every activity of the manifest, in document order. */
  readonly activities: readonly ResolvedActivityOptions[];
  /** Every setting (root, section, activity) by Moodle name, with why it has its value. */
  readonly resolution: Readonly<Record<string, SettingResolution>>;
}

/**
 * Fills every default, applies the backup's values as a cap, then Moodle's dependency locking in
 * topological order (root options, sections, activities). Throws `InvalidArgumentError`
 * (`input.invalid-argument`) for an unknown name, a section/activity not in the backup, or a bad value.
 */
export function resolveRestoreOptions(input: RestoreOptionsInput, manifest: BackupManifest): ResolvedRestoreOptions {
  const wanted = validateInput(input, manifest);
  const resolution: Record<string, SettingResolution> = {};
  const value = (name: string): number => resolution[name]?.value ?? 1;
  const rs = manifest.rootSettings;

  for (const spec of ROOT_OPTIONS) {
    const fallback =
      spec.defaultValue === 'backup' ? backupRootValue(rs, spec.defaultKey ?? spec.name) : spec.defaultValue;
    const cap = spec.backupKey === null ? null : { by: spec.backupKey, value: backupRootValue(rs, spec.backupKey) };
    let resolved = resolve(
      wanted.root.get(spec.name) ?? null,
      fallback,
      cap,
      spec.dependsOn.map((d) => [d, value(d)]),
    );
    if (spec.name === 'enrolments' && resolved.value === EnrolMode.WithUsers && value('users') === 0) {
      const status = backupRootValue(rs, 'users') === 0 ? 'capped' : 'locked';
      resolved = Object.freeze({ ...resolved, value: EnrolMode.Never, status, by: 'users' });
    }
    resolution[spec.name] = resolved;
  }

  const backup = scopedValues(manifest.sectionSettings, manifest.activitySettings);
  const scoped = (name: string, absent: number, parents: readonly string[]): number => {
    const inBackup = backup.get(name);
    const cap = { by: name, value: inBackup ?? absent };
    resolution[name] = resolve(
      wanted.scoped.get(name) ?? null,
      inBackup ?? absent,
      cap,
      parents.map((p) => [p, value(p)]),
    );
    return value(name);
  };

  const sectionIds = new Set(manifest.sections.map((s) => s.sectionId));
  const sections = manifest.sections.map((s): ResolvedSectionOptions => {
    const setting = `section_${s.sectionId}`;
    const included = scoped(`${setting}_included`, 1, []);
    const userinfo = scoped(`${setting}_userinfo`, 0, ['users', `${setting}_included`]);
    return Object.freeze({ sectionId: s.sectionId, setting, included, userinfo });
  });
  const activities = manifest.activities.map((a): ResolvedActivityOptions => {
    const setting = `${a.moduleName}_${a.moduleId}`;
    const section = sectionIds.has(a.sectionId) ? `section_${a.sectionId}` : null;
    const included = scoped(`${setting}_included`, 1, ['activities', ...(section ? [`${section}_included`] : [])]);
    const userinfo = scoped(`${setting}_userinfo`, 0, [
      'users',
      ...(section ? [`${section}_userinfo`] : []),
      `${setting}_included`,
    ]);
    return Object.freeze({
      moduleId: a.moduleId,
      moduleName: a.moduleName,
      sectionId: a.sectionId,
      setting,
      included,
      userinfo,
    });
  });

  const root = Object.fromEntries(ROOT_OPTIONS.map((s) => [s.name, value(s.name)])) as Record<RootOptionName, number>;
  return Object.freeze({
    backupType: manifest.detail.type,
    root: Object.freeze(root),
    sections: Object.freeze(sections),
    activities: Object.freeze(activities),
    resolution: Object.freeze(resolution),
  });
}

/**
 * True when the plan "excludes activities", which makes Moodle skip gradebook.xml, grade_history.xml,
 * badges.xml and course completion: some activity of the backup is not restored, or the backup is a
 * section backup. Moodle's `restore_controller::execute_plan()` exempts course and single-activity
 * backups ("e.g. duplicate") from the by-type rule; older Moodle exempted only course backups.
 */
export function excludesActivities(options: ResolvedRestoreOptions): boolean {
  return options.backupType === 'section' || options.activities.some((a) => a.included === 0);
}

// Internal helpers

function resolve(
  requested: number | null,
  defaultValue: number,
  cap: { by: string; value: number } | null,
  parents: readonly (readonly [string, number])[],
): SettingResolution {
  const base = { requested, defaultValue };
  const wanted = requested ?? defaultValue;
  if (wanted === 0)
    return Object.freeze({ ...base, value: 0, status: requested === null ? 'defaulted' : 'requested', by: null });
  if (cap && cap.value === 0) return Object.freeze({ ...base, value: 0, status: 'capped', by: cap.by });
  const parent = parents.find(([, v]) => v === 0);
  if (parent) return Object.freeze({ ...base, value: 0, status: 'locked', by: parent[0] });
  return Object.freeze({ ...base, value: wanted, status: requested === null ? 'defaulted' : 'requested', by: null });
}

function scopedValues(...lists: (readonly ScopedSetting[])[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const list of lists) for (const s of list) values.set(s.name, truthy(s.value) ? 1 : 0);
  return values;
}

/**
 * The settings the caller set that the restore does not honour: forced to 0 by the backup (`capped`: `users=1` on a
 * backup made without users) or by another setting (`locked`: `users=0` turns `role_assignments` off). One
 * `option-capped` warning each, so a person sees why an option they gave had no effect.
 */
export function cappedOptionWarnings(
  resolved: ResolvedRestoreOptions,
): Array<{ code: 'option-capped'; message: string }> {
  const out: Array<{ code: 'option-capped'; message: string }> = [];
  for (const [name, r] of Object.entries(resolved.resolution)) {
    if (r.requested === null || r.requested === r.value || (r.status !== 'capped' && r.status !== 'locked')) continue;
    const why =
      r.status === 'capped'
        ? `the backup was made with ${r.by ?? 'it'} off`
        : `${r.by ?? 'a setting it depends on'} is 0`;
    out.push({ code: 'option-capped', message: `${name}=${r.requested} was set to ${r.value}: ${why}.` });
  }
  return out;
}
