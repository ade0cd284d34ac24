/**
 * The stream every reader hands out for an entry's content. It wraps the container library's stream
 * (yauzl, tar-stream, `fs`) and never trusts it: bytes are counted as they pass, and the stream fails
 * with an {@link ArchiveError} as soon as an entry gives more bytes than it declared (a lying header),
 * more than `maxEntryBytes`, or — for a ZIP entry — expands past `maxCompressionRatio`. At the end it
 * checks the exact byte count and, when known, the CRC-32. Whatever goes wrong, the consumer sees one
 * `error` event carrying an `ArchiveError` (never a raw library error), and the underlying stream is
 * released.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { ArchiveError, ErrorCode } from '../errors.ts';
import { checkCompressionRatio, checkEntrySize, formatBytes } from './limit-guard.ts';
import type { ArchiveLimits } from './limits.ts';

/** How an {@link EntryStream} checks its source. */
export interface EntryStreamOptions {
  /** Normalised entry name, for messages. */
  readonly name: string;
  /** Exact number of bytes the entry declared. */
  readonly declaredSize: number;
  /** Limits in force. */
  readonly limits: ArchiveLimits;
  /** Compressed size of the entry; when set, the per-entry compression ratio is checked on the bytes that come out. */
  readonly compressedSize?: number;
  /** Expected CRC-32 of the content; when set, checked at the end. */
  readonly crc32?: number;
  /** Turns any error of the source into an `ArchiveError`. */
  readonly mapError: (error: unknown) => ArchiveError;
  /**
   * Lets go of a source that has not ended (the consumer stopped early); may return a promise the
   * stream waits for before it emits `close`. Default is `source.destroy()`, waiting for the source's
   * own `close` (so a file descriptor is closed by the time this stream is).
   */
  readonly release?: (source: Readable) => Promise<void> | undefined;
}

/** A guarded entry stream; see the file header. */
export class EntryStream extends Readable {
  readonly #options: EntryStreamOptions;
  readonly #pendingSource: Readable | Promise<Readable>;
  #source: Readable | undefined;
  #sourceDone = false;
  #bytes = 0;
  #crc = 0;

  constructor(source: Readable | Promise<Readable>, options: EntryStreamOptions) {
    super({ highWaterMark: 1024 * 1024 });
    this.#options = options;
    this.#pendingSource = source;
  }

  /** Normalised name of the entry this stream reads. */
  get entryName(): string {
    return this.#options.name;
  }

  /** Bytes that came out so far. */
  get bytesRead(): number {
    return this.#bytes;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    Promise.resolve(this.#pendingSource).then(
      (source) => {
        this.#attach(source);
        callback();
      },
      (error: unknown) => {
        this.#sourceDone = true;
        callback(this.#options.mapError(error));
      },
    );
  }

  override _read(): void {
    this.#source?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const source = this.#source;
    if (source && !this.#sourceDone) {
      this.#sourceDone = true;
      const released = (this.#options.release ?? destroySource)(source);
      if (released) {
        released.then(
          () => callback(error),
          () => callback(error),
        );
        return;
      }
    }
    callback(error);
  }

  #attach(source: Readable): void {
    this.#source = source;
    // Destroyed while the source was being opened: Node calls _destroy once _construct is done, which releases it.
    if (this.destroyed) {
      source.on('error', noop);
      return;
    }
    source.on('data', (chunk: Buffer) => this.#onData(chunk));
    source.once('end', () => this.#onEnd());
    source.on('error', (error: unknown) => {
      this.#sourceDone = true;
      this.#fail(this.#options.mapError(error));
    });
    source.once('close', () => {
      if (this.#sourceDone) return;
      this.#fail(
        new ArchiveError(
          ErrorCode.ArchiveClosed,
          `entry ${this.#options.name} was cut off: the archive was closed while it was being read`,
          {
            context: { entry: this.#options.name },
          },
        ),
      );
    });
    source.pause();
  }

  #onData(chunk: Buffer): void {
    if (this.destroyed) return;
    this.#bytes += chunk.length;
    const { name, declaredSize, limits, compressedSize } = this.#options;
    try {
      if (this.#bytes > declaredSize) {
        throw tooMuchData(name, declaredSize, this.#bytes);
      }
      checkEntrySize(name, this.#bytes, limits, 'uncompressed');
      if (compressedSize !== undefined)
        checkCompressionRatio(`entry ${name}`, this.#bytes, compressedSize, limits, name);
    } catch (error) {
      this.#fail(error as ArchiveError);
      return;
    }
    if (this.#options.crc32 !== undefined) this.#crc = crc32(chunk, this.#crc);
    if (!this.push(chunk)) this.#source?.pause();
  }

  #onEnd(): void {
    if (this.destroyed) return;
    this.#sourceDone = true;
    const { name, declaredSize } = this.#options;
    if (this.#bytes !== declaredSize) {
      this.#fail(tooLittleData(name, declaredSize, this.#bytes));
      return;
    }
    const expected = this.#options.crc32;
    if (expected !== undefined && this.#crc >>> 0 !== expected >>> 0) {
      this.#fail(
        new ArchiveError(
          ErrorCode.ArchiveCorrupt,
          `entry ${name} fails its CRC-32 check (expected ${hex(expected)}, computed ${hex(this.#crc)}); the archive is corrupt`,
          { context: { entry: name } },
        ),
      );
      return;
    }
    this.push(null);
  }

  #fail(error: ArchiveError): void {
    if (this.destroyed) return;
    this.destroy(error);
  }
}

/** `archive.corrupt`: entry `name` gave more than the `declared` bytes of its header (`bytes` so far). */
export function tooMuchData(name: string, declared: number, bytes: number): ArchiveError {
  return new ArchiveError(
    ErrorCode.ArchiveCorrupt,
    `entry ${name} gives more data than the ${formatBytes(declared)} its header declares ` +
      `(${formatBytes(bytes)} so far); the archive is corrupt or crafted to hide the entry's real size`,
    { context: { entry: name } },
  );
}

/** `archive.corrupt`: entry `name` ended after `bytes`, short of the `declared` bytes of its header. */
export function tooLittleData(name: string, declared: number, bytes: number): ArchiveError {
  return new ArchiveError(
    ErrorCode.ArchiveCorrupt,
    `entry ${name} ends after ${formatBytes(bytes)} but its header declares ${formatBytes(declared)}; the archive is corrupt`,
    { context: { entry: name } },
  );
}

// Internal helpers

function destroySource(source: Readable): Promise<void> | undefined {
  if (source.closed) return undefined;
  const closed = new Promise<void>((resolve) => source.once('close', () => resolve()));
  source.on('error', noop);
  source.destroy();
  return closed;
}

function noop(): void {}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
