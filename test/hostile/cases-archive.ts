/**
 * Corpus cases about the container: unsafe names and links, bombs and lying sizes, damaged bytes, and
 * files that are not archives. Unsafe names aim at `../../marker/`, a folder beside the restore's temp
 * area that the tests check stays empty.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { ErrorCode } from '@mbz-restore/engine';
import {
  patchZipCrc,
  renameZipEntry,
  tarBuffer,
  writeTarGz,
  writeZip,
  zipBuffer,
  type TarMember,
} from '@mbz-restore/test-support/archives';
import { text, type BaseBackup } from './base-backup.ts';
import { both, fails, succeeds, type CorpusCase } from './outcome.ts';
import { smallMember, writeRawZip, writeTarGzStreamed, zerosMember, type RawZipMember } from './streamed-archives.ts';

const GiB = 1024 ** 3;
const ESCAPE = '../../marker/evil.xml';
/** Where a bomb hides: a file content, named like one (`files/<hh>/<sha1>`). */
const BOMB_BLOB = `files/00/00${'0'.repeat(38)}`;

/** The container cases. */
export const ARCHIVE_CASES: readonly CorpusCase[] = [
  {
    id: 'tar-path-traversal',
    title: 'tar.gz entry named ../../marker/evil.xml',
    build: (p, base) => writeTarGz(p, [...base, { name: ESCAPE, content: 'escaped' }]).then(none),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'zip-path-traversal',
    title: 'ZIP entry named ../../marker/evil.xml',
    // yazl refuses such names: write a safe name of the same length and patch it in both headers.
    build: async (p, base) =>
      writeFile(
        p,
        renameZipEntry(
          await zipBuffer([...base, { name: 'aa/aa/marker/evil.xml', content: 'escaped' }]),
          'aa/aa/marker/evil.xml',
          ESCAPE,
        ),
      ),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'tar-absolute-name',
    title: 'tar.gz entry with an absolute name (/tmp/evil.xml)',
    build: (p, base) => writeTarGz(p, [...base, { name: '/tmp/evil.xml', content: 'escaped' }]).then(none),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'zip-absolute-name',
    title: 'ZIP entry with an absolute name (/tmp/evil.xml)',
    build: async (p, base) =>
      writeFile(
        p,
        renameZipEntry(
          await zipBuffer([...base, { name: 'atmp/evil.xml', content: 'escaped' }]),
          'atmp/evil.xml',
          '/tmp/evil.xml',
        ),
      ),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  // Link entries: Moodle's tgz_extractor skips them (lib/filestorage/tgz_extractor.php, process_header()), so
  // does the engine, with a warning (packages/engine/src/archive/link-entry.ts); one whose target leaves the
  // root is refused like a name that does.
  {
    id: 'tar-symlink-out',
    title: 'tar.gz symlink pointing out of the root (files/00/link -> /etc/passwd)',
    build: (p, base) =>
      writeTarGz(p, [...base, { name: 'files/00/link', typeflag: '2', linkname: '/etc/passwd' }]).then(none),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'tar-hardlink-out',
    title: 'tar.gz hard link pointing out of the root (../../etc/passwd)',
    build: (p, base) =>
      writeTarGz(p, [...base, { name: 'files/00/link', typeflag: '1', linkname: '../../etc/passwd' }]).then(none),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'zip-symlink-out',
    title: 'ZIP symlink (Unix mode 120777) pointing out of the root (ZIP has no hard links)',
    build: (p, base) =>
      writeZip(p, [...base, { name: 'files/00/link', content: '../../../etc/passwd', mode: 0o120777 }]).then(none),
    ...both(fails(ErrorCode.ArchiveUnsafeEntryName)),
  },
  {
    id: 'tar-symlink-inside',
    title: 'tar.gz symlink pointing inside the root (files/00/link -> ../../moodle_backup.xml)',
    build: (p, base) =>
      writeTarGz(p, [...base, { name: 'files/00/link', typeflag: '2', linkname: '../../moodle_backup.xml' }]).then(
        none,
      ),
    ...both(succeeds('archive-link-skipped')),
  },
  {
    id: 'zip-symlink-inside',
    title: 'ZIP symlink (Unix mode 120777) pointing inside the root (files/00/link -> ../../moodle_backup.xml)',
    build: (p, base) =>
      writeZip(p, [...base, { name: 'files/00/link', content: '../../moodle_backup.xml', mode: 0o120777 }]).then(none),
    ...both(succeeds('archive-link-skipped')),
  },
  {
    id: 'tar-gnu-archive-index-link',
    title:
      'tar.gz repacked by GNU tar (tar -czf x.mbz . .ARCHIVE_INDEX): ./ names and .ARCHIVE_INDEX a hard link to ./.ARCHIVE_INDEX',
    build: (p, base) =>
      writeTarGz(p, [
        { name: './', typeflag: '5' },
        { name: './.ARCHIVE_INDEX', content: archiveIndex(base) },
        ...base.map((e) => ({ name: `./${e.name}`, content: e.content })),
        { name: '.ARCHIVE_INDEX', typeflag: '1', linkname: './.ARCHIVE_INDEX', magic: 'gnu' as const },
      ]).then(none),
    ...both(succeeds('archive-link-skipped')),
  },
  {
    id: 'tar-hardlink-needed-file',
    title: 'tar.gz whose course/course.xml is a hard link to an earlier copy (spare/course.xml)',
    build: (p, base) =>
      writeTarGz(
        p,
        base.flatMap((e): TarMember[] =>
          e.name !== 'course/course.xml'
            ? [e]
            : [
                { name: 'spare/course.xml', content: e.content },
                { name: 'course/course.xml', typeflag: '1', linkname: 'spare/course.xml' },
              ],
        ),
      ).then(none),
    // Read as the copy: the course is restored as if the file were there (Moodle itself would miss it).
    ...both(succeeds('archive-hard-link-read')),
  },
  {
    id: 'gzip-bomb-2gib',
    title: 'tar.gz of a good backup plus a file under files/ of 2 GiB of zeros (≈ 2 MB compressed)',
    build: (p, base) => writeTarGzStreamed(p, base, { name: BOMB_BLOB, block: 'zeros', count: 2048 }),
    ...both(fails(ErrorCode.ArchiveCompressionRatio)),
    heavy: true,
  },
  {
    id: 'zip-bomb-2gib',
    title: 'ZIP of a good backup plus a file under files/ inflating to 2 GiB of zeros (honest sizes, ratio ≈ 1000:1)',
    build: (p, base) => writeRawZip(p, [...smallMembers(base), zerosMember(BOMB_BLOB, 2 * GiB)]),
    ...both(fails(ErrorCode.ArchiveCompressionRatio)),
    heavy: true,
  },
  {
    id: 'zip-declared-size-lie',
    title: 'ZIP whose users.xml declares 1 KiB but inflates to 2 GiB',
    build: (p, base) => writeRawZip(p, [...smallMembers(base, 'users.xml'), zerosMember('users.xml', 2 * GiB, 1024)]),
    ...both(fails(ErrorCode.ArchiveCorrupt)),
    heavy: true,
  },
  {
    id: 'tar-declares-10gib',
    title: 'tar.gz entry whose header declares 10 GiB (over maxEntryBytes) in a 2 KB file',
    build: (p, base) =>
      writeTarGz(
        p,
        [
          { name: 'moodle_backup.xml', content: manifestOf(base) },
          { name: 'users.xml', size: 10 * GiB },
        ],
        { endBlocks: 0 },
      ).then(none),
    ...both(fails(ErrorCode.ArchiveEntryTooLarge)),
  },
  {
    id: 'tar-truncated',
    title: 'tar.gz cut at 60 %',
    build: async (p, base) => writeFile(p, cut(gzipSync(tarBuffer(base)), 0.6)),
    ...both(fails(ErrorCode.ArchiveTruncated)),
  },
  {
    id: 'zip-truncated',
    title: 'ZIP cut at 60 % (the central directory is gone)',
    build: async (p, base) => writeFile(p, cut(await zipBuffer(base), 0.6)),
    ...both(fails(ErrorCode.ArchiveTruncated)),
  },
  {
    id: 'tar-bit-flipped',
    title: 'tar.gz with one byte flipped at 40 % of the compressed stream',
    build: async (p, base) => writeFile(p, flip(gzipSync(tarBuffer(base)), 0.4)),
    ...both(fails(ErrorCode.ArchiveCorrupt)),
  },
  {
    id: 'zip-bit-flipped',
    title: 'ZIP with one byte flipped inside the compressed data of users.xml',
    build: async (p, base) => writeFile(p, flipInside(await zipBuffer(base), 'users.xml')),
    ...both(fails(ErrorCode.ArchiveCorrupt)),
  },
  {
    id: 'zip-crc-mismatch',
    title: 'ZIP whose central directory records a wrong CRC-32 for every entry',
    build: async (p, base) => writeFile(p, patchZipCrc(await zipBuffer(base), 0xdeadbeef)),
    ...both(fails(ErrorCode.ArchiveCorrupt)),
  },
  {
    id: 'random-bytes',
    title: '64 KiB of seeded random bytes',
    build: (p) => writeFile(p, seededBytes(64 * 1024)),
    ...both(fails(ErrorCode.ArchiveUnknownFormat)),
  },
  {
    id: 'gzip-of-random-bytes',
    title: 'valid gzip of random bytes (not a tar)',
    build: (p) => writeFile(p, gzipSync(seededBytes(64 * 1024))),
    ...both(fails(ErrorCode.ArchiveCorrupt)),
  },
];

// Internal helpers

function none(): void {}

/** Every file of the base backup but `except`, as ZIP members. */
function smallMembers(base: BaseBackup, except?: string): RawZipMember[] {
  return base.filter((e) => e.name !== except).map((e) => smallMember(e.name, e.content));
}

/** A `.ARCHIVE_INDEX` as Moodle's tgz_packer writes it (lib/filestorage/tgz_packer.php): a header line, then name, type, size, mtime per entry. */
function archiveIndex(base: BaseBackup): string {
  return `${[
    `Moodle archive file index. Count: ${base.length}`,
    ...base.map((e) => `${e.name}\tf\t${e.content.length}\t1356998400`),
  ].join('\n')}\n`;
}

function manifestOf(base: BaseBackup): Buffer {
  return Buffer.from(text(base, 'moodle_backup.xml'));
}

function cut(bytes: Buffer, at: number): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * at));
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[Math.floor(copy.length * at)]! ^= 0x55;
  return copy;
}

/** Flips a byte in the middle of `name`'s compressed data (found through the central directory). */
function flipInside(zip: Buffer, name: string): Buffer {
  const copy = Buffer.from(zip);
  const eocd = copy.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = copy.readUInt32LE(eocd + 16);
  for (let i = 0; i < copy.readUInt16LE(eocd + 10); i += 1) {
    const nameLength = copy.readUInt16LE(at + 28);
    if (copy.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const local = copy.readUInt32LE(at + 42);
      const data = local + 30 + copy.readUInt16LE(local + 26) + copy.readUInt16LE(local + 28);
      copy[data + Math.floor(copy.readUInt32LE(at + 20) / 2)]! ^= 0x55;
      return copy;
    }
    at += 46 + nameLength + copy.readUInt16LE(at + 30) + copy.readUInt16LE(at + 32);
  }
  throw new Error(`flipInside: no entry ${name}`);
}

function seededBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
