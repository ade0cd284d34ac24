/**
 * Builds archives inside the tests (nothing binary is committed): tar.gz from raw ustar headers
 * written here (so a test controls every field: prefix, type flag, magic, pax records), ZIPs with
 * yazl, byte patches for what yazl refuses to write (unsafe names, lying sizes), and a gzip bomb
 * made of repeated gzip members so it costs nothing to create. Also: temp dirs, error assertions,
 * hashing helpers and an open-file-descriptor counter.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { expect } from 'vitest';
import type { ArchiveReader } from '@mbz-restore/engine';

/** One tar member written by {@link tarBuffer}. */
export interface TarMember {
  name: string;
  /** Tar type flag character: '0' file (default), '5' directory, '1' hard link, '2' symlink, '3' char device, '6' fifo, 'S' sparse, 'x' pax. */
  typeflag?: string;
  content?: Buffer | string;
  /** Size written in the header; defaults to the content length. */
  size?: number;
  linkname?: string;
  /** ustar prefix field (joined to name with "/" by readers). */
  prefix?: string;
  /** 'ustar' (default, "ustar\0" "00") or 'gnu' ("ustar  \0"). */
  magic?: 'ustar' | 'gnu';
}

/** A tar image (with end-of-archive blocks) of `members`. */
export function tarBuffer(members: readonly TarMember[], { endBlocks = 2 }: { endBlocks?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const content = member.content === undefined ? Buffer.alloc(0) : Buffer.from(member.content);
    parts.push(tarHeader({ ...member, size: member.size ?? content.length }));
    parts.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(512 * endBlocks));
  return Buffer.concat(parts);
}

/** A pax extended header member (type 'x') carrying `records`, to put before the member it applies to. */
export function paxMember(records: Record<string, string>): TarMember {
  let body = '';
  for (const [key, value] of Object.entries(records)) {
    const line = ` ${key}=${value}\n`;
    let length = line.length + 1;
    while (String(length).length + line.length !== length) length = String(length).length + line.length;
    body += `${length}${line}`;
  }
  return { name: 'PaxHeader', typeflag: 'x', content: body };
}

/** Writes gzip(tar(members)) to `path`. */
export async function writeTarGz(
  path: string,
  members: readonly TarMember[],
  options?: { endBlocks?: number },
): Promise<string> {
  await writeFile(path, gzipSync(tarBuffer(members, options)));
  return path;
}

/**
 * Writes a tar.gz whose single entry `name` holds `bytes` zeros, as repeated gzip members of 1 MiB
 * each (valid gzip: members concatenate). Creation is instant; reading it decompresses `bytes`.
 */
export async function writeGzipBomb(path: string, bytes: number, name = 'files/00/bomb'): Promise<string> {
  const MiB = 1024 * 1024;
  const block = gzipSync(Buffer.alloc(MiB), { level: 9 });
  const parts = [gzipSync(tarHeader({ name, size: bytes }))];
  for (let i = 0; i < Math.floor(bytes / MiB); i += 1) parts.push(block);
  const rest = bytes % MiB;
  parts.push(gzipSync(Buffer.alloc(rest + ((512 - (rest % 512)) % 512) + 1024)));
  await writeFile(path, Buffer.concat(parts));
  return path;
}

/** One ZIP member for {@link writeZip}. */
export interface ZipMember {
  name: string;
  content?: Buffer | string;
  directory?: boolean;
  /** Unix mode (file type bits included), stored in the external attributes. */
  mode?: number;
  compress?: boolean;
}

/** Modification time of every ZIP entry, so the same members always make the same bytes. */
const ZIP_MTIME = new Date(Date.UTC(2024, 0, 1));

