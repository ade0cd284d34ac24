/**
 * {@link ArchiveReader} over an already-extracted backup folder — what Moodle itself restores from
 * after `extract_to_pathname()` into `$CFG->tempdir/backup/<dir>` (`../shared/docs/moodle-backup-format.md`
 * §1.1). Opening walks the folder once (siblings sorted by code unit, parents before children, so
 * the order is the same on every machine) into an index, applying the same rules as the containers:
 * names pass {@link checkEntryName}, links are refused — a symbolic link is never followed, not even
 * one pointing inside the folder — special files are refused, and the limits on entry count and sizes
 * apply. A `.ARCHIVE_INDEX` at the root (left by `tar -xzf`) is skipped, as in the tar.gz reader.
 *
 * Files are opened with `O_NOFOLLOW` and checked to be the very file the walk saw (same device and
 * inode), so swapping a file for a link after the walk does not let a read escape the folder.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { BackupWarning } from '../warnings.ts';
import type { ArchiveEntry, ArchiveEntryInfo, ArchiveReader } from './archive-reader.ts';
import { fileSystemError } from './detect-format.ts';
import { checkEntryName, isArchiveIndexName, quoteEntryName } from './entry-name.ts';
import { EntryStream } from './entry-stream.ts';
import { LimitGuard } from './limit-guard.ts';
import type { ArchiveLimits } from './limits.ts';
import { OpenStreams, closedError, emptyStream, lookupFile, lookupName } from './reader-support.ts';

/**
 * Walks the folder at `root` and returns a reader over it.
 *
 * @throws {ArchiveError} `archive.not-found`, `archive.unreadable`, `archive.unsafe-entry-name`,
 * `archive.link-entry`, `archive.too-many-entries`, `archive.entry-too-large`, `archive.too-large`.
 */
export async function openDirectoryReader(root: string, limits: ArchiveLimits): Promise<ArchiveReader> {
  const index: FolderEntry[] = [];
  await walk(root, '', new LimitGuard(limits), index);
  return new DirectoryReader(root, limits, index);
}

/** Folder reader; see the file header. Made by {@link openDirectoryReader}. */
class DirectoryReader implements ArchiveReader {
  readonly kind = 'directory' as const;
  readonly randomAccess = true;
  readonly #root: string;
  readonly #limits: ArchiveLimits;
  readonly #index: readonly FolderEntry[];
  readonly #byName: ReadonlyMap<string, FolderEntry>;
  readonly #infos: readonly ArchiveEntryInfo[];
  readonly #streams = new OpenStreams();
  #closed = false;

  constructor(root: string, limits: ArchiveLimits, index: readonly FolderEntry[]) {
    this.#root = root;
    this.#limits = limits;
    this.#index = index;
    this.#byName = new Map(index.map((item) => [item.info.name, item]));
    this.#infos = Object.freeze(index.map((item) => item.info));
  }

