/**
 * The byte plumbing under a tar.gz pass: `fs` (1 MiB reads) → gunzip (1 MiB output chunks) →
 * tar-stream. These are the settings `../shared/docs/perf-limits.md` §a measured 2.7× faster than
 * the defaults (≈ 690 MB/s out of gunzip here). While bytes flow it enforces what only the raw
 * stream shows: the whole-archive compression ratio (gunzip output against the compressed input it
 * has consumed, after `compressionRatioGraceBytes`), a cap on the tar stream's size (what the entries
 * declare plus header overhead — so junk padding cannot run forever), and at the end the tar
 * end-of-archive marker (a tar cut exactly between two entries still inflates cleanly).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ArchiveError, ErrorCode } from '../errors.ts';
import { fileSystemError } from './detect-format.ts';
import { checkCompressionRatio, formatBytes } from './limit-guard.ts';
import type { LimitGuard } from './limit-guard.ts';
import { mapTarError } from './tar-entry.ts';
import type { TarHeader } from './tar-entry.ts';

/** What a {@link TarGzPipeline} reports. Each callback runs synchronously from a stream event. */
export interface TarGzPipelineEvents {
  /** A header was parsed; `next` lets tar-stream go on once `stream`'s data has been consumed. */
  onEntry(header: TarHeader, stream: Readable, next: (error?: Error | null) => void): void;
  /** The archive ended properly (end-of-archive marker present). */
  onFinish(): void;
  /** The pass failed; called at most once, after which the pipeline is destroyed. */
  onError(error: ArchiveError): void;
}

/** Reads one tar.gz from disk through gunzip into tar-stream; see the file header. */
export class TarGzPipeline {
  /** Resolves once the file descriptor is closed (after the end, an error or {@link destroy}). */
  readonly closed: Promise<void>;
  readonly #path: string;
  readonly #guard: LimitGuard;
  readonly #events: TarGzPipelineEvents;
  readonly #file;
  readonly #gunzip;
  readonly #extract;
  #tarBytes = 0;
  #tail: Buffer = Buffer.alloc(0);
  #failed = false;

  /** Starts reading `path`. `guard` is the pass's limit guard: its counts bound the tar stream's size. */
  constructor(path: string, guard: LimitGuard, events: TarGzPipelineEvents) {
    this.#path = path;
    this.#guard = guard;
    this.#events = events;
    this.#file = createReadStream(path, { highWaterMark: MiB });
    this.#gunzip = createGunzip({ chunkSize: MiB });
    this.#extract = tar.extract();
    const file = this.#file;
    this.closed = new Promise((resolve) => file.once('close', () => resolve()));
    this.#file.on('error', (error) => this.#fail(fileSystemError(path, error)));
    this.#gunzip.on('error', (error) => this.#fail(error));
    this.#extract.on('error', (error: unknown) => this.#fail(error));
    this.#extract.on('entry', (header, source, next) => {
      // tar-stream's entry streams are streamx streams; the subset used here behaves like Node's.
      const stream = source as unknown as Readable;
      stream.on('error', noop);
      events.onEntry(header, stream, next);
    });
    this.#extract.on('finish', () => this.#onFinish());
    this.#file.pipe(this.#gunzip).pipe(this.#extract);
    this.#gunzip.on('data', (chunk: Buffer) => this.#onTarBytes(chunk));
  }

  /** Stops reading and releases everything; `error` is passed to the entry stream being read, if any. */
  destroy(error?: ArchiveError): void {
    this.#failed = true;
    this.#file.unpipe(this.#gunzip);
    this.#gunzip.unpipe(this.#extract);
    this.#extract.destroy(error);
    this.#gunzip.destroy();
    this.#file.destroy();
  }

  #onTarBytes(chunk: Buffer): void {
    this.#tarBytes += chunk.length;
    this.#tail =
      chunk.length >= BLOCK
        ? chunk.subarray(chunk.length - BLOCK)
        : Buffer.concat([this.#tail, chunk]).subarray(-BLOCK);
    const { limits } = this.#guard;
    try {
      checkCompressionRatio(`the archive ${this.#path}`, this.#tarBytes, this.#gunzip.bytesWritten, limits);
      const allowed = limits.maxTotalBytes + TAR_OVERHEAD_PER_ENTRY * (this.#guard.entries + 1) + TAR_SLACK;
      if (this.#tarBytes > allowed) {
        throw new ArchiveError(
          ErrorCode.ArchiveTooLarge,
          `the tar data in ${this.#path} passes ${formatBytes(this.#tarBytes)} while its entries declare only ` +
            `${formatBytes(this.#guard.totalBytes)}, over the limit maxTotalBytes = ${formatBytes(limits.maxTotalBytes)} ` +
            'plus header overhead; the archive is padded with junk or crafted to waste time',
        );
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #onFinish(): void {
    if (this.#failed) return;
    const endMarker = this.#tail.length === BLOCK && this.#tail.every((byte) => byte === 0);
    if (endMarker) {
      this.#events.onFinish();
      return;
    }
    this.#fail(
      new ArchiveError(
        ErrorCode.ArchiveTruncated,
        this.#tarBytes === 0
          ? `${this.#path} is a gzip file with no tar data in it`
          : `${this.#path} is truncated: its tar data stops without the end-of-archive marker (zero blocks) after ${formatBytes(this.#tarBytes)}`,
      ),
    );
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    const mapped = mapTarError(error, this.#path);
    this.destroy(mapped);
    this.#events.onError(mapped);
  }
}

// Internal helpers

const MiB = 1024 * 1024;
const BLOCK = 512;
/** Tar bytes allowed per entry beyond its content: header, pax or GNU long-name records, padding. */
const TAR_OVERHEAD_PER_ENTRY = 4096;
/** Tar bytes allowed beyond all entries: end-of-archive blocks and record padding. */
const TAR_SLACK = 64 * MiB;

function noop(): void {}
