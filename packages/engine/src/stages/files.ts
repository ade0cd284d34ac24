/**
 * Files: the `files` rows of every restored file area and their content in the store. Follows
 * `restore_dbops::send_files_to_pool()` (`backup/util/dbops/restore_dbops.class.php`, 4.5), called by Moodle's steps
 * through `add_related_files()`; the areas are gathered in `files/file-areas.ts`. For each record of files.xml that the
 * prepare stage loaded (`ctx.state.fileRecords`) and whose (old context, component, file area) is restored:
 * - the new context is the `context` mapping of the old one (or the question bank's context); unmapped → warning
 *   `file-context-unmapped`, once per context (Moodle throws `unknown_context_mapping`);
 * - the new item id goes through the area's item name (a file whose item was not restored is skipped, as Moodle's
 *   join drops it), or is kept when there is none;
 * - the root directory record (`/` + `.`) is skipped, other directories are created (`create_directory()`);
 * - a regular file is written only when no file exists at its path, with the mapped user (else the restoring user),
 *   the backup's source, author, license and sortorder (`create_file_from_pathname()`: empty → NULL; the
 *   `$file->license = $CFG->sitedefaultlicense` of `send_files_to_pool()` changes `$file`, not the `$file_record` it
 *   passes on, so a file without license keeps none), the content's size, and the mimetype `file_storage::mimetype()`
 *   computes from the name and content (`files/mimetypes.ts`: `$file_record` carries none); without included files,
 *   `create_file_from_storedfile()` copies the mimetype of the store's file with that content;
 * - its content is copied from the backup through a SHA-1 check (`files/backup-blobs.ts`); content missing from the
 *   backup is warning `file-missing-in-backup` and, as in Moodle, no `files` row is written for it;
 * - aliases (records with a `repositoryid`) are skipped with warning `file-alias-skipped`: Moodle resolves them against
 *   repository instances of the target site (`restore_process_file_aliases_queue`), which the store does not model.
 * Before that it moves module question banks to their module context (`questions/move-module-banks.ts`), as Moodle's
 * final task does right before `restore_create_question_files`, so question files land in their final context.
 * Departure: content sniffing covers the common formats only (`files/mimetypes.ts`); a file whose name gives no type and
 * whose content was already moved into the store for an earlier file of another name gets `document/unknown`.
 */
import type { Readable } from 'node:stream';
import { defineStage } from '../pipeline/define-stage.ts';
import type { BackupFileRecord, RestoreContext } from '../pipeline/context.ts';
import { BackupBlobs, blobEntry } from './files/backup-blobs.ts';
import { areaKey, collectFileAreas, type FileAreaSpec } from './files/file-areas.ts';
import { FileRows, type FileTarget } from './files/file-rows.ts';
import { knownMimetype, mimetypeFromName, SNIFF_BYTES, sniffMimetype } from './files/mimetypes.ts';
import { moveModuleQuestionBanks } from './questions/move-module-banks.ts';

export const filesStage = defineStage({
  name: 'files',
  enabledBy: [],
  reads: ['files.xml', 'files/*/*'],
  weight: 6,
  async run(ctx) {
    await moveModuleQuestionBanks(ctx);
    const areas = collectFileAreas(ctx);
    const run = new FilesRun(ctx);
    const records = ctx.state.fileRecords;
    for (const [index, record] of records.entries()) {
      const specs = areas.get(areaKey(record.contextid, record.component, record.filearea));
      if (specs) await run.restore(record, specs);
      if (index % 100 === 99) {
        ctx.signal.throwIfAborted();
        ctx.progress(index + 1, records.length);
      }
    }
  },
});

// Internal helpers

