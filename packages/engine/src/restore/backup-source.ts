/**
 * Random access to the entries of a backup during a restore. Restore stages read files in Moodle's
 * order (users before logs, course before activities), not in the container's order. ZIPs and folders
 * give random access directly; a tar.gz cannot (each lookup would decompress the archive again), so it
 * is read once, entry by entry: small entries (most of the XML) are kept in memory up to a fixed budget,
 * the rest written to a private temp folder, removed on {@link BackupSource.close}. Entry names were validated by the archive reader,
 * so nothing can be written outside that folder.
 */
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ArchiveEntryInfo, ArchiveKind, ArchiveReader } from '../archive/archive-reader.ts';
import type { FileContent, FileVisitor } from '../archive/tar-visit.ts';
import { openArchive } from '../archive/open-archive.ts';
import type { ArchiveLimits } from '../archive/limits.ts';
import { ErrorCode, MbzError } from '../errors.ts';
import type { BackupWarning } from '../warnings.ts';
import { readRecords } from '../xml/record-reader.ts';
import type { RecordReaderOptions, XmlLimits, XmlRecord } from '../xml/types.ts';

/** A backup opened for restoring. */
export interface BackupSource {
  /** The container the backup came in. */
  readonly kind: ArchiveKind;
  /** True when a file entry with this name exists. */
  has(name: string): boolean;
  /** Every file entry name, sorted. */
  names(): readonly string[];
  /** Opens a file entry; `archive.entry-not-found` when missing. */
  open(name: string): Promise<Readable>;
  /** Streams the records at `paths` of an XML entry (none when the entry is missing). */
  records(name: string, options: Omit<RecordReaderOptions, 'entry' | 'limits'>): AsyncIterable<XmlRecord>;
  /**
   * The path of a blob entry (`files/hh/<sha1>`) that was unpacked into the private temp folder and hashed
   * to its name while it was written, so the store may move it instead of copying it (see
   * `StorageTransaction.adoptBlob`); `undefined` for anything else. A caller that moved the file must call
   * {@link taken} so the entry is no longer opened.
   */
  adoptable(name: string): string | undefined;
  /** Marks an entry returned by {@link adoptable} as moved away. */
  taken(name: string): void;
  /** Closes the archive and removes any temp copy. */
  close(): Promise<void>;
  /** What the archive reader left out or read differently (link entries: `archive/link-entry.ts`), for the restore's warnings. */
  warnings(): readonly BackupWarning[];
}

/** Options of {@link openBackupSource}. */
export interface BackupSourceOptions {
  limits?: Partial<ArchiveLimits>;
  xmlLimits?: Partial<XmlLimits>;
  /** Parent of the temp folder a tar.gz is unpacked into (created when missing). Default is the OS temp dir. */
  tempDir?: string;
  /** Called with bytes unpacked so far while a tar.gz is unpacked. */
  onUnpack?: (bytes: number) => void;
  signal?: AbortSignal;
}

