/**
 * The newest Moodle the engine knows, and the warning for a backup made by a newer one. Moodle itself
 * warns in this case and restores anyway (`restore_prechecks_helper::execute_prechecks()`, string
 * `noticenewerbackup`: "backwards compatibility of backup files cannot be guaranteed"); so do we. The
 * engine's reference is the newest Moodle release whose backups it was written and checked against,
 * not the version its store claims to be (that is Moodle 4.3's, see `schema/site-seed.ts`), so that
 * real 4.4–5.x backups do not warn.
 */
import type { BackupManifest } from './manifest.ts';

/** The newest Moodle release the engine knows: 5.1, version 2025100600 (branch date 2025-10-06). */
export const NEWEST_KNOWN_MOODLE = Object.freeze({ release: '5.1', version: 2025100600 });

/** Warning code of a backup made by a Moodle newer than {@link NEWEST_KNOWN_MOODLE}. */
export const NEWER_BACKUP_WARNING = 'backup-newer-than-known';

/**
 * Calls `warn` with {@link NEWER_BACKUP_WARNING} when the backup's `moodle_version` belongs to a Moodle
 * branch newer than {@link NEWEST_KNOWN_MOODLE} (point releases of a known branch, e.g. 2025100603, do not warn).
 */
export function warnIfNewerBackup(
  manifest: BackupManifest,
  warn: (code: string, message: string, entry?: string) => void,
): void {
  const version = Number.parseFloat(manifest.moodleVersion);
  if (!Number.isFinite(version) || branchDate(version) <= branchDate(NEWEST_KNOWN_MOODLE.version)) return;
  warn(
    NEWER_BACKUP_WARNING,
    `This backup was made by Moodle ${manifest.moodleRelease || '(release not given)'} (version ${manifest.moodleVersion}), newer than ` +
      `Moodle ${NEWEST_KNOWN_MOODLE.release}, the newest this engine knows. It is read as well as possible, but what the newer ` +
      'Moodle added or changed may be missed or restored differently: check the restored course.',
    'moodle_backup.xml',
  );
}

// Internal helpers

/** `YYYYMMDD` of a Moodle version number `YYYYMMDDXX.YY` (its branch date). */
function branchDate(version: number): number {
  return Math.floor(version / 100);
}
