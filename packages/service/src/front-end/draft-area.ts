/**
 * The draft file area, stored the way Moodle's `webservice/upload.php` stores an upload
 * (`file_storage::create_file_from_pathname()` into component `user`, filearea `draft`, the uploader's user
 * context): one `files` row per file with the SHA-1 content hash, size, mimetype, user, author, license and
 * `source` (the PHP-serialized `{source: filename}` upload.php writes), a `.` directory row for each folder
 * and its parents (`create_directory()`), and the bytes as a blob of the store.
 *
 * A batch of files is one unit of work: every file of it is stored, or none (a full disk on the last file
 * keeps none of the first ones). Files are read (streams spooled to a temp folder) and hashed before the unit
 * begins, so it is short.
 *
 * A user without a user context gets one (`context_user::instance()` creates it on first use).
 * Departures: the site default license is `unknown` (Moodle's default `$CFG->sitedefaultlicense`); a name that
 * already exists in the draft item is refused (`filenameexist`), or skipped on request, as upload.php reports
 * it per file.
 */
import { randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorCode,
  fromSystemError,
  isMbzError,
  EMPTY_CONTENTHASH,
  pathnameHash,
  type Row,
  type StorageAdapter,
  type StorageTransaction,
} from '@mbz-restore/engine';
import { hashFile, mimetypeOf, phpSerializedSource, spoolStream, type ContentDigest } from './draft-content.ts';
import { invalidParameter, RestoreServiceError } from '../service-error.ts';
import type { DraftFileInput, DraftFileRecord, DraftFileSkipped, SaveDraftFilesOptions } from '../types.ts';

/** The seeded admin: the user of requests that name none. */
export const ADMIN_USERID = 2;

/** Moodle's `CONTEXT_USER`. */
const CONTEXT_USER = 30;

/**
 * Stores `files` in one draft item, all or none, and answers one entry per file: what `webservice/upload.php`
 * answers for a stored file, or a {@link DraftFileSkipped} for a name taken (with `ifExists: 'skip'`).
 */
export async function saveDraftFiles(
  storage: StorageAdapter,
  files: readonly DraftFileInput[],
  options: SaveDraftFilesOptions,
  tempDir?: string,
): Promise<Array<DraftFileRecord | DraftFileSkipped>> {
  const batch = checkBatch(files, options);
  if (batch.files.length === 0) return [];
  const [user] = await storage.select('user', { id: batch.userid });
  if (!user)
    throw new RestoreServiceError(
      ErrorCode.ServiceUserNotFound,
      `There is no user with id ${batch.userid} in the store.`,
      'invaliduser',
    );
  const author = options.author ?? `${String(user.firstname ?? '')} ${String(user.lastname ?? '')}`.trim();
  const fields = { author, license: options.license ?? 'unknown' };

  const spool = batch.files.some((f) => typeof f.content !== 'string')
    ? await mkdtemp(join(tempDir ?? tmpdir(), 'mbz-draft-'))
    : undefined;
  try {
    const prepared: PreparedFile[] = [];
    for (const [i, file] of batch.files.entries()) {
      const path = typeof file.content === 'string' ? file.content : join(spool!, String(i));
      const digest = typeof file.content === 'string' ? await hashFile(path) : await spoolStream(file.content, path);
      prepared.push({ filename: file.filename, filepath: file.filepath, path, ...digest });
    }
    // Two first uploads of one user may both create the user's context: the second commit then fails on the
    // unique (contextlevel, instanceid) index; once more sees the context the first made.
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeDraftFiles(storage, { ...batch, ...fields }, prepared);
      } catch (error) {
        if (attempt >= 3 || !isMbzError(error, ErrorCode.StorageConstraint)) throw error;
      }
    }
  } catch (error) {
    for (const file of batch.files) if (typeof file.content !== 'string') file.content.destroy();
    throw fromSystemError(error, 'No file of this upload was stored.');
  } finally {
    if (spool) await rm(spool, { recursive: true, force: true });
  }
}

/** The user context id of `userid`, or undefined when it has none. */
export async function userContextId(
  reader: Pick<StorageAdapter, 'select'>,
  userid: number,
): Promise<number | undefined> {
  const [context] = await reader.select('context', { contextlevel: CONTEXT_USER, instanceid: userid });
  return context ? Number(context.id) : undefined;
}

// Internal helpers

/** A file read and hashed, ready to store. */
interface PreparedFile extends ContentDigest {
  readonly filename: string;
  readonly filepath: string;
  /** Where its bytes are (the caller's file, or the spooled copy of a stream). */
  readonly path: string;
}

/** A batch, checked. */
interface CheckedBatch {
  readonly files: ReadonlyArray<{
    readonly content: DraftFileInput['content'];
    readonly filename: string;
    readonly filepath: string;
  }>;
  readonly userid: number;
  readonly itemid: number | undefined;
  readonly ifExists: 'fail' | 'skip';
}

function checkBatch(files: readonly DraftFileInput[], options: SaveDraftFilesOptions): CheckedBatch {
  if (!Array.isArray(files)) throw invalidParameter('files must be a list of { content, filename, filepath? }.');
  const filepath = checkFilepath(options.filepath ?? '/');
  if (options.itemid !== undefined && (!Number.isSafeInteger(options.itemid) || options.itemid < 0)) {
    throw invalidParameter(`itemid must be a whole number ≥ 0, got ${String(options.itemid)}.`);
  }
  const ifExists = options.ifExists ?? 'fail';
  if (ifExists !== 'fail' && ifExists !== 'skip')
    throw invalidParameter(`ifExists must be "fail" or "skip", got ${JSON.stringify(ifExists)}.`);
  return {
    files: files.map((f) => ({
      content: f.content,
      filename: checkFilename(f.filename),
      filepath: f.filepath === undefined ? filepath : checkFilepath(f.filepath),
    })),
    userid: options.userid ?? ADMIN_USERID,
    itemid: options.itemid !== undefined && options.itemid > 0 ? options.itemid : undefined,
    ifExists,
  };
}

