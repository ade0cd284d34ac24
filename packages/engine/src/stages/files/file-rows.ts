/**
 * `files` rows as Moodle's file storage writes them (`lib/filestorage/file_storage.php`, 4.x):
 * - `pathnamehash` = SHA-1 of `/<contextid>/<component>/<filearea>/<itemid><filepath><filename>`
 *   (`get_pathname_hash()`), unique in the table;
 * - a file is only created when no file exists at the same path (`file_exists()` in `send_files_to_pool()`);
 * - creating a file or a directory creates its directory and every parent directory up to `/` when missing
 *   (`create_directory()`: filename `.`, the empty content hash, size 0, no mimetype, the time of the restore, the
 *   file's user), which is how an area's `/.` row comes back although `send_files_to_pool()` skips the backup's.
 * Times: the 4.5 `send_files_to_pool()` gives a restored file the time of the restore ("when the file entered the
 * system"); earlier releases kept the backup's times. This follows 4.5.
 */
import { createHash } from 'node:crypto';
import type { RestoreContext } from '../../pipeline/context.ts';

/** SHA-1 of no bytes: the content hash of directories. */
export const EMPTY_CONTENTHASH = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** Where a file goes. */
export interface FileTarget {
  readonly contextid: number;
  readonly component: string;
  readonly filearea: string;
  readonly itemid: number;
  readonly filepath: string;
  readonly filename: string;
}

/** Writes file and directory rows, never two at one path. */
export class FileRows {
  readonly #ctx: RestoreContext;
  /** Path hashes in use per context: the store's (read once per context) and this restore's. */
  readonly #paths = new Map<number, Set<string>>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /** True when a file or directory exists at the target. */
  async exists(target: FileTarget): Promise<boolean> {
    return (await this.#used(target.contextid)).has(pathnameHash(target));
  }

  /** Inserts a file row unless the path is taken; then makes its directories. Returns whether it was inserted. */
  async file(target: FileTarget, fields: Record<string, unknown>): Promise<boolean> {
    const used = await this.#used(target.contextid);
    const hash = pathnameHash(target);
    if (used.has(hash)) return false;
    used.add(hash);
    await this.#ctx.rows.insert('files', { ...fields, ...target, pathnamehash: hash, referencefileid: null });
    await this.directory({ ...target, filename: '.' }, fields.userid ?? null);
    return true;
  }

  /** `create_directory()`: the directory `target.filepath` and its parents, where missing. */
  async directory(target: FileTarget, userid: unknown): Promise<void> {
    const used = await this.#used(target.contextid);
    let filepath = target.filepath;
    for (;;) {
      const dir = { ...target, filepath, filename: '.' };
      const hash = pathnameHash(dir);
      if (used.has(hash)) return;
      used.add(hash);
      const now = this.#ctx.state.now;
      await this.#ctx.rows.insert('files', {
        ...dir,
        contenthash: EMPTY_CONTENTHASH,
        pathnamehash: hash,
        userid,
        filesize: 0,
        mimetype: null,
        status: 0,
        source: null,
        author: null,
        license: null,
        timecreated: now,
        timemodified: now,
        sortorder: 0,
        referencefileid: null,
      });
      if (filepath === '/') return;
      filepath = parentPath(filepath);
    }
  }

  async #used(contextid: number): Promise<Set<string>> {
    let used = this.#paths.get(contextid);
    if (!used) {
      const rows = await this.#ctx.rows.select('files', { contextid });
      used = new Set(rows.map((r) => String(r.pathnamehash)));
      this.#paths.set(contextid, used);
    }
    return used;
  }
}

/** Moodle's `file_storage::get_pathname_hash()`. */
export function pathnameHash(t: FileTarget): string {
  return createHash('sha1')
    .update(`/${t.contextid}/${t.component}/${t.filearea}/${t.itemid}${t.filepath}${t.filename}`)
    .digest('hex');
}

// Internal helpers

/** `/a/b/` → `/a/`; `/a/` → `/`. */
function parentPath(filepath: string): string {
  const parts = filepath.split('/').filter(Boolean);
  parts.pop();
  return parts.length === 0 ? '/' : `/${parts.join('/')}/`;
}
