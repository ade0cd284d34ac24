/**
 * Judges one tar header met by the tar.gz walk (`tar-walk.ts`) and maps tar-stream and zlib errors to
 * {@link ArchiveError}s. tar-stream has already applied the ustar `prefix` (for `ustar\0` headers,
 * which is what Moodle's `tgz_packer` writes — names over 100 characters are split into prefix +
 * name, `../shared/docs/moodle-backup-format.md` §1.1), GNU long names (`L`/`K`) and pax `path`,
 * `linkpath` and `size` records, so the header seen here carries the final name and size.
 *
 * Accepted: regular files (`0`, and `7` contiguous files, which POSIX says to read as regular files)
 * and directories. Refused: symbolic and hard links (`archive.link-entry`), devices, FIFOs and any
 * type tar-stream does not know, such as GNU sparse files (`archive.unsafe-entry-name`: "not a file or
 * folder"). Skipped, never reported: the archive root (`./`) and Moodle's `.ARCHIVE_INDEX`.
 */
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveEntryInfo } from './archive-reader.ts';
import { checkEntryName, isArchiveIndexName, isRootDirectoryName, quoteEntryName } from './entry-name.ts';
import type { LimitGuard } from './limit-guard.ts';

/**
 * Validates one header and counts it against the limits. Returns the entry to report, or
 * `undefined` for an entry to skip silently (the archive root, `.ARCHIVE_INDEX`).
 *
 * @throws {ArchiveError} `archive.unsafe-entry-name`, `archive.link-entry`, `archive.duplicate-entry`,
 * `archive.too-many-entries`, `archive.entry-too-large`, `archive.too-large`.
 */
export function checkTarHeader(header: TarHeader, guard: LimitGuard, seen: Set<string>): ArchiveEntryInfo | undefined {
  const raw = header.name;
  const size = header.size ?? 0;
  const isDirectory = header.type === 'directory' || (isFileType(header.type) && raw.endsWith('/') && size === 0);
  if (isDirectory && isRootDirectoryName(raw)) return undefined;
  const checked = checkEntryName(raw);
  if ('code' in checked) {
    throw new ArchiveError(checked.code, `entry ${quoteEntryName(raw)} has an unsafe name: it ${checked.reason}`, { context: { entry: raw } });
  }
  const { name } = checked;
  if (header.type === 'symlink' || header.type === 'link') {
    const kind = header.type === 'symlink' ? 'a symbolic link' : 'a hard link';
    throw new ArchiveError(
      ErrorCode.ArchiveLinkEntry,
      `entry ${name} is ${kind} (to ${JSON.stringify(header.linkname ?? '')}); backups hold only files and folders, ` +
        'and links could point outside the extraction folder',
      { context: { entry: name } },
    );
  }
  if (!isDirectory && !isFileType(header.type)) {
    throw new ArchiveError(
      ErrorCode.ArchiveUnsafeEntryName,
      `entry ${name} is ${describeType(header.type)}, not a file or folder; backups hold only files and folders`,
      { context: { entry: name } },
    );
  }
  if (raw.endsWith('/') && !isDirectory) {
    throw new ArchiveError(ErrorCode.ArchiveCorrupt, `entry ${quoteEntryName(raw)} is a file whose name ends with "/" and that has content`, {
      context: { entry: name },
    });
  }
  if (!isDirectory && isArchiveIndexName(name)) return undefined;
  if (seen.has(name)) {
    throw new ArchiveError(
      ErrorCode.ArchiveDuplicateEntry,
      `entry ${name} appears more than once; a backup has one entry per path and the copies could differ`,
      { context: { entry: name } },
    );
  }
  seen.add(name);
  guard.countEntry(name);
  if (isDirectory) return { name, type: 'directory', size: 0 };
  guard.addEntryBytes(name, size);
  return { name, type: 'file', size };
}

/**
 * Turns a zlib, tar-stream or file-system error met while reading `path` into an {@link ArchiveError}:
 * `archive.truncated` when the data ends too early, `archive.unreadable` for I/O errors,
 * `archive.corrupt` for anything else.
 */
export function mapTarError(error: unknown, path: string, entry?: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const context = entry === undefined ? {} : { entry };
  if (code === 'Z_BUF_ERROR' || /unexpected end of (file|data)/iu.test(message)) {
    return new ArchiveError(
      ErrorCode.ArchiveTruncated,
      `${path} is truncated: its ${code === 'Z_BUF_ERROR' || /file/iu.test(message) ? 'gzip' : 'tar'} data ends too early (${message}); ` +
        'the file was probably cut off while being copied or downloaded',
      { cause: error, context },
    );
  }
  if (code !== undefined && /^E[A-Z]+$/u.test(code)) {
    return new ArchiveError(ErrorCode.ArchiveUnreadable, `cannot read ${path} (${code}: ${message})`, { cause: error, context });
  }
  const layer = code?.startsWith('Z_') ? 'gzip' : 'tar';
  return new ArchiveError(ErrorCode.ArchiveCorrupt, `${path} is not a valid gzip-compressed tar: bad ${layer} data (${message})`, {
    cause: error,
    context,
  });
}

/**
 * The fields of a tar-stream header this layer reads. Declared here because tar-stream's bundled
 * types leave out `null` for the types it does not know (it returns `null` for e.g. GNU sparse files).
 */
export interface TarHeader {
  /** Entry name with the ustar prefix, GNU long name or pax path already applied. */
  readonly name: string;
  /** Content size in bytes (pax `size` applied). */
  readonly size?: number;
  /** `file`, `directory`, `symlink`, `link`, … or `null` for a type flag tar-stream does not know. */
  readonly type?: string | null;
  /** Target of a link entry. */
  readonly linkname?: string | null;
}

// Internal helpers

function isFileType(type: TarHeader['type']): boolean {
  return type === 'file' || type === 'contiguous-file';
}

function describeType(type: TarHeader['type']): string {
  switch (type) {
    case 'character-device':
      return 'a character device';
    case 'block-device':
      return 'a block device';
    case 'fifo':
      return 'a named pipe (FIFO)';
    case null:
    case undefined:
      return 'an entry of an unknown tar type (for example a GNU sparse file)';
    default:
      return `a tar entry of type ${type}`;
  }
}
