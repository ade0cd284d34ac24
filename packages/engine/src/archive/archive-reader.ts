/**
 * One interface over the three places a Moodle backup can live: a ZIP `.mbz`, a gzip'd tar `.mbz`,
 * and an already-extracted folder. Readers validate every entry name (see `entry-name.ts`) and
 * enforce the {@link ArchiveLimits} while they read, so a consumer never sees an unsafe name or
 * more bytes than the limits allow.
 */
import type { Readable } from 'node:stream';
import type { BackupWarning } from '../warnings.ts';
import type { FileVisitor } from './tar-visit.ts';

/** The container kind, detected from magic bytes (never from the extension). */
export type ArchiveKind = 'zip' | 'tar.gz' | 'directory';

/** Metadata of one entry. Names are normalised: `/`-separated, relative, no `./`, directories without a trailing slash. */
export interface ArchiveEntryInfo {
  /** Normalised path inside the backup, e.g. `activities/page_12/page.xml`. */
  readonly name: string;
  /**
   * `file` or `directory`. Links are never reported as links: a tar.gz or ZIP link is skipped with a
   * warning (a tar.gz hard link to an earlier file is reported as a file with that file's content; see
   * `link-entry.ts`), and a link in an extracted folder is an error.
   */
  readonly type: 'file' | 'directory';
  /** Uncompressed size in bytes as declared by the container (0 for directories). */
  readonly size: number;
}

/** One entry met during a sequential walk. */
export interface ArchiveEntry extends ArchiveEntryInfo {
  /**
   * Opens the entry's content. During {@link ArchiveReader.entries} the stream must be consumed
   * (or destroyed) before the walk moves on; entries not opened are skipped.
   */
  open(): Readable;
}

/** A backup container opened for reading. */
export interface ArchiveReader {
  /** Container kind. */
  readonly kind: ArchiveKind;
  /** True when {@link open} is cheap (ZIP, folder). False for tar.gz, where each `open` rescans the archive. */
  readonly randomAccess: boolean;
  /** Walks every entry once, in container order (directories included). The cheapest way to read a whole tar.gz. */
  entries(): AsyncIterable<ArchiveEntry>;
  /** Lists every entry (cached after the first call). */
  list(): Promise<readonly ArchiveEntryInfo[]>;
  /** True when a file entry with this normalised name exists. */
  has(name: string): Promise<boolean>;
  /** Opens one file entry by name; `archive.entry-not-found` when there is none. */
  open(name: string): Promise<Readable>;
  /**
   * What the reader left out or read differently so far, each once: `archive-link-skipped` and
   * `archive-hard-link-read` (see `link-entry.ts`). A ZIP knows them all once open; a tar.gz once a
   * pass ({@link entries}, {@link list}) has gone through the whole archive. Still answers after {@link close}.
   * Optional, so that a reader written elsewhere (passed to `inspectBackup`) need not have it.
   */
  warnings?(): readonly BackupWarning[];
  /**
   * Reads every file once, in container order, handing its bytes to `visitor` as they come: no stream or
   * promise per entry. Optional: the sequential reader (tar.gz) has it, as the cheapest way to copy a whole
   * archive; the same checks as {@link entries} apply. Resolves once the pass is over and the archive file closed.
   */
  visitFiles?(visitor: FileVisitor, signal?: AbortSignal): Promise<void>;
  /** Releases file handles. Further calls fail with `archive.closed`. */
  close(): Promise<void>;
}