/** Opens a backup for restoring (see the file header for tar.gz). */
export async function openBackupSource(path: string, options: BackupSourceOptions = {}): Promise<BackupSource> {
  const archive = await openArchive(path, { limits: options.limits });
  if (archive.randomAccess) {
    const names = (await archive.list()).filter((e) => e.type === 'file').map((e) => e.name);
    const source = sourceOver(
      names,
      (name) => archive.open(name),
      archive.kind,
      options,
      async () => archive.close(),
      () => undefined,
    );
    return { ...source, warnings: () => archive.warnings?.() ?? [] };
  }
  // A given tempDir may not exist yet (the restore service names a work folder per job and removes it at the end).
  // Something that is not a folder there is left for mkdtemp to report (ENOTDIR, not mkdir's EEXIST).
  if (options.tempDir !== undefined) {
    await mkdir(options.tempDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const spool = await mkdtemp(join(options.tempDir ?? tmpdir(), 'mbz-restore-'));
  try {
    const { sizes, held, verified } = await unpack(archive, spool, options);
    await archive.close();
    const open = async (name: string): Promise<Readable | Buffer> => {
      const content = held.get(name);
      if (content) return content;
      // fs allocates a full highWaterMark per read: size small files' buffers to the file.
      return createReadStream(join(spool, name), {
        highWaterMark: Math.min(MiB, Math.max(16 * 1024, (sizes.get(name) ?? 0) + 1)),
      });
    };
    const adoptable = (name: string): string | undefined => (verified.has(name) ? join(spool, name) : undefined);
    const warnings = archive.warnings?.() ?? [];
    const source = sourceOver(
      [...sizes.keys()],
      open,
      archive.kind,
      options,
      async () => {
        await rm(spool, { recursive: true, force: true });
      },
      adoptable,
    );
    return { ...source, warnings: () => warnings };
  } catch (error) {
    await archive.close().catch(() => undefined);
    await rm(spool, { recursive: true, force: true });
    throw error;
  }
}

// Internal helpers

const MiB = 1024 * 1024;
/** Entries up to this size may be held in memory instead of written to the temp folder… */
const SMALL_ENTRY = 256 * 1024;
/** A blob of the backup: `files/hh/<sha1>`. */
const BLOB_ENTRY = /^files\/[0-9a-f]{2}\/([0-9a-f]{40})$/;
/** …while all held entries together stay under this many bytes. */
const HELD_BYTES = 32 * MiB;

function sourceOver(
  entryNames: readonly string[],
  openEntry: (name: string) => Promise<Readable | Buffer>,
  kind: ArchiveKind,
  options: BackupSourceOptions,
  close: () => Promise<void>,
  adoptable: (name: string) => string | undefined,
): Omit<BackupSource, 'warnings'> {
  const names = [...entryNames].sort();
  const present = new Set(names);
  const moved = new Set<string>();
  return {
    kind,
    has: (name) => present.has(name),
    adoptable: (name) => (moved.has(name) ? undefined : adoptable(name)),
    taken: (name) => {
      moved.add(name);
    },
    names: () => names,
    open: (name) => {
      if (!present.has(name) || moved.has(name)) {
        throw new MbzError(
          ErrorCode.ArchiveEntryNotFound,
          `The backup has no ${name}${moved.has(name) ? ' any more (it was moved into the store)' : ''}.`,
          { context: { entry: name } },
        );
      }
      return openEntry(name).then((content) =>
        Buffer.isBuffer(content) ? Readable.from([content], { objectMode: false }) : content,
      );
    },
    records(name, recordOptions) {
      if (!present.has(name)) return NO_RECORDS;
      return lazyRecords(async () =>
        readRecords(await openEntry(name), { ...recordOptions, entry: name, limits: options.xmlLimits }),
      );
    },
    close,
  };
}

const NO_RECORDS: AsyncIterable<XmlRecord> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};

/**
 * The records of an entry opened on the first `next()`. After that, calls go straight to the reader's own
 * iterator (no generator of our own in between: records are the hot path of a restore).
 */
function lazyRecords(open: () => Promise<AsyncGenerator<XmlRecord, void, undefined>>): AsyncIterable<XmlRecord> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<XmlRecord> {
      let inner: AsyncGenerator<XmlRecord, void, undefined> | undefined;
      return {
        next: () => (inner ? inner.next() : open().then((it) => (inner = it).next())),
        return: async () => (inner ? inner.return(undefined) : { done: true, value: undefined }),
      };
    },
  };
}

/**
 * Reads every file entry once. Small entries (most of a backup's XML) are kept in memory while their
 * total stays under {@link HELD_BYTES}; the rest are written under `into`. Names were validated by the
 * archive reader and the folder is new and private, so plain writes are safe; `wx` still refuses to write
 * any name twice. Memory stays bounded by the budget whatever the backup's size. A tar.gz hands its bytes
 * over without a stream per entry (`ArchiveReader.visitFiles`); another sequential reader goes through
 * `entries()`.
 */
async function unpack(archive: ArchiveReader, into: string, options: BackupSourceOptions): Promise<Spool> {
  const spool = new Spool(into, options.onUnpack);
  if (archive.visitFiles) await archive.visitFiles(spool, options.signal);
  else await visitEntries(archive, spool, options.signal);
  return spool;
}

/** What an unpack keeps: every file's size, the small ones' content, and the blobs hashed to their names. */
class Spool implements FileVisitor {
  readonly sizes = new Map<string, number>();
  readonly held = new Map<string, Buffer>();
  readonly verified = new Set<string>();
  readonly #into: string;
  readonly #onUnpack: ((bytes: number) => void) | undefined;
  readonly #folders = new Map<string, Promise<unknown>>();
  #bytes = 0;
  #heldBytes = 0;