class FilesRun {
  readonly #ctx: RestoreContext;
  readonly #rows: FileRows;
  readonly #blobs: BackupBlobs;
  readonly #unmapped = new Set<number>();
  /** Content types found by sniffing, per content hash. */
  readonly #sniffed = new Map<string, string>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
    this.#rows = new FileRows(ctx);
    this.#blobs = new BackupBlobs(ctx);
  }

  async restore(record: BackupFileRecord, specs: readonly FileAreaSpec[]): Promise<void> {
    const ctx = this.#ctx;
    const d = record.data;
    if (record.filepath === '/' && record.filename === '.') return;
    const place = this.#place(record, specs);
    if (!place) return;
    const target: FileTarget = {
      contextid: place.contextid,
      component: record.component,
      filearea: record.filearea,
      itemid: place.itemid,
      filepath: record.filepath,
      filename: record.filename,
    };
    if (!/^\/(.*\/)?$/.test(record.filepath) || record.filename === '') {
      ctx.warn(
        'file-invalid-path',
        `File ${record.filepath}${record.filename} (files.xml id ${record.id}) has an invalid path; it is not restored.`,
        'files.xml',
      );
      return;
    }
    const userid =
      (record.userid === null ? undefined : ctx.ids.get('user', record.userid)) ?? ctx.state.restorerUserId;
    if (record.filename === '.') {
      await this.#rows.directory(target, userid);
      return;
    }
    if (!empty(d.repositoryid)) {
      ctx.warn(
        'file-alias-skipped',
        `${describe(record)} is an alias to a repository file; aliases are not restored.`,
        'files.xml',
      );
      return;
    }
    const hash = record.contenthash;
    if (!/^[0-9a-f]{40}$/.test(hash) || (ctx.manifest.includeFiles && !ctx.source.has(blobEntry(hash)))) {
      ctx.warn(
        'file-missing-in-backup',
        `Missing file in backup: ${describe(record)}; it is not restored.`,
        hash ? blobEntry(hash) : 'files.xml',
      );
      return;
    }
    if (await this.#rows.exists(target)) return;
    // Before ensure(): the content may be moved into the store there.
    const mimetype = await this.#mimetype(record.filename, hash);
    const blob = await this.#blobs.ensure(hash);
    if (!blob.present) {
      ctx.warn(
        'file-missing-in-backup',
        `${describe(record)} is not in the backup (it was made without files) and its content is not in the store; it is not restored.`,
        'files.xml',
      );
      return;
    }
    await this.#rows.file(target, {
      contenthash: hash,
      userid,
      filesize: blob.size ?? Number(d.filesize ?? 0),
      mimetype,
      status: 0,
      source: empty(d.source) ? null : d.source,
      author: empty(d.author) ? null : d.author,
      license: empty(d.license) ? null : d.license,
      timecreated: ctx.state.now,
      timemodified: ctx.state.now,
      sortorder: Math.max(0, Number(d.sortorder) || 0),
    });
  }

  /**
   * `file_storage::mimetype($pathname, $filename)`: the type of the name's extension, else libmagic's type of the
   * content when Moodle's table knows it. Without included files, `create_file_from_storedfile()` keeps the type of the
   * store's file with the same content.
   */
  async #mimetype(filename: string, hash: string): Promise<string> {
    const ctx = this.#ctx;
    if (!ctx.manifest.includeFiles) {
      const [stored] = await ctx.rows.select('files', { contenthash: hash }, { limit: 1 });
      if (stored && typeof stored.mimetype === 'string' && stored.mimetype !== '') return stored.mimetype;
    }
    const byName = mimetypeFromName(filename);
    if (byName !== 'document/unknown') return byName;
    let sniffed = this.#sniffed.get(hash);
    if (sniffed === undefined) {
      const entry = blobEntry(hash);
      sniffed = ctx.source.has(entry) ? await sniffEntry(ctx, entry) : 'document/unknown';
      this.#sniffed.set(hash, sniffed);
    }
    return knownMimetype(sniffed);
  }

  /** New context and item id, or undefined when the file is not restored. */
  #place(record: BackupFileRecord, specs: readonly FileAreaSpec[]): { contextid: number; itemid: number } | undefined {
    for (const spec of specs) {
      const itemid = spec.itemname === null ? record.itemid : this.#ctx.ids.get(spec.itemname, record.itemid);
      if (itemid === undefined) continue;
      const contextid = spec.newContextId ?? this.#ctx.ids.get('context', record.contextid);
      if (contextid !== undefined) return { contextid, itemid };
      if (!spec.quiet && !this.#unmapped.has(record.contextid)) {
        this.#unmapped.add(record.contextid);
        this.#ctx.warn(
          'file-context-unmapped',
          `Files of old context ${record.contextid} (${record.component}/${record.filearea}) are not restored: that context was not restored.`,
          'files.xml',
        );
      }
      return undefined;
    }
    return undefined;
  }
}

/** libmagic's type of a backup entry, from its first {@link SNIFF_BYTES} bytes; `document/unknown` when it cannot be read. */
async function sniffEntry(ctx: RestoreContext, entry: string): Promise<string> {
  let stream: Readable;
  try {
    stream = await ctx.source.open(entry);
  } catch {
    return 'document/unknown';
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= SNIFF_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  const head = Buffer.concat(chunks, length).subarray(0, SNIFF_BYTES);
  return sniffMimetype(head, length);
}

function empty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === '0';
}

function describe(record: BackupFileRecord): string {
  return `${record.filepath}${record.filename} (old context ${record.contextid}, component ${record.component}, filearea ${record.filearea}, old itemid ${record.itemid})`;
}
