/**
 * The one place entry names are judged. Every reader (ZIP, tar.gz, folder) passes each raw name it
 * meets through {@link checkEntryName} before reporting the entry, so a consumer never sees a name
 * that could escape a target folder or mean two different files on two systems.
 *
 * Moodle itself writes plain relative ASCII paths (`lib/filestorage/tgz_packer.php`; see
 * `../shared/docs/moodle-backup-format.md` §1.1). We accept any Unicode but reject what no backup
 * writer produces and what an extractor could be tricked by: absolute paths, drive letters, `..`,
 * backslashes (a path separator on Windows), NUL and control characters, and empty or `.` segments
 * (which would give one file two names). The only rewrites are the harmless ones: leading `./`
 * (written by `tar -C dir -czf x.mbz .`) and one trailing `/` (how containers mark directories).
 */
import { ErrorCode } from '../errors.ts';

/** Name of the tar.gz index Moodle writes first (`tgz_packer::ARCHIVE_INDEX_FILE`); never part of the backup content. */
export const ARCHIVE_INDEX_NAME = '.ARCHIVE_INDEX';

/** Result of {@link checkEntryName}: the normalised name, or why the raw name is refused. */
export type EntryNameCheck =
  | { readonly name: string }
  | { readonly code: typeof ErrorCode.ArchiveUnsafeEntryName; readonly reason: string };

/**
 * Validates and normalises one raw entry name. Pure: never touches the file system.
 *
 * Normalisation strips every leading `./` and one trailing `/`; nothing else is collapsed.
 * Refused (code `archive.unsafe-entry-name`, with a reason that completes "the name …"):
 * empty names, absolute paths (`/x`, `C:\x`, `C:x`, `\\server\x`), backslashes, NUL and other
 * control characters (U+0000–U+001F, U+007F–U+009F), `..` segments, and empty or `.` segments
 * such as `a//b` or `a/./b`.
 *
 * @example checkEntryName('./course/course.xml') // { name: 'course/course.xml' }
 * @example checkEntryName('../evil') // { code: 'archive.unsafe-entry-name', reason: 'contains a ".." segment' }
 */
export function checkEntryName(raw: string): EntryNameCheck {
  if (typeof raw !== 'string' || raw.length === 0) return refuse('is empty');
  const control = CONTROL_CHARACTER.exec(raw);
  if (control) return refuse(`contains the control character U+${codePoint(control[0])}`);
  if (raw.includes('\\')) return refuse('contains a backslash (a path separator on Windows)');
  if (raw.startsWith('/')) return refuse('is an absolute path');
  if (DRIVE_LETTER.test(raw)) return refuse('starts with a Windows drive letter');

  let name = raw;
  while (name.startsWith('./')) name = name.slice(2);
  if (name.endsWith('/')) name = name.slice(0, -1);
  if (name.length === 0 || name === '.') return refuse('names the archive root, not an entry');

  for (const segment of name.split('/')) {
    if (segment === '..') return refuse('contains a ".." segment');
    if (segment === '') return refuse('contains an empty path segment ("//")');
    if (segment === '.') return refuse('contains a "." segment in the middle of the path');
  }
  return { name };
}

/**
 * Checks where a link entry points, without following anything. A hard link's target is a path from
 * the archive root (what GNU tar writes: `.ARCHIVE_INDEX` linked to `./.ARCHIVE_INDEX`), so it must be
 * a valid entry name ({@link checkEntryName}) and comes back normalised. A symbolic link's target is
 * relative to the link's own folder, so `course/x` → `../users.xml` stays inside and comes back as
 * `users.xml`; an absolute target (`/etc/passwd`, `C:\x`) or one whose `..` segments climb above the
 * archive root is refused, as are backslashes and control characters. An empty target, or one that
 * names the root itself, comes back as `''`.
 *
 * Readers never create the link: a symbolic link is always skipped, and a hard link is at most read
 * as the entry it names. The check is there so that an archive crafted to plant a link out of the
 * extraction folder is refused as such (`archive.unsafe-entry-name`), as an entry with that name would be.
 *
 * @example checkLinkTarget('files/00/link', '../../moodle_backup.xml', 'symbolic') // { name: 'moodle_backup.xml' }
 * @example checkLinkTarget('link', '/etc/passwd', 'symbolic') // { code: 'archive.unsafe-entry-name', reason: 'is an absolute path' }
 */
export function checkLinkTarget(linkName: string, target: string, kind: 'symbolic' | 'hard'): EntryNameCheck {
  if (typeof target !== 'string') return refuse('is empty');
  if (kind === 'hard') return target.length === 0 ? refuse('is empty') : checkEntryName(target);
  const control = CONTROL_CHARACTER.exec(target);
  if (control) return refuse(`contains the control character U+${codePoint(control[0])}`);
  if (target.includes('\\')) return refuse('contains a backslash (a path separator on Windows)');
  if (target.startsWith('/')) return refuse('is an absolute path');
  if (DRIVE_LETTER.test(target)) return refuse('starts with a Windows drive letter');
  const resolved = linkName.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') resolved.push(segment);
    else if (resolved.pop() === undefined) return refuse('climbs above the archive root with ".." segments');
  }
  return { name: resolved.join('/') };
}

/**
 * True for the names tar and zip tools use for the archive root itself (`.`, `./`, and repeats such
 * as `././`). Readers skip such a directory entry instead of refusing it: `tar -C dir -czf x.mbz .`
 * writes one.
 */
export function isRootDirectoryName(raw: string): boolean {
  return ROOT_NAME.test(raw);
}

/** True when a normalised name is the tar.gz `.ARCHIVE_INDEX` at the archive root, which readers never report. */
export function isArchiveIndexName(name: string): boolean {
  return name === ARCHIVE_INDEX_NAME;
}

/** Quotes a raw name for an error message, so control characters and odd spacing stay visible. */
export function quoteEntryName(raw: string): string {
  return JSON.stringify(raw);
}

// Internal helpers

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/u;
const DRIVE_LETTER = /^[A-Za-z]:/u;
const ROOT_NAME = /^(?:\.\/)*\.\/?$/u;

function refuse(reason: string): EntryNameCheck {
  return { code: ErrorCode.ArchiveUnsafeEntryName, reason };
}

function codePoint(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
