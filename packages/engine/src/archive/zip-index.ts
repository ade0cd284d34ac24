/**
 * Reads a ZIP's central directory once, with yauzl, into a validated index: every name checked
 * (`entry-name.ts`), symbolic links (Unix mode 120000 in the external attributes, what Info-ZIP's
 * `zip --symlinks` writes) skipped with a warning once their target — the entry's content — is read and
 * checked (`link-entry.ts`), special files refused, duplicates refused, entry count, declared sizes
 * and declared compression ratios checked against the limits, and entries whose data would overlap
 * refused (overlapping entries are how the densest ZIP bombs reuse one compressed kernel many times).
 * yauzl's own errors are turned into `archive.truncated` / `archive.corrupt` here and nowhere else.
 *
 * Names are decoded with yauzl's `getFileNameLowLevel` (CP437 or UTF-8 by flag bit 11, Info-ZIP
 * Unicode path field), exactly what `decodeStrings: true` does, but with `decodeStrings: false` so an
 * unsafe name reaches {@link checkEntryName} instead of becoming an untyped yauzl error.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveEntryInfo } from './archive-reader.ts';
import { fileSystemError } from './detect-format.ts';
import { checkEntryName, isArchiveIndexName, isRootDirectoryName, quoteEntryName } from './entry-name.ts';
import { LimitGuard, checkCompressionRatio } from './limit-guard.ts';
import type { ArchiveLimits } from './limits.ts';
import { linkTarget, symlinkSkipped } from './link-entry.ts';
import type { BackupWarning } from '../warnings.ts';

/** One indexed ZIP entry: what readers report, and yauzl's record to open it. */
export interface ZipIndexEntry {
  /** What readers report. */
  readonly info: ArchiveEntryInfo;
  /** yauzl's central-directory record, used to open the entry. */
  readonly entry: Entry;
}

/** Opens `path` with yauzl: lazy entries, explicit close, entry sizes validated, names decoded by us. */
export function openZipFile(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const options = {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: true,
    };
    yauzl.open(path, options, (error, zipfile) => {
      if (error) {
        reject(
          typeof (error as NodeJS.ErrnoException).code === 'string'
            ? fileSystemError(path, error)
            : mapZipError(error, path),
        );
        return;
      }
      // yauzl reports a failed close of its descriptor as an 'error' event; never let it go unhandled.
      zipfile.on('error', noop);
      resolve(zipfile);
    });
  });
}

/** A validated ZIP index and the warnings met while making it. */
export interface ZipIndex {
  /** The entries to report, in central-directory order. */
  readonly entries: ZipIndexEntry[];
  /** One `archive-link-skipped` per symbolic link left out. */
  readonly warnings: BackupWarning[];
}

/** Reads the whole central directory of `zipfile` into a validated index, in central-directory order. */
export async function readZipIndex(zipfile: ZipFile, path: string, limits: ArchiveLimits): Promise<ZipIndex> {
  if (zipfile.entryCount > limits.maxEntries) {
    throw new ArchiveError(
      ErrorCode.ArchiveTooManyEntries,
      `${path} declares ${zipfile.entryCount.toLocaleString('en-US')} entries, over the limit maxEntries = ` +
        `${limits.maxEntries.toLocaleString('en-US')}; pass limits.maxEntries to raise it`,
    );
  }
  const guard = new LimitGuard(limits);
  const index: ZipIndexEntry[] = [];
  const names = new Set<string>();
  const links: { name: string; entry: Entry }[] = [];
  await new Promise<void>((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      try {
        const info = indexEntry(entry, guard, names, links);
        if (info) index.push({ info, entry });
        zipfile.readEntry();
      } catch (error) {
        finish(error);
      }
    };
    const finish = (error?: unknown): void => {
      zipfile.removeListener('entry', onEntry);
      zipfile.removeListener('end', onEnd);
      zipfile.removeListener('error', finish);
      if (error === undefined) resolve();
      else reject(mapZipError(error, path));
    };
    const onEnd = (): void => finish();
    zipfile.on('entry', onEntry);
    zipfile.once('end', onEnd);
    zipfile.once('error', finish);
    zipfile.readEntry();
  });
  checkOverlaps(index, path);
  const warnings: BackupWarning[] = [];
  for (const { name, entry } of links) {
    const rawTarget = await readLinkTarget(zipfile, entry, name, path);
    linkTarget(name, rawTarget, 'symbolic');
    warnings.push(symlinkSkipped(name, rawTarget));
  }
  return { entries: index, warnings };
}

/**
 * Turns any yauzl or zlib error into an {@link ArchiveError}: `archive.truncated` when the file ends
 * too early, `archive.unreadable` for I/O errors, `archive.corrupt` for everything else.
 */
