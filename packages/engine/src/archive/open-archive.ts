/**
 * The entry point of the archive layer: detects what a path holds (`detect-format.ts`) and returns
 * the matching {@link ArchiveReader} — ZIP, tar.gz or extracted folder — with the caller's limits
 * merged over {@link DEFAULT_ARCHIVE_LIMITS}. Like Moodle (`mbz_packer::get_packer_for_read_operation()`),
 * the container kind comes from the bytes, never from the file extension. The ZIP and tar.gz readers (and yauzl or
 * tar-stream under them) are imported once the kind is known, so a process loads only the one it needs.
 */
import { stat } from 'node:fs/promises';
import { ArchiveError, ErrorCode, InvalidArgumentError } from '../errors.ts';
import type { ArchiveReader } from './archive-reader.ts';
import { detectArchiveKind, fileSystemError } from './detect-format.ts';
import { formatBytes } from './limit-guard.ts';
import { openDirectoryReader } from './directory-reader.ts';
import { DEFAULT_ARCHIVE_LIMITS } from './limits.ts';
import type { ArchiveLimits } from './limits.ts';

/** Options of {@link openArchive}. */
export interface OpenArchiveOptions {
  /** Limits to change; the others keep their defaults. Default is {@link DEFAULT_ARCHIVE_LIMITS}. */
  readonly limits?: Partial<ArchiveLimits>;
}

/**
 * Opens a backup container for reading. A ZIP's central directory and a folder's tree are read and
 * checked here, so most hostile or broken inputs fail now; a tar.gz is only checked as it is read.
 * Call {@link ArchiveReader.close} when done.
 *
 * @example
 * const reader = await openArchive('course.mbz', { limits: { maxEntryBytes: 2 * 1024 ** 3 } });
 * try {
 *   for await (const entry of reader.entries()) console.log(entry.name, entry.size);
 * } finally {
 *   await reader.close();
 * }
 * @throws {InvalidArgumentError} `input.invalid-argument` for an empty path or a bad limit.
 * @throws {ArchiveError} `archive.not-found`, `archive.unreadable`, `archive.unknown-format`,
 * `archive.too-large` for a file over `maxArchiveBytes`, and for ZIPs and folders any of the entry and
 * limit codes (see `zip-reader.ts`, `directory-reader.ts`).
 */
export async function openArchive(path: string, options: OpenArchiveOptions = {}): Promise<ArchiveReader> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(`openArchive needs the path of a .mbz file or backup folder, got ${describe(path)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`openArchive options must be an object, got ${describe(options)}`);
  }
  const limits = resolveArchiveLimits(options.limits);
  const kind = await detectArchiveKind(path);
  if (kind !== 'directory') await checkArchiveSize(path, limits);
  switch (kind) {
    case 'zip':
      return (await import('./zip-reader.ts')).openZipReader(path, limits);
    case 'tar.gz':
      return (await import('./targz-reader.ts')).openTarGzReader(path, limits);
    case 'directory':
      return openDirectoryReader(path, limits);
  }
}

/**
 * Merges `overrides` over {@link DEFAULT_ARCHIVE_LIMITS} and freezes the result.
 *
 * @throws {InvalidArgumentError} for an unknown limit name (a typo would otherwise be ignored), or a
 * value that is not a finite number above zero (all but `maxCompressionRatio` must also be whole numbers).
 */
export function resolveArchiveLimits(overrides: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  if (overrides === undefined) return DEFAULT_ARCHIVE_LIMITS;
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new InvalidArgumentError(
      `limits must be an object such as { maxEntryBytes: 1073741824 }, got ${describe(overrides)}`,
    );
  }
  const known = Object.keys(DEFAULT_ARCHIVE_LIMITS) as (keyof ArchiveLimits)[];
  const merged: Record<string, number> = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(known as string[]).includes(key)) {
      throw new InvalidArgumentError(`unknown archive limit "${key}"; the limits are ${known.join(', ')}`);
    }
    if (value === undefined) continue;
    const whole = key !== 'maxCompressionRatio';
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isSafeInteger(value))) {
      throw new InvalidArgumentError(
        `limits.${key} must be a finite ${whole ? 'whole ' : ''}number above zero, got ${describe(value)} (default is ${DEFAULT_ARCHIVE_LIMITS[key as keyof ArchiveLimits]})`,
      );
    }
    merged[key] = value;
  }
  return Object.freeze(merged as unknown as ArchiveLimits);
}

// Internal helpers

/** `archive.too-large` when the container file is bigger than `maxArchiveBytes` (checked before anything is read). */
async function checkArchiveSize(path: string, limits: ArchiveLimits): Promise<void> {
  const size = (
    await stat(path).catch((error: unknown) => {
      throw fileSystemError(path, error);
    })
  ).size;
  if (size <= limits.maxArchiveBytes) return;
  throw new ArchiveError(
    ErrorCode.ArchiveTooLarge,
    `${path} is ${formatBytes(size)}, over the archive size limit maxArchiveBytes = ${formatBytes(limits.maxArchiveBytes)}; ` +
      'pass limits.maxArchiveBytes to raise it',
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
