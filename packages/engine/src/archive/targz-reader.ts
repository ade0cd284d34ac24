/**
 * {@link ArchiveReader} over a gzip-compressed tar `.mbz`, what Moodle writes by default
 * (`lib/filestorage/tgz_packer.php`; `../shared/docs/moodle-backup-format.md` §1.1). A tar.gz has no
 * index, so this reader is not random access:
 *
 * - `entries()` is one sequential pass (`tar-walk.ts`); `visitFiles()` is the same pass without a stream per
 *   entry (`tar-visit.ts`) — the cheapest way to read a whole backup;
 * - `list()` and `has()` do one full pass without reading content, then answer from a cache;
 * - `open(name)` rescans from the start until it meets the entry: on average half the archive is
 *   decompressed per call (≈ 0.7 GB/s here, so ~0.5 s per open of a 700 MB backup). Open many
 *   entries through `entries()` instead. When a rescan reaches the end without finding the name, the
 *   listing it made is cached, so later misses are free.
 *
 * Moodle's `.ARCHIVE_INDEX` is never reported and never trusted: real backups edited by hand carry
 * an index that disagrees with their content (`archive_index.consistent: false` in the fixtures'
 * manifest), and Moodle restores them anyway.
 */
import type { Readable } from 'node:stream';
import type { ArchiveEntry, ArchiveEntryInfo, ArchiveReader } from './archive-reader.ts';
import type { EntryStream } from './entry-stream.ts';
import type { ArchiveLimits } from './limits.ts';
import { OpenStreams, closedError, entryNotFound, lookupFile, lookupName } from './reader-support.ts';
import { TarWalk } from './tar-walk.ts';
import { visitTarGz } from './tar-visit.ts';
import type { FileVisitor, TarVisit } from './tar-visit.ts';
import { LinkWarnings } from './link-entry.ts';
import type { BackupWarning } from '../warnings.ts';

/** Makes a tar.gz reader for `path`. Nothing is read until the first call. */
export function openTarGzReader(path: string, limits: ArchiveLimits): ArchiveReader {
  return new TarGzReader(path, limits);
}

/** tar.gz reader; see the file header. */
class TarGzReader implements ArchiveReader {
  readonly kind = 'tar.gz' as const;
  readonly randomAccess = false;
  readonly #path: string;
  readonly #limits: ArchiveLimits;
  readonly #walks = new Set<TarWalk>();
  readonly #visits = new Set<TarVisit>();
  readonly #streams = new OpenStreams();
  readonly #warnings = new LinkWarnings();
  #listing: Promise<Listing> | undefined;
  #closed = false;

  constructor(path: string, limits: ArchiveLimits) {
    this.#path = path;
    this.#limits = limits;
  }

  /** Each iteration is a new sequential pass over the archive (see `tar-walk.ts` for what moving on does to entry streams). */
  entries(): AsyncIterable<ArchiveEntry> {
    return { [Symbol.asyncIterator]: () => this.#walk() };
  }

  async list(): Promise<readonly ArchiveEntryInfo[]> {
    return (await this.#list()).infos;
  }

  async has(name: string): Promise<boolean> {
    const key = lookupName(name);
    const { byName } = await this.#list();
    return key !== undefined && byName.get(key)?.info.type === 'file';
  }

  async open(name: string): Promise<Readable> {
    this.#assertOpen();
    const key = lookupName(name);
    if (this.#listing !== undefined) {
      lookupFile((await this.#listing).byName, name, this.#path);
    }
    if (key === undefined) throw entryNotFound(name, this.#path, 'that is not a valid entry name');
    const walk = this.#walk();
    const seen: ArchiveEntryInfo[] = [];
    try {
      for (;;) {
        const step = await walk.next();
        if (step.done) {
          this.#listing ??= Promise.resolve(makeListing(seen));
          throw entryNotFound(name, this.#path);
        }
        const { open, ...info } = step.value;
        seen.push(info);
        if (info.name !== key) continue;
        if (info.type !== 'file') throw entryNotFound(name, this.#path, 'that is a folder, not a file');
        const stream = this.#streams.add(open() as EntryStream);
        // The pass lives as long as the stream: it stops when the stream ends, fails or is destroyed.
        stream.once('close', () => void walk.return());
        return stream;
      }
    } catch (error) {
      await walk.return();
      throw error;
    }
  }

  async visitFiles(visitor: FileVisitor, signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    const visit = visitTarGz(this.#path, this.#limits, visitor, {
      onWarning: (warning) => this.#warnings.add(warning),
      signal,
    });
    this.#visits.add(visit);
    try {
      await visit.done;
    } finally {
      this.#visits.delete(visit);
    }
  }

  warnings(): readonly BackupWarning[] {
    return this.#warnings.list();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#streams.closeAll(this.kind, this.#path);
    const error = closedError(this.kind, this.#path);
    await Promise.all([
      ...[...this.#walks].map((walk) => walk.abort(error)),
      ...[...this.#visits].map((visit) => {
        visit.stop(error);
        return visit.done.catch(() => undefined);
      }),
    ]);
    this.#walks.clear();
  }

  #list(): Promise<Listing> {
    this.#assertOpen();
    if (this.#listing === undefined) {
      const listing = this.#scan();
      this.#listing = listing;
      listing.catch(() => {
        if (this.#listing === listing) this.#listing = undefined;
      });
    }
    return this.#listing;
  }

  async #scan(): Promise<Listing> {
    const infos: ArchiveEntryInfo[] = [];
    for await (const { open: _open, ...info } of this.#walk()) infos.push(info);
    return makeListing(infos);
  }

  #walk(): TarWalk {
    this.#assertOpen();
    const walk: TarWalk = new TarWalk(this.#path, this.#limits, {
      onEnd: () => this.#walks.delete(walk),
      onWarning: (warning) => this.#warnings.add(warning),
      openSource: (name) => this.open(name),
    });
    this.#walks.add(walk);
    return walk;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError(this.kind, this.#path);
  }
}

// Internal helpers

interface Listing {
  readonly infos: readonly ArchiveEntryInfo[];
  readonly byName: ReadonlyMap<string, { readonly info: ArchiveEntryInfo }>;
}

function makeListing(infos: readonly ArchiveEntryInfo[]): Listing {
  return {
    infos: Object.freeze([...infos]),
    byName: new Map(infos.map((info) => [info.name, { info }])),
  };
}
