/**
 * Enforces {@link ArchiveLimits} for one pass over a container: entry count, per-entry and total
 * uncompressed bytes, and compression ratios. Every reader funnels its numbers through here so the
 * three container kinds fail the same way, with the same code and a message that names the entry,
 * the value found, the limit crossed and the option that raises it.
 */
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveLimits } from './limits.ts';

/** Counts entries and bytes of one pass and throws an {@link ArchiveError} when a limit is crossed. */
export class LimitGuard {
  /** The limits in force. */
  readonly limits: ArchiveLimits;
  #entries = 0;
  #totalBytes = 0;

  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }

  /** Entries counted so far. */
  get entries(): number {
    return this.#entries;
  }

  /** Uncompressed bytes counted so far (declared sizes, plus what reading hard links decompresses again). */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Counts one more entry; `archive.too-many-entries` past `maxEntries`. */
  countEntry(name: string): void {
    this.#entries += 1;
    if (this.#entries > this.limits.maxEntries) {
      throw new ArchiveError(
        ErrorCode.ArchiveTooManyEntries,
        `the archive has more than ${this.limits.maxEntries.toLocaleString('en-US')} entries (limit maxEntries), ` +
          `met at entry ${name}; pass limits.maxEntries to raise it`,
        { context: { entry: name } },
      );
    }
  }

  /**
   * Adds one entry's declared uncompressed size: `archive.entry-too-large` past `maxEntryBytes`,
   * `archive.too-large` when the running total passes `maxTotalBytes`.
   */
  addEntryBytes(name: string, size: number): void {
    if (!Number.isFinite(size) || size < 0) {
      throw new ArchiveError(ErrorCode.ArchiveCorrupt, `entry ${name} declares an impossible size (${size})`, {
        context: { entry: name },
      });
    }
    checkEntrySize(name, size, this.limits, 'uncompressed');
    this.#totalBytes += size;
    if (this.#totalBytes > this.limits.maxTotalBytes) {
      throw new ArchiveError(
        ErrorCode.ArchiveTooLarge,
        `the archive holds more than ${formatBytes(this.limits.maxTotalBytes)} uncompressed (limit maxTotalBytes), ` +
          `passed at entry ${name} with ${formatBytes(this.#totalBytes)} so far; pass limits.maxTotalBytes to raise it`,
        { context: { entry: name } },
      );
    }
  }

  /**
   * Adds the bytes a reader must decompress again to read a tar.gz hard link as the earlier file it
   * names (the archive up to the end of that file): `archive.too-large` when the running total passes
   * `maxTotalBytes`, so an archive of many links to one file late in a big archive cannot make a
   * reader decompress it over and over.
   */
  addRescanBytes(name: string, bytes: number): void {
    this.#totalBytes += bytes;
    if (this.#totalBytes > this.limits.maxTotalBytes) {
      throw new ArchiveError(
        ErrorCode.ArchiveTooLarge,
        `reading the hard link ${name} means decompressing ${formatBytes(bytes)} of the archive again, which takes the bytes read ` +
          `past ${formatBytes(this.limits.maxTotalBytes)} (limit maxTotalBytes); repack the backup with tar --hard-dereference, ` +
          'or pass limits.maxTotalBytes to raise the limit',
        { context: { entry: name } },
      );
    }
  }
}

/** `archive.entry-too-large` when `size` passes `maxEntryBytes`. `what` says whether the size is declared or counted. */
export function checkEntrySize(name: string, size: number, limits: ArchiveLimits, what: string): void {
  if (size <= limits.maxEntryBytes) return;
  throw new ArchiveError(
    ErrorCode.ArchiveEntryTooLarge,
    `entry ${name} is ${formatBytes(size)} ${what}, over the per-entry limit maxEntryBytes = ` +
      `${formatBytes(limits.maxEntryBytes)}; pass limits.maxEntryBytes to raise it`,
    { context: { entry: name } },
  );
}

/**
 * `archive.compression-ratio` when more than `compressionRatioGraceBytes` came out of `compressed`
 * bytes at a ratio above `maxCompressionRatio`. `subject` names what is measured (an entry or the archive).
 */
export function checkCompressionRatio(
  subject: string,
  uncompressed: number,
  compressed: number,
  limits: ArchiveLimits,
  entry?: string,
): void {
  if (uncompressed <= limits.compressionRatioGraceBytes) return;
  if (uncompressed <= limits.maxCompressionRatio * compressed) return;
  const ratio = compressed > 0 ? Math.round(uncompressed / compressed).toLocaleString('en-US') : 'infinite';
  throw new ArchiveError(
    ErrorCode.ArchiveCompressionRatio,
    `${subject} expands ${formatBytes(compressed)} into ${formatBytes(uncompressed)} (ratio ${ratio}:1), over the limit ` +
      `maxCompressionRatio = ${limits.maxCompressionRatio.toLocaleString('en-US')}:1 (applied after ` +
      `compressionRatioGraceBytes = ${formatBytes(limits.compressionRatioGraceBytes)}); this is how a decompression bomb ` +
      `looks; pass limits.maxCompressionRatio to raise it`,
    entry === undefined ? {} : { context: { entry } },
  );
}

/** Human-readable byte count in binary units: `512 bytes`, `1.5 KiB`, `8 GiB`, `9.1 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (Math.abs(bytes) < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/u, '');
  return `${text} ${UNITS[unit]}`;
}

// Internal helpers

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;
