/**
 * Builders for the corpus cases that stand for gigabytes: a ZIP whose one entry inflates to 2 GiB of
 * zeros (with honest or lying sizes), and tar.gz files with a 2 GiB file of zeros or a 300 MiB text node. They are written
 * straight to disk, block by block, from one compressed block repeated, so making them costs a few MB
 * of I/O and never holds the uncompressed content:
 * - deflate: a block compressed with a full flush resets the compressor, so the same input block always
 *   compresses to the same bytes and copies of it chain into one valid deflate stream;
 * - gzip: members concatenate (RFC 1952), so copies of one gzip'd block are one valid gzip stream.
 */
import { open } from 'node:fs/promises';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { createRng } from '@mbz-restore/generator';
import { tarBuffer } from '@mbz-restore/test-support/archives';

const MiB = 1024 * 1024;

/** One member of {@link writeRawZip}: already-compressed bytes and the header fields to write (which may lie). */
export interface RawZipMember {
  readonly name: string;
  /** Deflated data, as chunks written in order (the same Buffer may repeat). */
  readonly chunks: Iterable<Buffer>;
  readonly crc: number;
  /** Uncompressed size written in both headers. */
  readonly size: number;
}

/** Writes a ZIP (deflate, no data descriptors, no ZIP64) of `members`, streaming each member's chunks to disk. */
export async function writeRawZip(path: string, members: readonly RawZipMember[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    let offset = 0;
    const write = async (bytes: Buffer): Promise<void> => {
      await file.write(bytes);
      offset += bytes.length;
    };
    const central: Buffer[] = [];
    for (const member of members) {
      const name = Buffer.from(member.name);
      const start = offset;
      const local = Buffer.alloc(30);
      await write(Buffer.concat([local, name])); // rewritten below once the compressed size is known
      let compressed = 0;
      for (const chunk of member.chunks) {
        await write(chunk);
        compressed += chunk.length;
      }
      const fields = { crc: member.crc, compressed, size: member.size, name };
      await file.write(localHeader(fields), 0, 30, start);
      central.push(centralHeader(fields, start));
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    await write(Buffer.concat([directory, end]));
  } finally {
    await file.close();
  }
}

/** A small member stored from `content` (compressed here; honest sizes). */
export function smallMember(name: string, content: string | Buffer): RawZipMember {
  const bytes = Buffer.from(content);
  return { name, chunks: [deflateRawSync(bytes)], crc: crc32(bytes), size: bytes.length };
}

/**
 * A member inflating to `bytes` zeros (a multiple of 1 MiB) from ≈ 1 KB per MiB, whose headers declare
 * `declared` bytes (default: the truth) and the matching CRC-32 when honest.
 */
export function zerosMember(name: string, bytes: number, declared = bytes): RawZipMember {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const blocks = bytes / MiB;
  if (!Number.isSafeInteger(blocks)) throw new Error('zerosMember: bytes must be a multiple of 1 MiB');
  return {
    name,
    chunks: (function* () {
      for (let i = 0; i < blocks; i += 1) yield block;
      yield deflateRawSync(Buffer.alloc(0)); // the final, empty block
    })(),
    crc: declared === bytes ? zerosCrc(bytes) : 0,
    size: declared,
  };
}

/** The big last entry of {@link writeTarGzStreamed}: `head`, then `count` copies of a 1 MiB block, then `tail`. */
export interface StreamedEntry {
  readonly name: string;
  readonly head?: string;
  readonly block: 'zeros' | 'text';
  readonly count: number;
  readonly tail?: string;
}

/**
 * Writes a tar.gz of `entries` (small, written as they are) followed by one big entry made of 1 MiB blocks,
 * each block one gzip member written again and again: 2 GiB of zeros cost ≈ 2 MB on disk (≈ 1000:1), and
 * `text` blocks are seeded base64 that compresses ≈ 50:1, well under the archive's compression-ratio limit,
 * so only the XML reader's text limit can stop it.
 */
export async function writeTarGzStreamed(
  path: string,
  entries: ReadonlyArray<{ readonly name: string; readonly content: Buffer }>,
  big: StreamedEntry,
): Promise<void> {
  const head = Buffer.from(big.head ?? '');
  const tail = Buffer.from(big.tail ?? '');
  const size = head.length + big.count * MiB + tail.length;
  const padding = (512 - (size % 512)) % 512;
  const block = gzipSync(big.block === 'zeros' ? Buffer.alloc(MiB) : seededText(MiB), { level: 9 });
  const file = await open(path, 'w');
  try {
    await file.write(
      gzipSync(
        Buffer.concat([
          tarBuffer(entries, { endBlocks: 0 }),
          tarBuffer([{ name: big.name, size }], { endBlocks: 0 }),
          head,
        ]),
      ),
    );
    for (let i = 0; i < big.count; i += 1) await file.write(block);
    await file.write(gzipSync(Buffer.concat([tail, Buffer.alloc(padding + 1024)])));
  } finally {
    await file.close();
  }
}

// Internal helpers

function localHeader(f: { crc: number; compressed: number; size: number; name: Buffer }): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(8, 8);
  h.writeUInt16LE(0x21, 12); // 1980-01-01
  h.writeUInt32LE(f.crc >>> 0, 14);
  h.writeUInt32LE(f.compressed, 18);
  h.writeUInt32LE(f.size, 22);
  h.writeUInt16LE(f.name.length, 26);
  return h;
}

function centralHeader(f: { crc: number; compressed: number; size: number; name: Buffer }, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(8, 10);
  h.writeUInt16LE(0x21, 14);
  h.writeUInt32LE(f.crc >>> 0, 16);
  h.writeUInt32LE(f.compressed, 20);
  h.writeUInt32LE(f.size, 24);
  h.writeUInt16LE(f.name.length, 28);
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, f.name]);
}

/** CRC-32 of `bytes` zeros, one MiB at a time. */
function zerosCrc(bytes: number): number {
  const zeros = Buffer.alloc(MiB);
  let crc = 0;
  for (let done = 0; done < bytes; done += MiB) crc = crc32(zeros, crc);
  return crc;
}

/** `bytes` of base64 text: a seeded 16 KiB stretch repeated (so deflate finds it, at ≈ 50:1). */
function seededText(bytes: number): Buffer {
  const rng = createRng(300, 'text-node');
  const stretch = Buffer.alloc(12 * 1024);
  for (let i = 0; i < stretch.length; i += 1) stretch[i] = rng.u32() & 0xff;
  const unit = stretch.toString('base64');
  return Buffer.from(unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes));
}
