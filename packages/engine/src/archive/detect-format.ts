/**
 * Tells which container a path holds from its first bytes, never from its extension — as Moodle
 * does (`lib/filestorage/tgz_packer.php` `is_tgz_file()`, `mbz_packer::get_packer_for_read_operation()`;
 * see `../shared/docs/moodle-backup-format.md` §1.1). Moodle treats anything that is not gzip as ZIP;
 * we also require the ZIP signature, so a wrong file gets a message saying what it looks like
 * instead of a confusing ZIP error.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ArchiveError, ErrorCode } from '../errors.ts';
import type { ArchiveKind } from './archive-reader.ts';

/**
 * Detects the container kind of `path`: `tar.gz` (gzip magic `1f 8b`), `zip` (`PK\x03\x04`, or
 * `PK\x05\x06` for an empty ZIP) or `directory` (an extracted backup folder).
 *
 * @throws {ArchiveError} `archive.not-found` when nothing is at `path`; `archive.unreadable` when it
 * cannot be read; `archive.unknown-format` for anything else, with a message saying what the first
 * bytes look like ("an empty file", "plain text", "a bzip2 file" …).
 */
export async function detectArchiveKind(path: string): Promise<ArchiveKind> {
  const stats = await stat(path).catch((error: unknown) => {
    throw fileSystemError(path, error);
  });
  if (stats.isDirectory()) return 'directory';
  if (!stats.isFile()) {
    throw new ArchiveError(
      ErrorCode.ArchiveUnknownFormat,
      `${path} is ${describeSpecialFile(stats)}, not a backup file or folder`,
    );
  }
  const head = await readHead(path);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  ) {
    return 'zip';
  }
  const firstBytes =
    head.length === 0
      ? ''
      : ` (first bytes: ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
  throw new ArchiveError(
    ErrorCode.ArchiveUnknownFormat,
    `${path} is not a Moodle backup: it looks like ${describeBytes(head)}${firstBytes}. ` +
      'Expected a ZIP file (starts with PK\\x03\\x04), a gzip-compressed tar (starts with 1f 8b) or an extracted backup folder',
  );
}

/** Maps a file-system error on the container path to `archive.not-found` or `archive.unreadable`. */
export function fileSystemError(path: string, error: unknown): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ArchiveError(ErrorCode.ArchiveNotFound, `There is no file or folder at ${resolve(path)}.`, {
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ArchiveError(
    ErrorCode.ArchiveUnreadable,
    `cannot read ${path} (${code ?? detail}); check that it exists and is readable`,
    {
      cause: error,
    },
  );
}

// Internal helpers

const HEAD_BYTES = 512;

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileSystemError(path, error);
  });
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    let filled = 0;
    while (filled < HEAD_BYTES) {
      const { bytesRead } = await handle.read(buffer, filled, HEAD_BYTES - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw fileSystemError(path, error);
  } finally {
    await handle.close();
  }
}

const SIGNATURES: ReadonlyArray<readonly [string, readonly number[], number?]> = [
  ['a bzip2 file', [0x42, 0x5a, 0x68]],
  ['an xz file', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['a zstd file', [0x28, 0xb5, 0x2f, 0xfd]],
  ['a 7-Zip archive', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['a RAR archive', [0x52, 0x61, 0x72, 0x21]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a split or spanned ZIP (not supported)', [0x50, 0x4b, 0x07, 0x08]],
  ['an uncompressed tar archive (Moodle backups are gzip-compressed tar)', [0x75, 0x73, 0x74, 0x61, 0x72], 257],
];

function describeBytes(head: Buffer): string {
  if (head.length === 0) return 'an empty file';
  for (const [what, magic, offset = 0] of SIGNATURES) {
    if (head.length >= offset + magic.length && magic.every((b, i) => head[offset + i] === b)) return what;
  }
  if (looksLikeText(head)) {
    const text = head.toString('utf8').trimStart();
    if (text.startsWith('<')) return 'an XML or HTML document (plain text)';
    if (text.startsWith('{') || text.startsWith('[')) return 'a JSON document (plain text)';
    return 'plain text';
  }
  return 'binary data of an unknown kind';
}

function looksLikeText(head: Buffer): boolean {
  const text = head.toString('utf8');
  // Allow a character cut at the end of the sample; refuse NUL and most control characters.
  return !/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/u.test(text) && (text.match(/\uFFFD/gu)?.length ?? 0) <= 1;
}

function describeSpecialFile(stats: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