export function mapZipError(error: unknown, path: string, entry?: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = entry === undefined ? path : `entry ${entry} of ${path}`;
  const context = entry === undefined ? {} : { entry };
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno?.startsWith('E') && !errno.startsWith('ERR_')) {
    return new ArchiveError(ErrorCode.ArchiveUnreadable, `cannot read ${where} (${errno}: ${message})`, {
      cause: error,
      context,
    });
  }
  if (TRUNCATED.test(message)) {
    return new ArchiveError(
      ErrorCode.ArchiveTruncated,
      `${where} is truncated: the ZIP ends before its data does (${message}); the file was probably cut off while being copied or downloaded`,
      { cause: error, context },
    );
  }
  if (SIZE_MISMATCH.test(message)) {
    return new ArchiveError(
      ErrorCode.ArchiveCorrupt,
      `${where} gives a different amount of data than its header declares (${message}); the archive is corrupt or crafted to hide the entry's real size`,
      { cause: error, context },
    );
  }
  return new ArchiveError(ErrorCode.ArchiveCorrupt, `${where} is not a valid ZIP (${message})`, {
    cause: error,
    context,
  });
}

// Internal helpers

const TRUNCATED = /unexpected EOF|End of central directory record signature not found|overflows file bounds/iu;
const SIZE_MISMATCH = /too many bytes in the stream|not enough bytes in the stream/iu;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const HOST_UNIX = 3;
const LOCAL_HEADER_BYTES = 30;
/** Longest symbolic link target read from a ZIP (Linux's PATH_MAX). */
const MAX_LINK_TARGET_BYTES = 4096;

function noop(): void {}

function indexEntry(
  entry: Entry,
  guard: LimitGuard,
  names: Set<string>,
  links: { name: string; entry: Entry }[],
): ArchiveEntryInfo | undefined {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const isDirectory = raw.endsWith('/');
  if (isDirectory && isRootDirectoryName(raw)) return undefined;
  const checked = checkEntryName(raw);
  if ('code' in checked) {
    throw new ArchiveError(checked.code, `entry ${quoteEntryName(raw)} has an unsafe name: it ${checked.reason}`, {
      context: { entry: raw },
    });
  }
  const { name } = checked;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) {
    // Skipped once its target is read and checked (readZipIndex); it still counts as an entry.
    guard.countEntry(name);
    links.push({ name, entry });
    return undefined;
  }
  if (entry.versionMadeBy >>> 8 === HOST_UNIX && mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
    throw new ArchiveError(
      ErrorCode.ArchiveUnsafeEntryName,
      `entry ${name} is a special file (unix mode ${mode.toString(8)}), not a file or folder; backups hold only files and folders`,
      { context: { entry: name } },
    );
  }
  if (!isDirectory && isArchiveIndexName(name)) return undefined;
  if (names.has(name)) {
    throw new ArchiveError(
      ErrorCode.ArchiveDuplicateEntry,
      `entry ${name} appears more than once; a backup has one entry per path and the copies could differ`,
      { context: { entry: name } },
    );
  }
  names.add(name);
  guard.countEntry(name);
  if (isDirectory) return { name, type: 'directory', size: 0 };
  guard.addEntryBytes(name, entry.uncompressedSize);
  checkCompressionRatio(`entry ${name}`, entry.uncompressedSize, entry.compressedSize, guard.limits, name);
  return { name, type: 'file', size: entry.uncompressedSize };
}

/**
 * The target of a ZIP symbolic link: the entry's content (Info-ZIP stores it as the data). At most
 * {@link MAX_LINK_TARGET_BYTES}, as no system allows a longer path; read with yauzl's size checks.
 */
async function readLinkTarget(zipfile: ZipFile, entry: Entry, name: string, path: string): Promise<string> {
  const corrupt = (why: string): ArchiveError =>
    new ArchiveError(ErrorCode.ArchiveCorrupt, `entry ${name} of ${path} is a symbolic link ${why}`, {
      context: { entry: name },
    });
  if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES || entry.compressedSize > MAX_LINK_TARGET_BYTES * 2) {
    throw corrupt(
      `whose target declares ${entry.uncompressedSize.toLocaleString('en-US')} bytes; a link target is a path of at most ${MAX_LINK_TARGET_BYTES} bytes`,
    );
  }
  if (entry.isEncrypted()) throw corrupt('whose target is encrypted; Moodle never encrypts backups');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw corrupt(
      `whose target uses ZIP compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`,
    );
  }
  return new Promise((resolve, reject) => {
    zipfile.openReadStream(entry, (error, stream) => {
      if (error) return void reject(mapZipError(error, path, name));
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_LINK_TARGET_BYTES)
          stream.destroy(corrupt(`whose target is longer than ${MAX_LINK_TARGET_BYTES} bytes`));
        else chunks.push(chunk);
      });
      stream.once('error', (streamError) => reject(mapZipError(streamError, path, name)));
      stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function checkOverlaps(index: readonly ZipIndexEntry[], path: string): void {
  const sorted = [...index].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    const previousEnd = previous.entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + previous.entry.compressedSize;
    if (current.entry.relativeOffsetOfLocalHeader < previousEnd) {
      throw new ArchiveError(
        ErrorCode.ArchiveCorrupt,
        `${path}: the data of entries ${previous.info.name} and ${current.info.name} overlap; ` +
          'overlapping entries are not produced by any ZIP writer and are a zip-bomb technique',
        { context: { entry: current.info.name } },
      );
    }
  }
}