  /** Yields the entries in walk order. Each entry's `open()` may be called at any time while the reader is open. */
  async *entries(): AsyncIterable<ArchiveEntry> {
    this.#assertOpen();
    for (const item of this.#index) {
      this.#assertOpen();
      const { name, type, size } = item.info;
      yield {
        name,
        type,
        size,
        open: () => (type === 'file' ? this.#stream(item, this.#openFile(item)) : emptyStream()),
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
    const item = lookupFile(this.#byName, name, this.#root);
    return this.#stream(item, await this.#openFile(item));
  }

  /** Always empty: a link in a folder is refused (`archive.link-entry`), never skipped. */
  warnings(): readonly BackupWarning[] {
    return [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#streams.closeAll(this.kind, this.#root);
  }

  #stream(item: FolderEntry, source: Readable | Promise<Readable>): Readable {
    const { name, size } = item.info;
    return this.#streams.add(
      new EntryStream(source, {
        name,
        declaredSize: size,
        limits: this.#limits,
        mapError: (error) => fileSystemError(join(this.#root, name), error),
      }),
    );
  }

  async #openFile(item: FolderEntry): Promise<Readable> {
    if (this.#closed) throw closedError(this.kind, this.#root);
    const path = join(this.#root, item.info.name);
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkError(item.info.name);
      throw fileSystemError(path, error);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.ino !== item.ino || stats.dev !== item.dev) {
        throw new ArchiveError(
          ErrorCode.ArchiveUnreadable,
          `${path} was replaced after the folder was listed; open the folder again`,
          {
            context: { entry: item.info.name },
          },
        );
      }
      // Read in chunks of up to 1 MiB, but never allocate a 1 MiB buffer for a small file:
      // fs allocates a full highWaterMark per read, which costs more than the read itself.
      return handle.createReadStream({ highWaterMark: Math.min(MiB, Math.max(16 * 1024, item.info.size + 1)) });
    } catch (error) {
      await handle.close();
      throw fileSystemError(path, error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(this.kind, this.#root);
  }
}

// Internal helpers

const MiB = 1024 * 1024;

interface FolderEntry {
  readonly info: ArchiveEntryInfo;
  readonly dev: number;
  readonly ino: number;
}

async function walk(root: string, relative: string, guard: LimitGuard, out: FolderEntry[]): Promise<void> {
  const folder = relative === '' ? root : join(root, relative);
  const raw = await readdir(folder, { encoding: 'buffer' }).catch((error: unknown) => {
    throw fileSystemError(folder, error);
  });
  const names = raw.map((bytes) => decodeName(bytes, relative)).sort(compareCodeUnits);
  const stats = await Promise.all(
    names.map((name) =>
      lstat(join(folder, name)).catch((error: unknown) => {
        throw fileSystemError(join(folder, name), error);
      }),
    ),
  );
  for (const [i, base] of names.entries()) {
    const stat = stats[i]!;
    const rawName = relative === '' ? base : `${relative}/${base}`;
    const checked = checkEntryName(rawName);
    if ('code' in checked) {
      throw new ArchiveError(
        checked.code,
        `entry ${quoteEntryName(rawName)} has an unsafe name: it ${checked.reason}`,
        { context: { entry: rawName } },
      );
    }
    const { name } = checked;
    if (stat.isSymbolicLink()) throw linkError(name);
    if (stat.isDirectory()) {
      guard.countEntry(name);
      out.push({ info: { name, type: 'directory', size: 0 }, dev: stat.dev, ino: stat.ino });
      await walk(root, name, guard, out);
    } else if (stat.isFile()) {
      if (relative === '' && isArchiveIndexName(name)) continue;
      guard.countEntry(name);
      guard.addEntryBytes(name, stat.size);
      out.push({ info: { name, type: 'file', size: stat.size }, dev: stat.dev, ino: stat.ino });
    } else {
      throw new ArchiveError(
        ErrorCode.ArchiveUnsafeEntryName,
        `entry ${name} is a special file (device, pipe or socket), not a file or folder`,
        {
          context: { entry: name },
        },
      );
    }
  }
}

function decodeName(bytes: Buffer, relative: string): string {
  const name = bytes.toString('utf8');
  if (!Buffer.from(name, 'utf8').equals(bytes)) {
    const shown = relative === '' ? name : `${relative}/${name}`;
    throw new ArchiveError(
      ErrorCode.ArchiveUnsafeEntryName,
      `entry ${quoteEntryName(shown)} has an unsafe name: it is not valid UTF-8`,
      {
        context: { entry: shown },
      },
    );
  }
  return name;
}

function linkError(name: string): ArchiveError {
  return new ArchiveError(
    ErrorCode.ArchiveLinkEntry,
    `entry ${name} is a symbolic link; links are never followed (they could point outside the backup folder) — replace it with the file or folder itself`,
    { context: { entry: name } },
  );
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
