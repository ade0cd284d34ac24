/**
 * One sequential pass over a tar.gz, as an async iterator of {@link ArchiveEntry}s: the bytes come
 * from a {@link TarGzPipeline} (which also checks the whole-archive limits), every header is judged
 * by `tar-entry.ts`, and each entry's content is handed out as an {@link EntryStream}.
 *
 * tar-stream stalls until each entry's content is consumed, so when the consumer moves on (calls
 * `next()`), the current entry is finished for it: an entry never opened, or opened but with nobody
 * reading the stream, is drained and discarded; a stream that is being read (it has a `data` or
 * `readable` listener, e.g. from `pipe`/`pipeline`) is waited for. Leaving early (`break`, `throw`,
 * `return()`) waits the same way for a stream being read, then tears the pass down: every stream is
 * destroyed and the file descriptor closed before `return()` resolves. The pass fails at most once,
 * with an {@link ArchiveError}; the entry stream being read at that moment gets the same error.
 */
import type { Readable } from 'node:stream';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveEntry, ArchiveEntryInfo } from './archive-reader.ts';
import { EntryStream } from './entry-stream.ts';
import { LimitGuard } from './limit-guard.ts';
import type { ArchiveLimits } from './limits.ts';
import { emptyStream } from './reader-support.ts';
import { checkTarHeader, mapTarError } from './tar-entry.ts';
import { TarGzPipeline } from './targz-pipeline.ts';
import type { TarHeader, TarPassState } from './tar-entry.ts';
import type { BackupWarning } from '../warnings.ts';

/** What a {@link TarWalk} tells its reader, and asks of it. */
export interface TarWalkHooks {
  /** Called once when the pass is over, however it ends. */
  readonly onEnd?: () => void;
  /** Called for each link entry the pass skips or reads as an earlier file (see `link-entry.ts`). */
  readonly onWarning?: (warning: BackupWarning) => void;
  /** Opens the content of an earlier file entry (from a pass of its own), for a hard link read as that file. */
  readonly openSource: (name: string) => Promise<Readable>;
}

/** One sequential pass over a tar.gz; see the file header. */
export class TarWalk implements AsyncIterableIterator<ArchiveEntry> {
  readonly #path: string;
  readonly #limits: ArchiveLimits;
  readonly #guard: LimitGuard;
  readonly #state: TarPassState = { seen: new Set(), files: new Map() };
  #pipeline: TarGzPipeline | undefined;
  #pending: PendingEntry | undefined;
  #current: CurrentEntry | undefined;
  #wake: (() => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #finished = false;
  #done = false;
  #error: ArchiveError | undefined;

  readonly #hooks: TarWalkHooks;

