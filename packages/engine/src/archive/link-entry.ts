/**
 * What the tar.gz and ZIP readers do with link entries, and the warnings they leave. Moodle's own
 * extractor skips every tar entry that is neither a file nor a folder — type flags 1 (hard link) and
 * 2 (symbolic link) among them (`lib/filestorage/tgz_extractor.php`, `process_header()`) — and
 * restores the rest. Readers here do the same, but say so: each link left out is an
 * `archive-link-skipped` warning naming the entry. No reader ever creates a link on disk.
 *
 * One refinement over Moodle, for what an administrator expects of an archive repacked with GNU tar
 * (which writes the second name of a file as a hard link to the first): a hard link to a regular file
 * met earlier in the same archive is read as a copy of that file — what `tar -x` would extract — with
 * an `archive-hard-link-read` warning, since Moodle would restore without it. A hard link named
 * `.ARCHIVE_INDEX` (GNU tar's `.ARCHIVE_INDEX` → `./.ARCHIVE_INDEX` when the index is named twice), one
 * linked to itself, or one whose target is not an earlier file, is skipped with `archive-link-skipped`.
 *
 * Link entries' own names and their targets are checked like any entry name (`entry-name.ts`): one that
 * would land or point outside the extraction folder refuses the archive with `archive.unsafe-entry-name`.
 */
import { ArchiveError } from '../errors.ts';
import type { BackupWarning } from '../warnings.ts';
import { checkLinkTarget } from './entry-name.ts';

/** Warning code: a link entry was left out of the backup's content. */
export const LINK_SKIPPED = 'archive-link-skipped';
/** Warning code: a hard link was read as a copy of the file it names. */
export const HARD_LINK_READ = 'archive-hard-link-read';

/** The normalised target of a link entry, or `archive.unsafe-entry-name` when it points outside the archive root. */
export function linkTarget(name: string, rawTarget: string, kind: 'symbolic' | 'hard'): string {
  const checked = checkLinkTarget(name, rawTarget, kind);
  if ('name' in checked) return checked.name;
  throw new ArchiveError(
    checked.code,
    `entry ${name} is a ${kind} link to ${JSON.stringify(rawTarget)}, which ${checked.reason}; ` +
      'a link pointing outside the extraction folder is how an archive plants files elsewhere, so the archive is refused',
    { context: { entry: name } },
  );
}

/** `archive-link-skipped` for a symbolic link. */
export function symlinkSkipped(name: string, rawTarget: string): BackupWarning {
  return {
    code: LINK_SKIPPED,
    message:
      `${name} is a symbolic link (to ${JSON.stringify(rawTarget)}), not a file or folder; it was skipped, as Moodle skips it. ` +
      'If the backup needs that file, repack the backup with the file itself (tar --dereference, or zip without --symlinks).',
    entry: name,
  };
}

/** Why a hard link is skipped: the archive index, itself, or a target that is not an earlier file. */
export type HardLinkSkip = 'archive-index' | 'itself' | 'no-earlier-file';

/** `archive-link-skipped` for a hard link. */
export function hardLinkSkipped(name: string, rawTarget: string, why: HardLinkSkip): BackupWarning {
  const link = `${name} is a hard link to ${JSON.stringify(rawTarget)}`;
  const reason = {
    'archive-index':
      "Moodle's archive index, which is never read (GNU tar writes a file named twice as a link to its first copy)",
    itself: 'the same path as the link: the file was named twice when the archive was made, and is read once',
    'no-earlier-file':
      'not a file met earlier in the archive, so there is nothing to read it as. If the backup needs that file, repack it with tar --hard-dereference',
  }[why];
  return { code: LINK_SKIPPED, message: `${link}; it was skipped: its target is ${reason}.`, entry: name };
}

/** `archive-hard-link-read` for a hard link read as the earlier file `target`. */
export function hardLinkRead(name: string, target: string): BackupWarning {
  return {
    code: HARD_LINK_READ,
    message:
      `${name} is a hard link to ${target}, a file met earlier in the archive; it was read as a copy of that file, as tar -x would ` +
      "extract it (Moodle's own extractor skips hard links and would restore without it).",
    entry: name,
  };
}

/**
 * The link warnings one reader met, each once: a tar.gz is read in several passes (listing, `open()`
 * rescans, the walk), and every pass meets the same links.
 */
export class LinkWarnings {
  readonly #warnings = new Map<string, BackupWarning>();

  /** Records `warning` unless the same code was already recorded for the same entry. */
  add(warning: BackupWarning): void {
    const key = `${warning.code}\u0000${warning.entry ?? ''}`;
    if (!this.#warnings.has(key)) this.#warnings.set(key, warning);
  }

  /** The warnings, in the order they were first met. */
  list(): readonly BackupWarning[] {
    return [...this.#warnings.values()];
  }
}
