/**
 * Moodle's order of activity tasks (`restore_plan_builder::build_course_plan()` / `build_section_plan()`): each
 * section of the manifest in turn with its activities in manifest order; activities whose section is not in the
 * backup (activity backups) come last, in manifest order. This order is the order of `course_sections.sequence`.
 */
import type { BackupActivityRef, BackupManifest } from '../../backup/manifest.ts';

/** The activities of a backup in task order. */
export function activitiesInTaskOrder(manifest: BackupManifest): BackupActivityRef[] {
  const ordered: BackupActivityRef[] = [];
  const sectionIds = new Set(manifest.sections.map((s) => s.sectionId));
  for (const section of manifest.sections)
    ordered.push(...manifest.activities.filter((a) => a.sectionId === section.sectionId));
  ordered.push(...manifest.activities.filter((a) => !sectionIds.has(a.sectionId)));
  return ordered;
}

/** The setting key and directory base name of an activity, e.g. `forum_791`. */
export function activityKey(activity: BackupActivityRef): string {
  return (
    activity.directory.slice(activity.directory.lastIndexOf('/') + 1) || `${activity.moduleName}_${activity.moduleId}`
  );
}
