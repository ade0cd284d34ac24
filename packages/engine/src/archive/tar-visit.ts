/**
 * One pass over a tar.gz that hands every file's bytes to a visitor as they come out of tar-stream: the
 * fast path for reading a whole backup once (a restore's unpack). {@link TarWalk} gives each entry an async
 * iterator step and a guarded {@link EntryStream}; a backup holds thousands of small entries, and those
 * per-entry objects and promises cost more than the bytes (gen_s_nousers, 1,190 entries: the unpack's cold
 * run was about three times its inflate and tar parsing).
 *
 * The checks are the walk's, in the same order: every header through {@link checkTarHeader} (names,
 * duplicates, links, entry count, declared sizes, total size), the pipeline's whole-archive checks
 * (compression ratio, junk past the declared entries, end-of-archive marker), and per entry the bytes that
 * come out against the size the header declared and `maxEntryBytes`. A visitor never sees a byte past a
 * limit. Errors of the archive become {@link ArchiveError}s; an error of the visitor (a full disk, say) is
 * passed on as it is.
 */
import type { Readable } from 'node:stream';
import { ArchiveError } from '../errors.ts';
import type { BackupWarning } from '../warnings.ts';
import type { ArchiveEntryInfo } from './archive-reader.ts';
import { tooLittleData, tooMuchData } from './entry-stream.ts';
import { checkEntrySize, LimitGuard } from './limit-guard.ts';
import type { ArchiveLimits } from './limits.ts';
import { checkTarHeader, mapTarError } from './tar-entry.ts';
import type { TarPassState } from './tar-entry.ts';
import { TarGzPipeline } from './targz-pipeline.ts';

/** What receives the files of a pass, in archive order; see {@link ArchiveReader.visitFiles}. */
export interface FileVisitor {
  /** A file entry starts: returns what receives its content. */
  file(info: ArchiveEntryInfo): FileContent;
  /** A hard link read as the earlier file `source` (see `link-entry.ts`): its content is that file's. */
  link(info: ArchiveEntryInfo, source: string): Promise<void> | undefined;
}

/** The content of one file entry, chunk by chunk. */
export interface FileContent {
  /** The next chunk (within the declared size and the limits). A promise pauses the pass until it settles. */
  data(chunk: Buffer): Promise<void> | undefined;
  /** The whole content came, exactly the declared size. A promise pauses the pass until it settles. */
  end(): Promise<void> | undefined;
  /** The pass failed while this entry was open: release what it holds. */
  abort(): void;
}

/** What one visit needs besides the visitor. */
export interface VisitOptions {
  readonly onWarning: (warning: BackupWarning) => void;
  readonly signal?: AbortSignal;
}

/** A running visit, so that the reader's `close()` can stop it. */
export interface TarVisit {
  readonly done: Promise<void>;
  stop(error: ArchiveError): void;
}

/** Reads `path` once, handing every file to `visitor`; see the file header. */
export function visitTarGz(path: string, limits: ArchiveLimits, visitor: FileVisitor, options: VisitOptions): TarVisit {
  const guard = new LimitGuard(limits);
  const state: TarPassState = { seen: new Set(), files: new Map() };
  let open: FileContent | undefined;
  let failure: unknown;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const result = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });

  const fail = (error: unknown, fromArchive: boolean): void => {
    if (failure !== undefined) return;
    failure = fromArchive ? mapTarError(error, path) : error;
    open?.abort();
    open = undefined;
    options.signal?.removeEventListener('abort', onAbort);
    pipeline.destroy(failure instanceof ArchiveError ? failure : undefined);
    void pipeline.closed.then(() => settle.reject(failure));
  };
  const onAbort = (): void => fail(options.signal?.reason, false);

  const pipeline = new TarGzPipeline(path, guard, {
    onEntry: (header, stream, next) => {
      if (failure !== undefined) return;
      let verdict: ReturnType<typeof checkTarHeader>;
      try {
        verdict = checkTarHeader(header, guard, state);
      } catch (error) {
        fail(error, true);
        return;
      }
      if (verdict.warning) options.onWarning(verdict.warning);
      // Anything not read as content (folders, skipped entries, a link's own data) is drained; tar-stream
      // parses the next header once those bytes have gone through.
      if (verdict.kind === 'skip' || verdict.info.type === 'directory') {
        stream.resume();
        next();
        return;
      }
      const { info } = verdict;
      if (verdict.source !== undefined) {
        stream.resume();
        after(visitor.link(info, verdict.source), next, fail);
        return;
      }
      readFile(stream, info, limits, visitor.file(info), next, fail, (content) => {
        open = content;
      });
    },
    onFinish: () => {
      if (failure !== undefined) return;
      options.signal?.removeEventListener('abort', onAbort);
      void pipeline.closed.then(() => settle.resolve());
    },
    onError: (error) => fail(error, true),
  });
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    done: result,
    stop: (error) => fail(error, true),
  };
}

// Internal helpers

/**
 * Feeds one entry's stream to `content`, checking every chunk, then lets the pass go on (`next`). Chunks
 * reach `content` one at a time, in order: while one is pending the stream is paused, and a chunk or the end
 * that still arrives waits its turn.
 */
function readFile(
  stream: Readable,
  info: ArchiveEntryInfo,
  limits: ArchiveLimits,
  content: FileContent,
  next: () => void,
  fail: (error: unknown, fromArchive: boolean) => void,
  setOpen: (content: FileContent | undefined) => void,
): void {
  const { name, size: declared } = info;
  let bytes = 0;
  let stopped = false;
  let pending: Promise<void> | undefined;
  setOpen(content);
  const stop = (error: unknown, fromArchive: boolean): void => {
    if (stopped) return;
    stopped = true;
    stream.destroy();
    fail(error, fromArchive);
  };
  /** Runs `step` after the pending one, if any; pauses the stream while a step is pending. */
  const inTurn = (step: () => Promise<void> | undefined): void => {
    const run = pending === undefined ? step() : pending.then(step);
    if (run === undefined) return;
    const current = run.then(
      () => {
        if (pending !== current || stopped) return;
        pending = undefined;
        stream.resume();
      },
      (error: unknown) => stop(error, false),
    );
    pending = current;
    stream.pause();
  };
  stream.on('data', (chunk: Buffer) => {
    if (stopped) return;
    bytes += chunk.length;
    try {
      if (bytes > declared) throw tooMuchData(name, declared, bytes);
      checkEntrySize(name, bytes, limits, 'uncompressed');
    } catch (error) {
      stop(error, true);
      return;
    }
    inTurn(() => (stopped ? undefined : content.data(chunk)));
  });
  stream.once('end', () => {
    if (stopped) return;
    if (bytes !== declared) {
      stop(tooLittleData(name, declared, bytes), true);
      return;
    }
    inTurn(() => {
      if (stopped) return undefined;
      stopped = true;
      setOpen(undefined);
      after(content.end(), next, fail);
      return undefined;
    });
  });
}

/** Calls `next` once `pending` (if any) settles, or fails the pass with its error. */
function after(
  pending: Promise<void> | undefined,
  next: () => void,
  fail: (error: unknown, fromArchive: boolean) => void,
): void {
  if (pending === undefined) next();
  else pending.then(next, (error: unknown) => fail(error, false));
}
