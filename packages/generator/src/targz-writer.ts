/**
 * gzip'd ustar writer shaped like Moodle's `tgz_packer` output: entries are ustar headers with
 * mode 0644 (files) / 0755 (directories), uid/gid 0, no user names; directory names end in `/`
 * and carry mtime 1356998400 like Moodle's; files carry the backup time.
 *
 * Built on tar-stream's `pack()` (streaming, one entry at a time, each entry's size declared in
 * its header) piped through zlib gzip at the zlib default level 6 (PHP's `gzopen(..., 'wb')`
 * default, which Moodle uses) into the output file. The gzip header from Node's zlib has mtime 0,
 * so the archive bytes depend only on the entries — the basis of the determinism guarantee.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import {
  DEFAULT_TAR_MTIME,
  toBytes,
  type ArchiveWriter,
  type ArchiveWriterOptions,
  type EntrySink,
} from './archive-writer.ts';

/** gzip level used for tar.gz output (zlib's default, as Moodle). */
export const GZIP_LEVEL = 6;

/** Opens a tar.gz writer on `options.path`. */
export function createTarGzWriter(options: ArchiveWriterOptions): ArchiveWriter {
  // A deep buffer lets XML rendering run ahead while zlib compresses on the thread pool.
  const pack = tar.pack({ highWaterMark: 4 * 1024 * 1024 });
  const gzip = createGzip({ level: GZIP_LEVEL, chunkSize: 256 * 1024 });
  const file = createWriteStream(options.path);
  const counter = progressCounter(options.onProgress);
  const fileMtime = new Date(options.mtime * 1000);
  const dirMtime = new Date(DEFAULT_TAR_MTIME * 1000);
  let failure: unknown;
  const done = pipeline(pack, gzip, counter, file).catch((err: unknown) => {
    failure ??= err;
    throw err;
  });
  // Surface a pipeline failure while an entry is waiting for 'drain'.
  const failed = done.then(
    () => new Promise<never>(() => undefined),
    (err: unknown) => Promise.reject(err),
  );
  failed.catch(() => undefined);

  async function addEntry(
    header: Partial<tar.Header> & { name: string },
    fill?: (sink: EntrySink) => Promise<void>,
  ): Promise<void> {
    if (failure !== undefined) throw failure;
    let entry!: ReturnType<typeof pack.entry>;
    // tar-stream calls back once the entry is complete (or reports a size mismatch).
    const finished = new Promise<void>((resolve, reject) => {
      entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
    if (fill !== undefined) {
      await fill({
        write(chunk) {
          if (entry.write(toBytes(chunk))) return undefined;
          return Promise.race([once(entry as unknown as NodeJS.EventEmitter, 'drain').then(() => undefined), failed]);
        },
      });
    }
    // streamx types `end()` with a required argument; `undefined` means "no final chunk".
    entry.end(undefined);
    await Promise.race([finished, failed]);
  }

  return {
    container: 'tar.gz',
    addDirectory: (path) => addEntry({ name: path, type: 'directory', mode: 0o755, mtime: dirMtime, uid: 0, gid: 0 }),
    addFile: (path, size, fill) => {
      if (size === undefined) return Promise.reject(new Error(`tar entry ${path} needs its size up front`));
      return addEntry(
        {
          name: path,
          type: 'file',
          size,
          mode: 0o644,
          mtime: path === '.ARCHIVE_INDEX' ? dirMtime : fileMtime,
          uid: 0,
          gid: 0,
        },
        fill,
      );
    },
    async finish() {
      pack.finalize();
      await done;
    },
    async abort(reason) {
      failure ??= reason;
      pack.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      await done.catch(() => undefined);
    },
  };
}

// Internal helpers

function progressCounter(onProgress: ((bytes: number) => void) | undefined): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      onProgress?.(bytes);
      callback(null, chunk);
    },
  });
}
