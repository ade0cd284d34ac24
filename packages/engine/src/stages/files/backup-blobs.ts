/**
 * File content for the store. With `include_files` on, a file's content is `files/<hh>/<contenthash>` of the backup
 * (`backup_file_manager::get_backup_content_file_location()`): it is streamed into the store through a SHA-1 check,
 * once per hash per restore, and not at all when the store already has that hash. Content that does not hash to its
 * name is never stored: the check destroys the stream with `backup.blob-mismatch`, the store keeps nothing of it and
 * the restore fails (a damaged backup must not put wrong bytes behind a hash). A file absent from `files/` is not an
 * error: Moodle warns `file_missing_in_backup` and restores the rest. With `include_files` off the content must already
 * be in the store (Moodle copies it from an existing file with the same hash), else the same warning.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stat } from 'node:fs/promises';
import { ErrorCode, MbzError } from '../../errors.ts';
import type { RestoreContext } from '../../pipeline/context.ts';

/** Where the content of one hash stands. */
export type BlobStatus = { readonly present: true; readonly size: number | undefined } | { readonly present: false };

/** Puts backup content into the store, each hash once. */
export class BackupBlobs {
  readonly #ctx: RestoreContext;
  readonly #known = new Map<string, BlobStatus>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Makes sure the store holds the content of `contenthash`. `present: false` when the content is neither in the backup
   * nor (without included files) in the store; `size` is the byte count when the content was copied from the backup.
   */
  async ensure(contenthash: string): Promise<BlobStatus> {
    const known = this.#known.get(contenthash);
    if (known) return known;
    const status = await this.#ensure(contenthash);
    this.#known.set(contenthash, status);
    return status;
  }

  async #ensure(contenthash: string): Promise<BlobStatus> {
    const ctx = this.#ctx;
    if (!ctx.manifest.includeFiles)
      return (await ctx.tx.hasBlob(contenthash)) ? { present: true, size: undefined } : { present: false };
    const entry = blobEntry(contenthash);
    if (!ctx.source.has(entry)) return { present: false };
    if (await ctx.tx.hasBlob(contenthash)) return { present: true, size: undefined };
    const size = await copyVerified(ctx, entry, contenthash);
    return { present: true, size };
  }
}

/** `files/<hh>/<contenthash>`. */
export function blobEntry(contenthash: string): string {
  return `files/${contenthash.slice(0, 2)}/${contenthash}`;
}

/** Passes bytes through while hashing them; at the end, fails the stream unless they hash to `expected`. */
export class Sha1Check extends Transform {
  readonly #hash: Hash = createHash('sha1');
  readonly #expected: string;
  readonly #entry: string;
  /** Bytes seen so far. */
  bytes = 0;

  constructor(expected: string, entry: string) {
    super();
    this.#expected = expected;
    this.#entry = entry;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.#hash.digest('hex');
    if (actual === this.#expected) {
      callback();
      return;
    }
    callback(
      new MbzError(
        ErrorCode.BackupBlobMismatch,
        `${this.#entry} in the backup is damaged: its ${this.bytes} bytes hash to ${actual}, not to the ${this.#expected} it is stored under. Nothing was restored; make the backup again or restore it without this file.`,
        { context: { entry: this.#entry, stage: 'files' } },
      ),
    );
  }
}

// Internal helpers

async function copyVerified(ctx: RestoreContext, entry: string, contenthash: string): Promise<number> {
  const adoptable = ctx.source.adoptable(entry);
  if (adoptable !== undefined && ctx.tx.adoptBlob) {
    const size = (await stat(adoptable)).size;
    if (await ctx.tx.adoptBlob(contenthash, adoptable)) {
      ctx.source.taken(entry);
      return size;
    }
  }
  const input = await ctx.source.open(entry);
  const check = new Sha1Check(contenthash, entry);
  // Small content can flow through (and fail the check) before the adapter starts reading: keep the error for it.
  let failure: unknown;
  check.on('error', (error) => {
    failure ??= error;
  });
  input.on('error', (error) => check.destroy(error));
  input.pipe(check);
  try {
    await ctx.tx.putBlob(contenthash, check);
    // An adapter must read the content to its end (the check runs there); make sure it did.
    if (failure === undefined && !check.readableEnded) {
      check.resume();
      await finished(check);
    }
  } catch (error) {
    input.destroy();
    check.destroy();
    throw failure ?? error;
  }
  if (failure !== undefined) throw failure;
  return check.bytes;
}
