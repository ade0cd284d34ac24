/**
 * {@link ArchiveReader} over a ZIP `.mbz` (what Moodle writes when `$CFG->usezipbackups` is set, and
 * what releases before the tar.gz default wrote; `lib/filestorage/mbz_packer.php`). Opening reads the
 * central directory once into a validated index (`zip-index.ts`), so `list()`, `has()` and `open()`
 * are random access and every limit on declared sizes is checked before any content is read.
 * Content streams are {@link EntryStream}s: the bytes actually inflated are counted, so a header that
 * lies about an entry's size fails the stream, and the CRC-32 is checked at the end.
 */
import type { Readable } from 'node:stream';
import type { ZipFile } from 'yauzl';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveEntry, ArchiveEntryInfo, ArchiveReader } from './archive-reader.ts';
import { EntryStream } from './entry-stream.ts';
import type { ArchiveLimits } from './limits.ts';
import { OpenStreams, closedError, emptyStream, lookupFile, lookupName } from './reader-support.ts';
import { mapZipError, openZipFile, readZipIndex } from './zip-index.ts';
import type { ZipIndexEntry } from './zip-index.ts';
import type { BackupWarning } from '../warnings.ts';

/**
 * Opens the ZIP at `path` and reads its central directory.
 *
 * @throws {ArchiveError} `archive.not-found`, `archive.unreadable`, `archive.truncated`,
 * `archive.corrupt`, `archive.unsafe-entry-name` (also for a symbolic link pointing outside the archive root), `archive.duplicate-entry`,
 * `archive.too-many-entries`, `archive.entry-too-large`, `archive.too-large`, `archive.compression-ratio`.
 */
export async function openZipReader(path: string, limits: ArchiveLimits): Promise<ArchiveReader> {
  const zipfile = await openZipFile(path);
  try {
    const { entries, warnings } = await readZipIndex(zipfile, path, limits);
    return new ZipReader(path, limits, zipfile, entries, warnings);
  } catch (error) {
    await closeZipFile(zipfile);
    throw error;
  }
}

/** ZIP reader; see the file header. Made by {@link openZipReader}. */
class ZipReader implements ArchiveReader {
  readonly kind = 'zip' as const;
  readonly randomAccess = true;
  readonly #path: string;
  readonly #limits: ArchiveLimits;
  readonly #zipfile: ZipFile;
  readonly #index: readonly ZipIndexEntry[];
  readonly #byName: ReadonlyMap<string, ZipIndexEntry>;
  readonly #infos: readonly ArchiveEntryInfo[];
  readonly #streams = new OpenStreams();
  readonly #warnings: readonly BackupWarning[];
  #closed = false;

  constructor(
    path: string,
    limits: ArchiveLimits,
    zipfile: ZipFile,
    index: readonly ZipIndexEntry[],
    warnings: readonly BackupWarning[],
  ) {
    this.#warnings = Object.freeze([...warnings]);
    this.#path = path;
    this.#limits = limits;
    this.#zipfile = zipfile;
    this.#index = index;
    this.#byName = new Map(index.map((item) => [item.info.name, item]));
    this.#infos = Object.freeze(index.map((item) => item.info));
  }

  /** Yields the entries in central-directory order. Each entry's `open()` may be called at any time while the reader is open. */
  async *entries(): AsyncIterable<ArchiveEntry> {
    this.#assertOpen();
    for (const item of this.#index) {
      this.#assertOpen();
      const { name, type, size } = item.info;
      yield {
        name,
        type,
        size,
        open: () => (type === 'file' ? this.#stream(item, this.#openSource(item)) : emptyStream()),
      };
    }
  }

  async list(): Promise<readonly ArchiveEntryInfo[]> {
    this.#assertOpen();
    return this.#infos;
  }

  async has(name: string): Promise<boolean> {
    this.#assertOpen();
    const key = lookupName(name);
    return key !== undefined && this.#byName.get(key)?.info.type === 'file';
  }

  async open(name: string): Promise<Readable> {
    this.#assertOpen();
    const item = lookupFile(this.#byName, name, this.#path);
    const source = await this.#openSource(item);
    return this.#stream(item, source);
  }

  warnings(): readonly BackupWarning[] {
    return this.#warnings;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#streams.closeAll(this.kind, this.#path);
    await closeZipFile(this.#zipfile);
  }

  #stream(item: ZipIndexEntry, source: Readable | Promise<Readable>): Readable {
    const { entry, info } = item;
    return this.#streams.add(
      new EntryStream(source, {
        name: info.name,
        declaredSize: info.size,
        limits: this.#limits,
        compressedSize: entry.compressedSize,
        crc32: entry.crc32,
        mapError: (error) => mapZipError(error, this.#path, info.name),
      }),
    );
  }

  #openSource(item: ZipIndexEntry): Promise<Readable> {
    const { entry, info } = item;
    if (this.#closed) return Promise.reject(closedError(this.kind, this.#path));
    if (entry.isEncrypted()) {
      return Promise.reject(
        new ArchiveError(
          ErrorCode.ArchiveCorrupt,
          `entry ${info.name} of ${this.#path} is encrypted; Moodle never encrypts backups and encrypted entries cannot be read`,
          {
            context: { entry: info.name },
          },
        ),
      );
    }
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      return Promise.reject(
        new ArchiveError(
          ErrorCode.ArchiveCorrupt,
          `entry ${info.name} of ${this.#path} uses ZIP compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported, which is all Moodle writes`,
          { context: { entry: info.name } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#zipfile.openReadStream(entry, (error, stream) => {
        if (error) reject(mapZipError(error, this.#path, info.name));
        else if (this.#closed) {
          // close() ran while yauzl was opening: release the stream so the descriptor can close.
          stream.destroy();
          reject(closedError(this.kind, this.#path));
        } else resolve(stream);
      });
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(this.kind, this.#path);
  }
}

// Internal helpers

/** Closes yauzl's file handle and waits for the descriptor to be released. */
function closeZipFile(zipfile: ZipFile): Promise<void> {
  if (!zipfile.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const reader = (zipfile as unknown as { reader?: { refCount?: number } }).reader;
    const done = (): void => resolve();
    zipfile.once('close', done);
    zipfile.once('error', done);
    zipfile.close();
    // No 'close' comes while streams still hold the descriptor; they release it when they end.
    if (reader?.refCount !== undefined && reader.refCount > 0) resolve();
  });
}