  constructor(path: string, limits: ArchiveLimits, hooks: TarWalkHooks) {
    this.#path = path;
    this.#limits = limits;
    this.#guard = new LimitGuard(limits);
    this.#hooks = hooks;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Finishes the current entry for the consumer and moves to the next reported entry. */
  next(): Promise<IteratorResult<ArchiveEntry, undefined>> {
    return this.#serialise(() => this.#next());
  }

  /** Ends the pass early: waits for a stream being read, then destroys everything and closes the file. */
  return(): Promise<IteratorResult<ArchiveEntry, undefined>> {
    return this.#serialise(async () => {
      const opened = this.#current?.opened;
      if (opened && isBeingRead(opened)) await closed(opened);
      await this.#teardown();
      return DONE;
    });
  }

  /** Like {@link return}, then rejects with `error`. */
  async throw(error?: unknown): Promise<IteratorResult<ArchiveEntry, undefined>> {
    await this.return();
    throw error;
  }

  /** Stops the pass now (the reader was closed): pending and later `next()` calls fail with `error`. */
  async abort(error: ArchiveError): Promise<void> {
    this.#fail(error);
    await this.#teardown();
  }

  async #next(): Promise<IteratorResult<ArchiveEntry, undefined>> {
    if (this.#done) {
      if (this.#error?.code === ErrorCode.ArchiveClosed) throw this.#error;
      return DONE;
    }
    try {
      this.#start();
      await this.#settleCurrent();
      for (;;) {
        const pending = await this.#nextEvent();
        if (pending === undefined) {
          await this.#teardown();
          return DONE;
        }
        const verdict = checkTarHeader(pending.header, this.#guard, this.#state);
        if (verdict.warning) this.#hooks.onWarning?.(verdict.warning);
        const info = verdict.kind === 'entry' ? verdict.info : undefined;
        const source = verdict.kind === 'entry' ? verdict.source : undefined;
        const current: CurrentEntry = { ...pending, info, source, opened: undefined };
        this.#current = current;
        if (info === undefined) {
          await this.#settleCurrent();
          continue;
        }
        return { done: false, value: { ...info, open: () => this.#open(current) } };
      }
    } catch (error) {
      this.#fail(error);
      await this.#teardown();
      throw this.#error;
    }
  }

  #open(current: CurrentEntry): Readable {
    const { info } = current;
    if (info === undefined) throw new Error('unreachable: skipped entries are never reported');
    if (current !== this.#current || this.#done || current.opened !== undefined) {
      const why =
        current.opened !== undefined ? 'was already opened in this walk' : 'was passed: the walk has moved on';
      throw new ArchiveError(
        ErrorCode.ArchiveClosed,
        `entry ${info.name} of ${this.#path} ${why}; a tar.gz is read in one pass, so open each entry once while the walk is on it, or use reader.open(name)`,
        { context: { entry: info.name } },
      );
    }
    if (info.type === 'directory') return emptyStream();
    if (current.source !== undefined) {
      // A hard link read as an earlier file: that file's content, from a pass of its own (its own data, if any, is drained on settle).
      current.opened = new EntryStream(this.#hooks.openSource(current.source), {
        name: info.name,
        declaredSize: info.size,
        limits: this.#limits,
        mapError: (error) => mapTarError(error, this.#path, info.name),
      });
      return current.opened;
    }
    current.opened = new EntryStream(current.stream, {
      name: info.name,
      declaredSize: info.size,
      limits: this.#limits,
      mapError: (error) => mapTarError(error, this.#path, info.name),
      release: (source) => {
        source.resume(); // drain: the walk goes on past this entry
        return undefined;
      },
    });
    return current.opened;
  }

  #start(): void {
    this.#pipeline ??= new TarGzPipeline(this.#path, this.#guard, {
      onEntry: (header, stream, next) => {
        this.#pending = { header, stream, next };
        this.#wake?.();
      },
      onFinish: () => {
        this.#finished = true;
        this.#wake?.();
      },
      onError: (error) => this.#fail(error),
    });
  }

  /** Waits for the next header (or `undefined` at the end of the archive); rejects with the pass's error. */
  #nextEvent(): Promise<PendingEntry | undefined> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.#error !== undefined) reject(this.#error);
        else if (this.#pending !== undefined) {
          const pending = this.#pending;
          this.#pending = undefined;
          resolve(pending);
        } else if (this.#finished) resolve(undefined);
        else return false;
        this.#wake = undefined;
        return true;
      };
      if (!check()) this.#wake = () => void check();
    });
  }

  /** Finishes the current entry for the consumer (see the file header) and lets tar-stream go on. */
  async #settleCurrent(): Promise<void> {
    const current = this.#current;
    if (current === undefined) return;
    this.#current = undefined;
    const opened = current.opened;
    if (opened && !opened.destroyed) {
      if (isBeingRead(opened)) await closed(opened);
      else opened.destroy();
    }
    if (this.#error !== undefined) throw this.#error;
    // Unread data is discarded as tar-stream delivers it; tar-stream parses the next header only once
    // this entry's data has gone through, so there is no need to wait for the end here.
    current.stream.resume();
    current.next();
  }

  #fail(error: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = mapTarError(error, this.#path);
    const opened = this.#current?.opened;
    if (opened && !opened.destroyed && opened.listenerCount('error') === 0) opened.destroy();
    this.#pipeline?.destroy(this.#error);
    this.#wake?.();
  }

  async #teardown(): Promise<void> {
    if (!this.#done) this.#hooks.onEnd?.();
    this.#done = true;
    const current = this.#current;
    const opened = current?.opened;
    if (current && opened && !opened.destroyed) {
      if (opened.listenerCount('error') > 0) {
        const name = current.info?.name ?? '';
        opened.destroy(
          new ArchiveError(
            ErrorCode.ArchiveClosed,
            `the walk over ${this.#path} ended while entry ${name} was being read`,
            { context: { entry: name } },
          ),
        );
      } else opened.destroy();
    }
    this.#current = undefined;
    this.#pending = undefined;
    this.#pipeline?.destroy();
    await this.#pipeline?.closed;
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(noop);
    return run;
  }
}

// Internal helpers

const DONE: IteratorResult<ArchiveEntry, undefined> = Object.freeze({ done: true, value: undefined });

interface PendingEntry {
  readonly header: TarHeader;
  readonly stream: Readable;
  readonly next: (error?: Error | null) => void;
}

interface CurrentEntry extends PendingEntry {
  readonly info: ArchiveEntryInfo | undefined;
  /** For a hard link read as an earlier file: that file's name. */
  readonly source: string | undefined;
  opened: EntryStream | undefined;
}

/** True when someone reads `stream`: a `data` or `readable` listener (pipe, pipeline, async iteration) or flowing mode. */
function isBeingRead(stream: Readable): boolean {
  return stream.listenerCount('data') > 0 || stream.listenerCount('readable') > 0 || stream.readableFlowing === true;
}

function closed(stream: Readable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

function noop(): void {}
