/**
 * ZIP writer shaped like Moodle's `zip_packer` output (the container older Moodle releases wrote by
 * default and newer ones write with `$CFG->usezipbackups`): directory entries of their own, deflated
 * files, no `.ARCHIVE_INDEX`.
 *
 * Built on yazl, which streams: each entry is a PassThrough the generator writes into while yazl
 * deflates the previous bytes into the output, so sizes need not be known in advance and nothing
 * is buffered whole. Timestamps are DOS-only (`forceDosTimestamp`) and built from the UTC fields of
 * the backup time, because yazl reads a Date's *local* fields: this keeps the bytes independent
 * of the machine's time zone.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { toBytes, type ArchiveWriter, type ArchiveWriterOptions, type EntrySink } from './archive-writer.ts';

/** Deflate level used for ZIP output (zlib's default). */
export const ZIP_LEVEL = 6;

/** Opens a ZIP writer on `options.path`. */
export function createZipWriter(options: ArchiveWriterOptions): ArchiveWriter {
  const zip = new yazl.ZipFile();
  const file = createWriteStream(options.path);
  const mtime = utcFieldsAsLocalDate(options.mtime);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      options.onProgress?.(bytes);
      callback(null, chunk);
    },
  });
  let failure: unknown;
  const done = pipeline(zip.outputStream, counter, file).catch((err: unknown) => {
    failure ??= err;
    throw err;
  });
  const failed = done.then(
    () => new Promise<never>(() => undefined),
    (err: unknown) => Promise.reject(err),
  );
  failed.catch(() => undefined);

  return {
    container: 'zip',
    async addDirectory(path) {
      if (failure !== undefined) throw failure;
      zip.addEmptyDirectory(path, { mtime, mode: 0o40755, forceDosTimestamp: true });
    },
    async addFile(path, size, fill) {
      if (failure !== undefined) throw failure;
      const input = new PassThrough({ highWaterMark: 1024 * 1024 });
      zip.addReadStream(input, path, {
        mtime,
        mode: 0o100644,
        compress: true,
        compressionLevel: ZIP_LEVEL,
        forceDosTimestamp: true,
        ...(size === undefined ? {} : { size }),
      });
      const sink: EntrySink = {
        write(chunk) {
          if (input.write(toBytes(chunk))) return undefined;
          return Promise.race([once(input, 'drain').then(() => undefined), failed]);
        },
      };
      await fill(sink);
      input.end();
    },
    async finish() {
      zip.end();
      await done;
    },
    async abort(reason) {
      failure ??= reason;
      (zip.outputStream as Readable).destroy(reason instanceof Error ? reason : new Error(String(reason)));
      await done.catch(() => undefined);
    },
  };
}

// Internal helpers

/** A Date whose local fields equal the UTC fields of `unixSeconds` (see the header comment). */
function utcFieldsAsLocalDate(unixSeconds: number): Date {
  const d = new Date(unixSeconds * 1000);
  return new Date(
    d.getUTCFullYear(),
    d.getUTCMonth(),
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  );
}
