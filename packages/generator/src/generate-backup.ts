/**
 * `generateBackup()`: model → entry list → archive.
 *
 * Memory stays bounded for every size because nothing large is ever materialised: XML is rendered
 * record by record through {@link XmlWriter} in 256 KiB chunks straight into the archive entry, and
 * blob content is produced in 1 MiB chunks.
 *
 * The tar.gz container needs each entry's size in its header *and* Moodle's `.ARCHIVE_INDEX`, which
 * lists all sizes, comes first. The generator therefore renders in two passes: pass 1 renders every
 * XML entry into a byte counter (nothing is kept), pass 2 writes the index and then renders every
 * entry again into the archive. Rendering is a pure function of the model, so both passes produce
 * the same bytes — tar-stream's size check turns any divergence into an error instead of a corrupt
 * archive. This costs one extra XML rendering (cheap next to gzip) but no temporary files; blob
 * sizes are known from the model, so blobs are produced only in pass 2. ZIP needs no sizes up front
 * and is written in a single pass.
 *
 * Output goes to `<out>.partial` and is renamed to `out` once complete; on failure the partial
 * file is removed.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ARCHIVE_INDEX_NAME,
  formatArchiveIndex,
  type ArchiveWriter,
  type Container,
  type EntrySink,
} from './archive-writer.ts';
import { listBackupEntries, type BackupEntry } from './backup-entries.ts';
import { writeBlob } from './blobs.ts';
import { createCountsRecorder, toBackupCounts } from './counts.ts';
import { buildCourseModel } from './course-model.ts';
import { buildLogPlan } from './log-plan.ts';
import { rootSettings } from './moodle-backup-xml.ts';
import type { RenderContext, XmlRender } from './render-context.ts';
import { isBackupSize } from './sizes.ts';
import { createTarGzWriter } from './targz-writer.ts';
import type { GenerateOptions, GenerateResult } from './types.ts';
import { XmlWriter } from './xml-writer.ts';
import { createZipWriter } from './zip-writer.ts';

/** Writes a deterministic Moodle 4.3 course backup. Same options → byte-identical file. */
export async function generateBackup(options: GenerateOptions): Promise<GenerateResult> {
  const { size, out } = options;
  const seed = options.seed ?? 1;
  const container: Container = options.container ?? 'tar.gz';
  if (!isBackupSize(size)) throw new TypeError(`generateBackup: unknown size ${JSON.stringify(size)}`);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`generateBackup: seed must be a safe integer, got ${seed}`);
  if (container !== 'tar.gz' && container !== 'zip')
    throw new TypeError(`generateBackup: unknown container ${JSON.stringify(container)}`);
  if (typeof out !== 'string' || out === '') throw new TypeError('generateBackup: out must be a file path');

  const model = buildCourseModel(size, seed);
  const logs = buildLogPlan(model);
  const entries = listBackupEntries(model, logs);
  const sizes =
    container === 'tar.gz' ? await measureXml(entries, { model, logs, counts: createCountsRecorder() }) : undefined;

  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  const writerOptions = { path: partial, mtime: model.time.backup, onProgress: options.onProgress };
  const writer = container === 'tar.gz' ? createTarGzWriter(writerOptions) : createZipWriter(writerOptions);
  const ctx: RenderContext = { model, logs, counts: createCountsRecorder() };
  let uncompressedBytes = 0;
  const counting = (sink: EntrySink): EntrySink => ({
    write(chunk) {
      uncompressedBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      return sink.write(chunk);
    },
  });
  try {
    if (sizes !== undefined) {
      const index = formatArchiveIndex(
        entries.map((e) => ({
          path: e.path,
          type: e.kind === 'dir' ? 'd' : 'f',
          size: entrySize(e, sizes),
          mtime: model.time.backup,
        })),
      );
      await writer.addFile(
        ARCHIVE_INDEX_NAME,
        Buffer.byteLength(index),
        async (sink) => void (await sink.write(index)),
      );
    }
    for (const entry of entries) await writeEntry(writer, entry, ctx, sizes, counting);
    await writer.finish();
    await rename(partial, out);
  } catch (err) {
    await writer.abort(err);
    await rm(partial, { force: true });
    throw err;
  }
  const { size: bytes } = await stat(out);
  return {
    path: out,
    container,
    size,
    seed,
    bytes,
    uncompressedBytes,
    counts: toBackupCounts(ctx.counts),
    course: {
      fullname: model.course.fullname,
      shortname: model.course.shortname,
      startdate: model.time.startdate,
      format: model.course.format,
    },
    settings: Object.freeze(Object.fromEntries(rootSettings(model))),
  };
}

// Internal helpers

async function writeEntry(
  writer: ArchiveWriter,
  entry: BackupEntry,
  ctx: RenderContext,
  sizes: ReadonlyMap<string, number> | undefined,
  counting: (sink: EntrySink) => EntrySink,
): Promise<void> {
  switch (entry.kind) {
    case 'dir':
      return writer.addDirectory(entry.path);
    case 'blob':
      ctx.counts.blobs++;
      return writer.addFile(entry.path, entry.blob.size, (sink) =>
        writeBlob(ctx.model.seed, entry.blob.index, entry.blob.size, counting(sink)),
      );
    case 'text':
      return writer.addFile(entry.path, Buffer.byteLength(entry.text), async (sink) => {
        if (entry.text !== '') await counting(sink).write(entry.text);
      });
    case 'xml':
      return writer.addFile(entry.path, sizes?.get(entry.path), (sink) => renderXml(entry.render, ctx, counting(sink)));
  }
}

async function renderXml(render: XmlRender, ctx: RenderContext, sink: EntrySink): Promise<void> {
  const w = new XmlWriter(sink);
  await render(w, ctx);
  await w.end();
}

/** Pass 1: renders every XML entry into a byte counter and returns the sizes by path. */
async function measureXml(entries: readonly BackupEntry[], ctx: RenderContext): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind !== 'xml') continue;
    let bytes = 0;
    await renderXml(entry.render, ctx, {
      write: (text) => void (bytes += typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength),
    });
    sizes.set(entry.path, bytes);
  }
  return sizes;
}

function entrySize(entry: BackupEntry, sizes: ReadonlyMap<string, number>): number {
  switch (entry.kind) {
    case 'dir':
      return 0;
    case 'blob':
      return entry.blob.size;
    case 'text':
      return Buffer.byteLength(entry.text);
    case 'xml':
      return sizes.get(entry.path) ?? 0;
  }
}
