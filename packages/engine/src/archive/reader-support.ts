/**
 * Small pieces the three readers share: the `archive.closed` and `archive.entry-not-found` errors,
 * the lookup of a caller-supplied name (normalised the same way as entry names, so `./users.xml`
 * finds `users.xml` and `../x` finds nothing), and the bookkeeping that lets `close()` end every
 * stream a reader handed out.
 */
import { Readable } from 'node:stream';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveEntryInfo, ArchiveKind } from './archive-reader.ts';
import { checkEntryName } from './entry-name.ts';
import type { EntryStream } from './entry-stream.ts';

/** `archive.closed`: the reader was used after `close()`. */
export function closedError(kind: ArchiveKind, path: string): ArchiveError {
  return new ArchiveError(
    ErrorCode.ArchiveClosed,
    `the ${kind} reader of ${path} is closed; open the archive again to read it`,
  );
}

/**
 * Finds the file entry a caller asks for in `byName`, or throws `archive.entry-not-found` saying why
 * (no such entry, a folder, or a name no entry can have).
 */
export function lookupFile<T extends { readonly info: ArchiveEntryInfo }>(
  byName: ReadonlyMap<string, T>,
  name: string,
  path: string,
): T {
  const key = lookupName(name);
  const found = key === undefined ? undefined : byName.get(key);
  if (found === undefined)
    throw entryNotFound(name, path, key === undefined ? 'that is not a valid entry name' : undefined);
  if (found.info.type !== 'file') throw entryNotFound(name, path, 'that is a folder, not a file');
  return found;
}

/** `archive.entry-not-found` for `name`, with an optional reason. */
export function entryNotFound(name: string, path: string, reason?: string): ArchiveError {
  const why = reason === undefined ? '' : ` (${reason})`;
  return new ArchiveError(ErrorCode.ArchiveEntryNotFound, `${path} has no file entry ${JSON.stringify(name)}${why}`, {
    context: { entry: name },
  });
}

/** Normalises a caller-supplied name like an entry name; `undefined` when no entry can have it. */
export function lookupName(name: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  const checked = checkEntryName(name);
  return 'name' in checked ? checked.name : undefined;
}

/** The content of a directory entry: a byte stream that ends at once. */
export function emptyStream(): Readable {
  return new Readable({
    read() {
      this.push(null);
    },
  });
}

/** The streams a reader handed out and has not seen close, so `close()` can end them. */
export class OpenStreams {
  readonly #streams = new Set<EntryStream>();

  /** Tracks `stream` until it closes; returns it. */
  add(stream: EntryStream): EntryStream {
    this.#streams.add(stream);
    stream.once('close', () => this.#streams.delete(stream));
    return stream;
  }

  /**
   * Ends every tracked stream and waits for them to close. A stream someone listens to for errors
   * gets an `archive.closed` error; one nobody listens to is destroyed quietly, so an abandoned
   * stream cannot crash the process with an unhandled `error` event.
   */
  async closeAll(kind: ArchiveKind, path: string): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const stream of this.#streams) {
      if (stream.destroyed && stream.closed) continue;
      waits.push(new Promise((resolve) => stream.once('close', () => resolve())));
      if (stream.listenerCount('error') > 0) {
        const entry = stream.entryName;
        stream.destroy(
          new ArchiveError(
            ErrorCode.ArchiveClosed,
            `the ${kind} reader of ${path} was closed while entry ${entry} was being read`,
            { context: { entry } },
          ),
        );
      } else {
        stream.destroy();
      }
    }
    await Promise.all(waits);
    this.#streams.clear();
  }
}
