/**
 * Blobs, content-addressed by SHA-1. `<prefix>mbz_blobs` lists every committed blob (contenthash, filesize, and
 * where its bytes are); the bytes live in one of two places:
 *
 * - in PostgreSQL (the default), as rows of `<prefix>mbz_blob_chunks` of at most 1 MiB each, keyed by a blob id
 *   from the sequence `<prefix>mbz_blob_chunks_blobid_seq`, so a connection string is all a worker needs, and
 *   neither writing nor reading a blob holds more than a chunk or two in memory. The chunk column is stored
 *   uncompressed (`STORAGE EXTERNAL`): course files are mostly compressed already, and compressing costs the
 *   server CPU on every write;
 * - with the `filedir` option, in a shared folder laid out like Moodle's filedir (`ab/cd/<sha1>`).
 *
 * A unit of work writes a blob's bytes inside its transaction (chunks) or to a temp file in the blob's own
 * folder (`ab/cd/.<sha1>.<random>.tmp`), hashing while it writes; a hash mismatch or a broken stream removes what
 * was written. The `mbz_blobs` row is written only at commit, with `ON CONFLICT DO NOTHING`: two units storing
 * the same blob never wait for each other while they write, and the loser's chunks are deleted in the same
 * transaction. With `filedir`, commit renames the temp files into place just before the transaction commits; if
 * the commit then fails (or the process dies in between), the folder holds a file that no committed row names:
 * harmless, since the store only serves blobs its table lists, and a later unit storing the same content writes
 * the same bytes under the same name. Rollback deletes the unit's temp files; a killed process leaves its temp
 * files (`.*.tmp`), which are garbage and safe to delete when no restore is running.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, InvalidArgumentError, StorageError } from '@mbz-restore/engine';
import type pg from 'pg';
import type { Schema } from './ddl.ts';

/** Bytes per chunk row. */
export const CHUNK_BYTES = 1 << 20;

/** A blob a unit has written but not committed. */
export interface PendingBlob {
  readonly hash: string;
  readonly size: number;
  /** Its chunks' id (in-database blobs). */
  readonly blobid: number | null;
  /** Its temp file (filedir blobs), null once renamed into place. */
  tmp: string | null;
}

/** The SQL of the blob tables. */
export function blobTableSqls(schema: Schema): string[] {
  const blobs = schema.own('mbz_blobs');
  const chunks = schema.own('mbz_blob_chunks');
  const seq = schema.own('mbz_blob_chunks_blobid_seq');
  return [
    `CREATE TABLE IF NOT EXISTS ${blobs} (contenthash VARCHAR(40) NOT NULL PRIMARY KEY, filesize BIGINT NOT NULL, blobid BIGINT, timecreated BIGINT NOT NULL)`,
    `CREATE SEQUENCE IF NOT EXISTS ${seq}`,
    `CREATE TABLE IF NOT EXISTS ${chunks} (blobid BIGINT NOT NULL, chunkno INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (blobid, chunkno))`,
    `ALTER TABLE ${chunks} ALTER COLUMN data SET STORAGE EXTERNAL`,
  ];
}

/** Throws `input.invalid-argument` unless `hash` is 40 lowercase hex characters. */
export function checkHash(hash: string): void {
  if (!/^[0-9a-f]{40}$/.test(hash))
    throw new InvalidArgumentError(`A blob's content hash must be 40 lowercase hex characters, got ${hash}.`);
}

/** Reads a stream to its end, discarding the bytes. */
export async function drain(content: Readable): Promise<void> {
  await pipeline(
    content,
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  );
}

/** Where a store keeps its blob bytes. */
export class BlobPlace {
  readonly #schema: Schema;
  /** The shared folder, or undefined for in-database blobs. */
  readonly filedir: string | undefined;
  readonly #sync: boolean;

  constructor(schema: Schema, filedir: string | undefined, sync: boolean) {
    this.#schema = schema;
    this.filedir = filedir;
    this.#sync = sync;
  }