  constructor(into: string, onUnpack: ((bytes: number) => void) | undefined) {
    this.#into = into;
    this.#onUnpack = onUnpack;
  }

  file(info: ArchiveEntryInfo): FileContent {
    const { name, size } = info;
    if (size <= SMALL_ENTRY && this.#heldBytes + size <= HELD_BYTES) {
      this.#heldBytes += size;
      return new HeldContent(size, (content) => {
        this.held.set(name, content);
        this.#done(name, size);
      });
    }
    // A blob is hashed on the way, so the store can take the file as it is (see BackupSource.adoptable).
    const blobHash = BLOB_ENTRY.exec(name)?.[1];
    return new DiskContent(this.#create(name), blobHash, (verified) => {
      if (verified) this.verified.add(name);
      this.#done(name, size);
    });
  }

  async link(info: ArchiveEntryInfo, source: string): Promise<void> {
    const content = this.held.get(source);
    if (content !== undefined) this.held.set(info.name, content);
    else {
      const target = join(this.#into, info.name);
      await this.#folder(dirname(target));
      await copyFile(join(this.#into, source), target, constants.COPYFILE_EXCL);
      const hash = BLOB_ENTRY.exec(info.name)?.[1];
      if (hash !== undefined && this.verified.has(source) && BLOB_ENTRY.exec(source)?.[1] === hash)
        this.verified.add(info.name);
    }
    this.#done(info.name, info.size);
  }

  #done(name: string, size: number): void {
    this.sizes.set(name, size);
    this.#bytes += size;
    this.#onUnpack?.(this.#bytes);
  }

  async #create(name: string): Promise<FileHandle> {
    const target = join(this.#into, name);
    await this.#folder(dirname(target));
    return open(target, 'wx');
  }

  #folder(path: string): Promise<unknown> {
    let made = this.#folders.get(path);
    if (made === undefined) {
      made = mkdir(path, { recursive: true });
      this.#folders.set(path, made);
    }
    return made;
  }
}

/** A small entry's content, copied into a buffer of its own (a chunk may be a view into a much larger one). */
class HeldContent implements FileContent {
  readonly #content: Buffer;
  readonly #onEnd: (content: Buffer) => void;
  #at = 0;

  constructor(size: number, onEnd: (content: Buffer) => void) {
    this.#content = Buffer.allocUnsafe(size);
    this.#onEnd = onEnd;
  }

  data(chunk: Buffer): undefined {
    // The archive reader fails on more bytes than declared before it hands them out.
    this.#at += chunk.copy(this.#content, this.#at);
    return undefined;
  }

  end(): undefined {
    this.#onEnd(this.#content.subarray(0, this.#at));
    return undefined;
  }

  abort(): void {}
}

/** A large entry's content, written to its file in the temp folder (a blob hashed on the way). */
class DiskContent implements FileContent {
  readonly #file: Promise<FileHandle>;
  readonly #sha1: Hash | undefined;
  readonly #expected: string | undefined;
  readonly #onEnd: (verified: boolean) => void;

  constructor(file: Promise<FileHandle>, blobHash: string | undefined, onEnd: (verified: boolean) => void) {
    this.#file = file;
    file.catch(() => undefined); // reported by the first write, or left with the pass's own error
    this.#expected = blobHash;
    this.#sha1 = blobHash === undefined ? undefined : createHash('sha1');
    this.#onEnd = onEnd;
  }

  async data(chunk: Buffer): Promise<void> {
    this.#sha1?.update(chunk);
    const file = await this.#file;
    for (let at = 0; at < chunk.length; ) at += (await file.write(chunk, at)).bytesWritten;
  }

  async end(): Promise<void> {
    await (await this.#file).close();
    this.#onEnd(this.#sha1 !== undefined && this.#sha1.digest('hex') === this.#expected);
  }

  abort(): void {
    this.#file.then((file) => file.close()).catch(() => undefined);
  }
}

/** {@link unpack} through `entries()`, for a sequential reader without `visitFiles`. */
async function visitEntries(archive: ArchiveReader, visitor: FileVisitor, signal?: AbortSignal): Promise<void> {
  for await (const entry of archive.entries()) {
    signal?.throwIfAborted();
    if (entry.type !== 'file') continue;
    const content = visitor.file(entry);
    try {
      for await (const chunk of entry.open()) await content.data(chunk as Buffer);
      await content.end();
    } catch (error) {
      content.abort();
      throw error;
    }
  }
}
