/**
 * The view of resolved restore settings the pipeline and its stages use: root settings by Moodle's
 * names, and per-section / per-activity `included` and `userinfo`, keyed by the backup directory's
 * base name (`section_636`, `forum_791`), as Moodle's setting names are.
 */
import { excludesActivities, type ResolvedRestoreOptions, type SettingResolution } from '../options/resolve-options.ts';

/** Resolved settings of one restore (read-only). */
export interface RestoreSettings {
  /** A root setting's effective value: 0/1, or 0/1/2 for `enrolments`; 0 for an unknown name. */
  root(name: string): number;
  /** Whether a section (`section_<id>`) is restored. */
  sectionIncluded(key: string): boolean;
  /** Whether a section's user data is restored. */
  sectionUserinfo(key: string): boolean;
  /** Whether an activity (`<mod>_<cmid>`) is restored. */
  activityIncluded(key: string): boolean;
  /** Whether an activity's user data is restored. */
  activityUserinfo(key: string): boolean;
  /** True when any activity is left out, or the backup is not a course backup (Moodle then skips gradebook, grade history, badges, course completion). */
  readonly excludesActivities: boolean;
  /** Every effective root setting, for the result and the job record. */
  readonly rootValues: Readonly<Record<string, number>>;
  /** How a root setting got its value (the caller's, the default, capped by the backup, locked by another). */
  resolution(name: string): SettingResolution | undefined;
}

/** The pipeline's view of resolved options. */
export function settingsView(resolved: ResolvedRestoreOptions): RestoreSettings {
  const sections = new Map(resolved.sections.map((s) => [s.setting, s]));
  const activities = new Map(resolved.activities.map((a) => [a.setting, a]));
  const root = resolved.root as Readonly<Record<string, number>>;
  return Object.freeze({
    root: (name: string) => root[name] ?? 0,
    sectionIncluded: (key: string) => (sections.get(key)?.included ?? 1) === 1,
    sectionUserinfo: (key: string) => (sections.get(key)?.userinfo ?? root.users ?? 0) === 1,
    activityIncluded: (key: string) => (activities.get(key)?.included ?? 0) === 1,
    activityUserinfo: (key: string) => (activities.get(key)?.userinfo ?? 0) === 1,
    excludesActivities: excludesActivities(resolved),
    rootValues: root,
    resolution: (name: string) => resolved.resolution[name],
  });
}
