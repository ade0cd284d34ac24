/**
 * Named limits for reading untrusted containers. Every limit has a default a caller can change by
 * passing a partial {@link ArchiveLimits} to {@link openArchive}. Crossing one is an
 * {@link ArchiveError} naming the limit and its value.
 */

/** Limits applied while reading a container. */
export interface ArchiveLimits {
  /** Largest container file (the .mbz as stored, compressed); not applied to extracted folders. Default is 16 GiB. */
  readonly maxArchiveBytes: number;
  /** Largest total uncompressed size of all entries. Default is 16 GiB. */
  readonly maxTotalBytes: number;
  /** Largest uncompressed size of one entry. Default is 8 GiB. */
  readonly maxEntryBytes: number;
  /** Most entries (files and directories). Default is 1,000,000. */
  readonly maxEntries: number;
  /**
   * Largest ratio uncompressed/compressed for one ZIP entry or for a whole tar.gz, applied once more
   * than {@link compressionRatioGraceBytes} have come out. Default is 200 (real backups measured at most 32:1 for a whole tar.gz and 87:1 for one ZIP entry; deflate tops out near 1030:1).
   */
  readonly maxCompressionRatio: number;
  /** Bytes that may come out before the ratio check applies (small files compress very well). Default is 64 MiB. */
  readonly compressionRatioGraceBytes: number;
}

/** Default limits: generous for real Moodle courses (tens of GB), fatal for bombs. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = Object.freeze({
  maxArchiveBytes: 16 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
  maxEntryBytes: 8 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxCompressionRatio: 200,
  compressionRatioGraceBytes: 64 * 1024 ** 2,
});