/** Builds a ZIP with yazl and returns its bytes (the same bytes for the same members). */
export async function zipBuffer(members: readonly ZipMember[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const member of members) {
    if (member.directory)
      zip.addEmptyDirectory(
        member.name,
        member.mode === undefined ? { mtime: ZIP_MTIME } : { mode: member.mode, mtime: ZIP_MTIME },
      );
    else {
      const options: { compress: boolean; mode?: number; mtime: Date } = {
        compress: member.compress ?? true,
        mtime: ZIP_MTIME,
      };
      if (member.mode !== undefined) options.mode = member.mode;
      zip.addBuffer(Buffer.from(member.content ?? ''), member.name, options);
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Writes {@link zipBuffer} to `path`. */
export async function writeZip(path: string, members: readonly ZipMember[]): Promise<string> {
  await writeFile(path, await zipBuffer(members));
  return path;
}

/** Replaces every occurrence of `from` by `to` (same length) in `buffer`; asserts at least one. */
export function patchAll(buffer: Buffer, from: string | Buffer, to: string | Buffer): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error('patchAll needs same-length strings');
  let count = 0;
  for (let at = buffer.indexOf(a); at !== -1; at = buffer.indexOf(a, at + 1)) {
    b.copy(buffer, at);
    count += 1;
  }
  if (count === 0) throw new Error(`patchAll: ${String(from)} not found`);
  return buffer;
}

/**
 * Renames entry `from` to `to` (same byte length) in both its local header and its central-directory
 * record, walking the real structure (so bytes inside compressed data are never touched).
 */
export function renameZipEntry(buffer: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error('renameZipEntry needs same-length names');
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  let renamed = 0;
  for (let i = 0; i < count; i += 1) {
    const nameLength = buffer.readUInt16LE(at + 28);
    const local = buffer.readUInt32LE(at + 42);
    if (buffer.subarray(at + 46, at + 46 + nameLength).equals(a)) {
      b.copy(buffer, at + 46);
      b.copy(buffer, local + 30);
      renamed += 1;
    }
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  if (renamed === 0) throw new Error(`renameZipEntry: no entry named ${from}`);
  return buffer;
}

/** Sets the uncompressed size of every entry, in the local headers and the central directory. */
export function patchZipUncompressedSizes(buffer: Buffer, size: number): Buffer {
  for (let at = buffer.indexOf(LOCAL_SIG); at !== -1; at = buffer.indexOf(LOCAL_SIG, at + 4))
    buffer.writeUInt32LE(size, at + 22);
  for (let at = buffer.indexOf(CENTRAL_SIG); at !== -1; at = buffer.indexOf(CENTRAL_SIG, at + 4))
    buffer.writeUInt32LE(size, at + 24);
  return buffer;
}

/** Sets the CRC-32 of every entry in the central directory. */
export function patchZipCrc(buffer: Buffer, crc: number): Buffer {
  for (let at = buffer.indexOf(CENTRAL_SIG); at !== -1; at = buffer.indexOf(CENTRAL_SIG, at + 4))
    buffer.writeUInt32LE(crc, at + 16);
  return buffer;
}

/** A fresh temp dir and a remover. */
export async function tempDir(prefix = 'mbz-archive-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every path under `dir`, sorted (to prove a reader wrote nothing). */
export async function snapshot(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/**
 * Asserts that `promise` rejects with an error carrying `code` (never the message) and returns the error.
 * Run with `MBZ_SHOW_ERRORS=1` to print every message, to review their wording.
 */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as Error & { code: string },
  );
  expect(error, `expected a rejection with ${code}`).toBeDefined();
  expect(error!.name, String(error)).toBe(code.startsWith('input.') ? 'InvalidArgumentError' : 'ArchiveError');
  expect(error!.code, error!.message).toBe(code);
  if (process.env.MBZ_SHOW_ERRORS) console.log(`${error!.code}: ${error!.message}`);
  return error!;
}

/** Reads a stream to one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** SHA-1 hex of a stream's content. */
export async function sha1(stream: Readable): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** Walks a reader's entries and returns file name → SHA-1 (plus the sorted directory names). */
export async function digest(reader: ArchiveReader): Promise<{ files: Map<string, string>; directories: string[] }> {
  const files = new Map<string, string>();
  const directories: string[] = [];
  for await (const entry of reader.entries()) {
    if (entry.type === 'file') files.set(entry.name, await sha1(entry.open()));
    else directories.push(entry.name);
  }
  return { files, directories: directories.sort() };
}

/** Open file descriptors of this process, or `undefined` where `/proc/self/fd` does not exist. */
export function openFds(): number | undefined {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined;
}

// Internal helpers

const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const CENTRAL_SIG = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

function tarHeader(member: TarMember & { size: number }): Buffer {
  const block = Buffer.alloc(512);
  block.write(member.name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  if (member.size < 8 ** 11) block.write(`${member.size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  else {
    // GNU base-256 size for 8 GiB and more: 0x80, then the size big-endian in the remaining 11 bytes.
    block[124] = 0x80;
    let rest = member.size;
    for (let i = 135; i > 124; i -= 1) {
      block[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  }
  block.write('14672401400\0', 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(member.typeflag ?? '0', 156, 'ascii');
  if (member.linkname) block.write(member.linkname, 157, 100, 'utf8');
  if (member.magic === 'gnu') block.write('ustar  \0', 257, 'ascii');
  else block.write('ustar\u000000', 257, 'ascii');
  if (member.prefix) block.write(member.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}