  /** Where a committed blob lives in the filedir: `ab/cd/<sha1>`. */
  filePath(hash: string): string {
    return join(this.filedir!, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  /** A committed blob's bytes, or undefined when there is no such blob. */
  async open(pool: pg.Pool, hash: string): Promise<Readable | undefined> {
    const { rows } = await pool.query<{ blobid: number | null }>(
      `SELECT blobid FROM ${this.#schema.own('mbz_blobs')} WHERE contenthash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.blobid === null) {
      if (this.filedir === undefined)
        throw new StorageError(
          ErrorCode.StorageIo,
          `Blob ${hash} was stored in a filedir folder: open the store with the same filedir option to read it.`,
        );
      return createReadStream(this.filePath(hash), { highWaterMark: CHUNK_BYTES });
    }
    const chunks = this.#schema.own('mbz_blob_chunks');
    const blobid = row.blobid;
    async function* read(): AsyncGenerator<Buffer> {
      for (let chunkno = 0; ; chunkno++) {
        const r = await pool.query<{ data: Buffer }>(`SELECT data FROM ${chunks} WHERE blobid = $1 AND chunkno = $2`, [
          blobid,
          chunkno,
        ]);
        if (r.rows.length === 0) return;
        yield r.rows[0]!.data;
      }
    }
    return Readable.from(read(), { objectMode: false, highWaterMark: 1 });
  }

  /**
   * Streams `content` into the unit (chunks on `client`, or a temp file), verifying its SHA-1. On a stream
   * error or a mismatch nothing is left and the error is rethrown. Chunks go out while the next one is read: when
   * this resolves the bytes are verified and `written` settles once the last chunk's INSERT has (the caller waits
   * for it before its next statement on `client`).
   */
  async write(
    client: pg.ClientBase,
    hash: string,
    content: Readable,
    nextBlobId: () => Promise<number>,
  ): Promise<{ blob: PendingBlob; written: Promise<unknown> }> {
    if (this.filedir !== undefined) return { blob: await this.#writeFile(hash, content), written: Promise.resolve() };
    const blobid = await nextBlobId();
    const insert = `INSERT INTO ${this.#schema.own('mbz_blob_chunks')} (blobid, chunkno, data) VALUES ($1, $2, $3)`;
    const sha1 = createHash('sha1');
    let size = 0;
    let chunkno = 0;
    let parts: Buffer[] = [];
    let held = 0;
    /** The INSERT on its way (one at a time: the client holds at most one chunk besides the one being read). */
    let inflight: Promise<unknown> = Promise.resolve();
    const put = async (data: Buffer): Promise<void> => {
      await inflight;
      inflight = client.query(insert, [blobid, chunkno++, data]);
      inflight.catch(() => undefined); // awaited later; a failure must not go unhandled meanwhile
    };
    try {
      for await (const piece of content) {
        const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
        sha1.update(buf);
        size += buf.length;
        parts.push(buf);
        held += buf.length;
        while (held >= CHUNK_BYTES) {
          const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
          await put(all.subarray(0, CHUNK_BYTES));
          const rest = all.subarray(CHUNK_BYTES);
          parts = rest.length > 0 ? [rest] : [];
          held = rest.length;
        }
      }
      if (held > 0) await put(parts.length === 1 ? parts[0]! : Buffer.concat(parts, held));
      checkDigest(sha1, hash);
      return { blob: { hash, size, blobid, tmp: null }, written: inflight };
    } catch (error) {
      content.destroy();
      await inflight.catch(() => undefined);
      await client.query(`DELETE FROM ${this.#schema.own('mbz_blob_chunks')} WHERE blobid = $1`, [blobid]).catch(
        () => undefined, // the transaction is broken: rollback drops the chunks anyway
      );
      throw error;
    }
  }

  /** Moves a verified file into the unit (filedir only); undefined when it cannot (in-database blobs, another filesystem). */
  async adopt(hash: string, path: string): Promise<PendingBlob | undefined> {
    if (this.filedir === undefined) return undefined;
    const tmp = await this.#tempPath(hash);
    const size = (await stat(path)).size;
    try {
      await rename(path, tmp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return undefined;
      throw error;
    }
    return { hash, size, blobid: null, tmp };
  }

  /** Before the transaction commits: the unit's temp files reach the disk and their final names. */
  async place(blobs: readonly PendingBlob[]): Promise<void> {
    for (const blob of blobs) {
      if (blob.tmp === null) continue;
      if (this.#sync) {
        const handle = await open(blob.tmp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      await rename(blob.tmp, this.filePath(blob.hash));
      blob.tmp = null;
    }
  }

  /** Removes what a unit that will not commit left (its temp files; its chunks go with its transaction). */
  async discard(blobs: Iterable<PendingBlob>): Promise<void> {
    for (const blob of blobs) if (blob.tmp !== null) await rm(blob.tmp, { force: true });
  }

  async #tempPath(hash: string): Promise<string> {
    const final = this.filePath(hash);
    await mkdir(dirname(final), { recursive: true });
    return join(dirname(final), `.${hash}.${randomUUID()}.tmp`);
  }

  async #writeFile(hash: string, content: Readable): Promise<PendingBlob> {
    const tmp = await this.#tempPath(hash);
    const sha1 = createHash('sha1');
    let size = 0;
    const hashing = new Transform({
      highWaterMark: CHUNK_BYTES,
      transform(chunk: Buffer, _encoding, done) {
        sha1.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(content, hashing, createWriteStream(tmp, { highWaterMark: CHUNK_BYTES }));
      checkDigest(sha1, hash);
      return { hash, size, blobid: null, tmp };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}

function checkDigest(sha1: ReturnType<typeof createHash>, hash: string): void {
  const actual = sha1.digest('hex');
  if (actual !== hash)
    throw new StorageError(ErrorCode.StorageBlobMismatch, `Blob content hashes to ${actual}, expected ${hash}.`);
}
