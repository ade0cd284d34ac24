/**
 * The archive side of the generator: one small interface with a gzip'd-tar and a ZIP
 * implementation (`targz-writer.ts`, `zip-writer.ts`), plus Moodle's `.ARCHIVE_INDEX` format.
 *
 * Moodle writes `.mbz` files either as tar.gz (the default since 2.x, `lib/filestorage/tgz_packer.php`)
 * or as ZIP (`$CFG->usezipbackups`, `zip_packer`); both list directories as entries of their own.
 * The tar.gz form starts with `.ARCHIVE_INDEX` (`../shared/docs/moodle-backup-format.md` §1.1):
 *
 * ```
 * Moodle archive file index. Count: <N>
 * <path>\t<f|d>\t<size>\t<mtime|?>
 * ```
 *
 * with one line per following entry (directories: size 0, mtime `?`). Because that index carries
 * every size and comes first, a tar.gz cannot be written until every entry's size is known — see
 * `generate-backup.ts` for how the generator gets them without holding entries in memory.
 */

/** Container format of the generated `.mbz`. */
export type Container = 'tar.gz' | 'zip';

/** Receives the bytes of one archive entry; a returned promise means "wait before writing more". */
export interface EntrySink {
  write(chunk: string | Uint8Array): void | Promise<void>;
}

/** Writes entries, in order, into one archive file. */
export interface ArchiveWriter {
  /** Which container this writer produces. */
  readonly container: Container;
  /** Adds a directory entry (`path` ends with `/`). */
  addDirectory(path: string): Promise<void>;
  /**
   * Adds a file entry whose content `fill` writes into the sink. The tar writer needs the exact
   * `size` up front (and fails on a mismatch); the ZIP writer checks it when given.
   */
  addFile(path: string, size: number | undefined, fill: (sink: EntrySink) => Promise<void>): Promise<void>;
  /** Ends the archive and waits until the file is complete on disk. */
  finish(): Promise<void>;
  /** Stops writing after a failure and releases the file. Safe to call more than once. */
  abort(reason: unknown): Promise<void>;
}

/** Options shared by both writers. */
export interface ArchiveWriterOptions {
  /** Output file path. */
  readonly path: string;
  /** Modification time of file entries (unix seconds). */
  readonly mtime: number;
  /** Called with the number of archive bytes written so far, as they are written. */
  readonly onProgress?: ((bytesWritten: number) => void) | undefined;
}

/** One line of `.ARCHIVE_INDEX`. */
export interface ArchiveIndexEntry {
  readonly path: string;
  readonly type: 'f' | 'd';
  readonly size: number;
  /** Unix seconds; ignored for directories, which Moodle lists with `?`. */
  readonly mtime: number;
}

/** Name of Moodle's index entry. */
export const ARCHIVE_INDEX_NAME = '.ARCHIVE_INDEX';

/** Modification time Moodle's tgz packer uses when it has none (2013-01-01 00:00:00 UTC). */
export const DEFAULT_TAR_MTIME = 1356998400;

/** Renders `.ARCHIVE_INDEX` exactly as `tgz_packer` writes it (every line ends with `\n`). */
export function formatArchiveIndex(entries: readonly ArchiveIndexEntry[]): string {
  const lines = [`Moodle archive file index. Count: ${entries.length}`];
  for (const e of entries) {
    lines.push(e.type === 'd' ? `${e.path}\td\t0\t?` : `${e.path}\tf\t${e.size}\t${e.mtime}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Turns an {@link EntrySink} chunk into bytes. */
export function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