async function writeDraftFiles(
  storage: StorageAdapter,
  batch: CheckedBatch & { readonly author: string; readonly license: string },
  files: readonly PreparedFile[],
): Promise<Array<DraftFileRecord | DraftFileSkipped>> {
  const tx = await storage.begin();
  try {
    const contextid = (await userContextId(tx, batch.userid)) ?? (await createUserContext(tx, batch.userid));
    const area = { contextid, component: 'user', filearea: 'draft' };
    const itemid = batch.itemid ?? (await unusedItemid(tx, contextid));
    const now = Math.floor(Date.now() / 1000);
    const common = {
      userid: batch.userid,
      timecreated: now,
      timemodified: now,
      sortorder: 0,
      status: 0,
      referencefileid: null,
    };
    const taken = new Set<string>();
    const isTaken = async (hash: string) =>
      taken.has(hash) || (await tx.select('files', { pathnamehash: hash }, { limit: 1 })).length > 0;
    const blobs = new Set<string>();
    const rows: Row[] = [];
    const answers: Array<DraftFileRecord | DraftFileSkipped> = [];
    for (const f of files) {
      const target = { ...area, itemid, filepath: f.filepath, filename: f.filename };
      const hash = pathnameHash(target);
      if (await isTaken(hash)) {
        if (batch.ifExists === 'fail') throw nameTaken(itemid, f);
        answers.push({ skipped: 'exists', filename: f.filename, filepath: f.filepath });
        continue;
      }
      taken.add(hash);
      if (!blobs.has(f.contenthash)) {
        const content = createReadStream(f.path);
        try {
          await tx.putBlob(f.contenthash, content);
        } finally {
          content.destroy();
        }
      }
      blobs.add(f.contenthash);
      const source = phpSerializedSource(f.filename);
      rows.push({
        ...target,
        ...common,
        pathnamehash: hash,
        contenthash: f.contenthash,
        filesize: f.filesize,
        mimetype: mimetypeOf(f.filename),
        source,
        author: batch.author,
        license: batch.license,
      });
      for (const dir of directoriesOf(f.filepath)) {
        const at = { ...area, itemid, filepath: dir, filename: '.' };
        const dirHash = pathnameHash(at);
        if (await isTaken(dirHash)) continue;
        taken.add(dirHash);
        rows.push({
          ...at,
          ...common,
          pathnamehash: dirHash,
          contenthash: EMPTY_CONTENTHASH,
          filesize: 0,
          mimetype: null,
          source: null,
          author: null,
          license: null,
        });
      }
      answers.push({
        component: 'user',
        contextid,
        userid: String(batch.userid),
        filearea: 'draft',
        filename: f.filename,
        filepath: f.filepath,
        itemid,
        license: batch.license,
        author: batch.author,
        source,
      });
    }
    if (rows.length > 0) {
      const first = await tx.allocateIds('files', rows.length);
      await tx.insert(
        'files',
        rows.map((row, i) => ({ ...row, id: first + i })),
      );
    }
    await tx.commit();
    return answers;
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}

function nameTaken(itemid: number, f: PreparedFile): RestoreServiceError {
  return new RestoreServiceError(
    ErrorCode.ServiceDraftFileExists,
    `Draft item ${itemid} already holds ${f.filepath}${f.filename}; upload under another name or to a new draft item. Nothing of this upload was stored.`,
    'filenameexist',
  );
}

async function createUserContext(tx: StorageTransaction, userid: number): Promise<number> {
  const id = await tx.allocateIds('context', 1);
  await tx.insert('context', [
    { id, contextlevel: CONTEXT_USER, instanceid: userid, path: `/1/${id}`, depth: 2, locked: 0 },
  ]);
  return id;
}

/** Moodle's `file_get_unused_draft_itemid()`: a random item id no draft file of the context uses. */
async function unusedItemid(tx: StorageTransaction, contextid: number): Promise<number> {
  for (;;) {
    const itemid = randomInt(1, 999_999_999);
    if (
      (await tx.select('files', { contextid, component: 'user', filearea: 'draft', itemid }, { limit: 1 })).length === 0
    )
      return itemid;
  }
}

/** `/a/b/` → `/a/b/`, `/a/`, `/`. */
function directoriesOf(filepath: string): string[] {
  const parts = filepath.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, parts.length - i).join('/')}/`).concat('/');
}

function checkFilename(filename: unknown): string {
  if (
    typeof filename !== 'string' ||
    filename === '' ||
    filename === '.' ||
    filename === '..' ||
    /[/\\\0]/u.test(filename)
  ) {
    throw invalidParameter(
      `filename must be a plain file name (no slashes, not "." or ".."), got ${JSON.stringify(filename)}.`,
    );
  }
  return filename;
}

function checkFilepath(filepath: unknown): string {
  if (
    typeof filepath !== 'string' ||
    !filepath.startsWith('/') ||
    !filepath.endsWith('/') ||
    /\/\.{1,2}\/|\/\/|[\\\0]/u.test(filepath)
  ) {
    throw invalidParameter(
      `filepath must start and end with "/" and hold no "." or ".." folders, got ${JSON.stringify(filepath)}.`,
    );
  }
  return filepath;
}
