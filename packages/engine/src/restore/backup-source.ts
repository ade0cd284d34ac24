/**
 * Random access to the entries of a backup during a restore. Restore stages read files in Moodle's
 * order (users before logs, course before activities), not in the container's order. ZIPs and folders
 * give random access directly; a tar.gz cannot (each lookup would decompress the archive again), so it
 * is read once, entry by entry, into a private temp folder, which is then read like any extracted
 * backup and removed on {@link BackupSource.close}. Entry names were validated by the archive reader,
 * so nothing can be written outside that folder.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveKind, ArchiveReader } from '../archive/archive-reader.ts';
import { openArchive } from '../archive/open-archive.ts';
import type { ArchiveLimits } from '../archive/limits.ts';
import { ErrorCode, MbzError } from '../errors.ts';
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
  /** Closes the archive and removes any temp copy. */
  close(): Promise<void>;
}

/** Options of {@link openBackupSource}. */
export interface BackupSourceOptions {
  limits?: Partial<ArchiveLimits>;
  xmlLimits?: Partial<XmlLimits>;
  /** Parent of the temp folder a tar.gz is unpacked into. Default is the OS temp dir. */
  tempDir?: string;
  /** Called with bytes unpacked so far while a tar.gz is unpacked. */
  onUnpack?: (bytes: number) => void;
  signal?: AbortSignal;
}

/** Opens a backup for restoring (see the file header for tar.gz). */
export async function openBackupSource(path: string, options: BackupSourceOptions = {}): Promise<BackupSource> {
  const archive = await openArchive(path, { limits: options.limits });
  if (archive.randomAccess) return sourceOver(archive, archive.kind, options, async () => archive.close());
  const spool = await mkdtemp(join(options.tempDir ?? tmpdir(), 'mbz-restore-'));
  try {
    await unpack(archive, spool, options);
    await archive.close();
    const folder = await openArchive(spool, { limits: options.limits });
    return sourceOver(folder, archive.kind, options, async () => {
      await folder.close();
      await rm(spool, { recursive: true, force: true });
    });
  } catch (error) {
    await archive.close().catch(() => undefined);
    await rm(spool, { recursive: true, force: true });
    throw error;
  }
}

// Internal helpers

async function sourceOver(
  reader: ArchiveReader,
  kind: ArchiveKind,
  options: BackupSourceOptions,
  close: () => Promise<void>,
): Promise<BackupSource> {
  const names = (await reader.list()).filter((e) => e.type === 'file').map((e) => e.name).sort();
  const present = new Set(names);
  return {
    kind,
    has: (name) => present.has(name),
    names: () => names,
    open: (name) => {
      if (!present.has(name)) {
        throw new MbzError(ErrorCode.ArchiveEntryNotFound, `The backup has no ${name}.`, { context: { entry: name } });
      }
      return reader.open(name);
    },
    async *records(name, recordOptions) {
      if (!present.has(name)) return;
      yield* readRecords(await reader.open(name), { ...recordOptions, entry: name, limits: options.xmlLimits });
    },
    close,
  };
}

async function unpack(archive: ArchiveReader, into: string, options: BackupSourceOptions): Promise<void> {
  let bytes = 0;
  const made = new Set<string>();
  for await (const entry of archive.entries()) {
    options.signal?.throwIfAborted();
    const target = join(into, entry.name);
    if (entry.type === 'directory') {
      await mkdir(target, { recursive: true });
      continue;
    }
    const parent = dirname(target);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await pipeline(entry.open(), createWriteStream(target, { flags: 'wx', highWaterMark: 1024 * 1024 }));
    bytes += entry.size;
    options.onUnpack?.(bytes);
  }
}
