/**
 * Judges one tar header met by the tar.gz walk (`tar-walk.ts`) and maps tar-stream and zlib errors to
 * {@link ArchiveError}s. tar-stream has already applied the ustar `prefix` (for `ustar\0` headers,
 * which is what Moodle's `tgz_packer` writes — names over 100 characters are split into prefix +
 * name, `../shared/docs/moodle-backup-format.md` §1.1), GNU long names (`L`/`K`) and pax `path`,
 * `linkpath` and `size` records, so the header seen here carries the final name, link target and size.
 *
 * Accepted: regular files (`0`, and `7` contiguous files, which POSIX says to read as regular files)
 * and directories. Links (`1` hard, `2` symbolic) are skipped with a warning, as Moodle's
 * `tgz_extractor::process_header()` skips them, except a hard link to an earlier file, read as that
 * file (see `link-entry.ts`); a link whose name or target leaves the archive root is refused
 * (`archive.unsafe-entry-name`). Refused: devices, FIFOs and any type tar-stream does not know, such as
 * GNU sparse files (`archive.unsafe-entry-name`: "not a file or folder"). Skipped, never reported: the
 * archive root (`./`) and Moodle's `.ARCHIVE_INDEX`.
 */
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { BackupWarning } from '../warnings.ts';
import type { ArchiveEntryInfo } from './archive-reader.ts';
import { checkEntryName, isArchiveIndexName, isRootDirectoryName, quoteEntryName } from './entry-name.ts';
import type { LimitGuard } from './limit-guard.ts';
import { hardLinkRead, hardLinkSkipped, linkTarget, symlinkSkipped } from './link-entry.ts';

/** What one pass remembers of the entries it met, to judge the next ones. */
export interface TarPassState {
  /** Every reported name (files and directories), to refuse duplicates. */
  readonly seen: Set<string>;
  /** Every reported file: its size, the regular-file entry its content comes from, and the pass's declared bytes once it was met. */
  readonly files: Map<string, { readonly size: number; readonly source: string; readonly bytesBefore: number }>;
}

/** What to do with one header. */
export type TarVerdict =
  /** Report the entry; a hard link read as an earlier file carries that file's name in `source`. */
  | {
      readonly kind: 'entry';
      readonly info: ArchiveEntryInfo;
      readonly source?: string;
      readonly warning?: BackupWarning;
    }
  /** Skip the entry; `warning` says why when the skip is worth telling (a link). */
  | { readonly kind: 'skip'; readonly warning?: BackupWarning };

/**
 * Validates one header and counts it against the limits, and says whether to report or skip it
 * (silently for the archive root and `.ARCHIVE_INDEX`, with a warning for a link).
 *
 * @throws {ArchiveError} `archive.unsafe-entry-name`, `archive.duplicate-entry`,
 * `archive.too-many-entries`, `archive.entry-too-large`, `archive.too-large`.
 */
export function checkTarHeader(header: TarHeader, guard: LimitGuard, state: TarPassState): TarVerdict {
  const raw = header.name;
  const size = header.size ?? 0;
  const isDirectory = header.type === 'directory' || (isFileType(header.type) && raw.endsWith('/') && size === 0);
  if (isDirectory && isRootDirectoryName(raw)) return SKIP;
  const checked = checkEntryName(raw);
  if ('code' in checked) {
    throw new ArchiveError(checked.code, `entry ${quoteEntryName(raw)} has an unsafe name: it ${checked.reason}`, {
      context: { entry: raw },
    });
  }
  const { name } = checked;
  if (header.type === 'symlink' || header.type === 'link') return checkLink(header, name, guard, state);
  if (!isDirectory && !isFileType(header.type)) {
    throw new ArchiveError(
      ErrorCode.ArchiveUnsafeEntryName,
      `entry ${name} is ${describeType(header.type)}, not a file or folder; backups hold only files and folders`,
      { context: { entry: name } },
    );
  }
  if (raw.endsWith('/') && !isDirectory) {
    throw new ArchiveError(
      ErrorCode.ArchiveCorrupt,
      `entry ${quoteEntryName(raw)} is a file whose name ends with "/" and that has content`,
      {
        context: { entry: name },
      },
    );
  }
  if (!isDirectory && isArchiveIndexName(name)) return SKIP;
  claimName(name, state);
  guard.countEntry(name);
  if (isDirectory) return { kind: 'entry', info: { name, type: 'directory', size: 0 } };
  const bytesBefore = guard.totalBytes;
  guard.addEntryBytes(name, size);
  state.files.set(name, { size, source: name, bytesBefore });
  return { kind: 'entry', info: { name, type: 'file', size } };
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
    return new ArchiveError(ErrorCode.ArchiveUnreadable, `cannot read ${path} (${code}: ${message})`, {
      cause: error,
      context,
    });
  }
  const layer = code?.startsWith('Z_') ? 'gzip' : 'tar';
  return new ArchiveError(
    ErrorCode.ArchiveCorrupt,
    `${path} is not a valid gzip-compressed tar: bad ${layer} data (${message})`,
    {
      cause: error,
      context,
    },
  );
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

const SKIP: TarVerdict = Object.freeze({ kind: 'skip' });

/**
 * A link entry (see `link-entry.ts`): its target is checked, it counts as an entry (and its own
 * declared data, normally none, as bytes); a hard link to an earlier file is reported as that file,
 * anything else skipped with a warning.
 */
function checkLink(header: TarHeader, name: string, guard: LimitGuard, state: TarPassState): TarVerdict {
  const rawTarget = header.linkname ?? '';
  const symbolic = header.type === 'symlink';
  const target = linkTarget(name, rawTarget, symbolic ? 'symbolic' : 'hard');
  guard.countEntry(name);
  guard.addEntryBytes(name, header.size ?? 0);
  if (symbolic) return { kind: 'skip', warning: symlinkSkipped(name, rawTarget) };
  if (isArchiveIndexName(name)) return { kind: 'skip', warning: hardLinkSkipped(name, rawTarget, 'archive-index') };
  if (target === name) return { kind: 'skip', warning: hardLinkSkipped(name, rawTarget, 'itself') };
  const file = state.files.get(target);
  if (file === undefined) return { kind: 'skip', warning: hardLinkSkipped(name, rawTarget, 'no-earlier-file') };
  claimName(name, state);
  // Reading the link rescans the archive up to its target: count that, so many links cannot cost more than maxTotalBytes.
  guard.addRescanBytes(name, file.bytesBefore + file.size);
  guard.addEntryBytes(name, file.size);
  state.files.set(name, { size: file.size, source: file.source, bytesBefore: file.bytesBefore });
  return {
    kind: 'entry',
    info: { name, type: 'file', size: file.size },
    source: file.source,
    warning: hardLinkRead(name, file.source),
  };
}

/** Records `name` as reported; `archive.duplicate-entry` when it already was. */
function claimName(name: string, state: TarPassState): void {
  if (state.seen.has(name)) {
    throw new ArchiveError(
      ErrorCode.ArchiveDuplicateEntry,
      `entry ${name} appears more than once; a backup has one entry per path and the copies could differ`,
      { context: { entry: name } },
    );
  }
  state.seen.add(name);
}

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
