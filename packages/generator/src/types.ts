/**
 * Public option and result types of `generateBackup()`.
 */
import type { BackupCounts } from '@mbz-restore/engine';
import type { Container } from './archive-writer.ts';
import type { BackupSize } from './sizes.ts';

/** Options of {@link generateBackup}. */
export interface GenerateOptions {
  /** Size class, see `SIZE_TABLE`. */
  readonly size: BackupSize;
  /** Output file path; parent directories are created. The file is replaced if it exists. */
  readonly out: string;
  /** Seed of every random choice (a safe integer). Default is `1`. */
  readonly seed?: number | undefined;
  /** Container format. Default is `'tar.gz'` (what Moodle writes unless `$CFG->usezipbackups`). */
  readonly container?: Container | undefined;
  /** Called with the number of archive bytes written so far, many times while writing. */
  readonly onProgress?: ((bytesWritten: number) => void) | undefined;
}

/** What {@link generateBackup} wrote. */
export interface GenerateResult {
  /** The output path, as given in the options. */
  readonly path: string;
  readonly container: Container;
  readonly size: BackupSize;
  readonly seed: number;
  /** Size of the archive file in bytes. */
  readonly bytes: number;
  /** Sum of the sizes of all backup files in the archive (not counting `.ARCHIVE_INDEX`). */
  readonly uncompressedBytes: number;
  /** Records written, counted as `BackupCounts` defines them (so `inspectBackup()` must agree). */
  readonly counts: BackupCounts;
  /** The course as described in moodle_backup.xml / course.xml. */
  readonly course: {
    readonly fullname: string;
    readonly shortname: string;
    readonly startdate: number;
    readonly format: string;
  };
  /** Root-level settings of moodle_backup.xml, name → value, as written. */
  readonly settings: Readonly<Record<string, string>>;
}
