/**
 * Backups the service tests restore: generated once with the project's generator and kept in
 * `.cache/service-tests/` (size `xs` and `s`, fixed seeds), and damaged copies of the xs one, edited in
 * memory: one blob's bytes changed (the restore fails at the files stage), the tar cut right after
 * `moodle_backup.xml` (the precheck passes, the restore fails while unpacking), the file cut in half (the
 * precheck fails), a DOCTYPE in `moodle_backup.xml`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateBackup } from '@mbz-restore/generator';
import { repoRoot } from './shared.ts';
import { testTempDir } from './temp.ts';

/** Folder of the cached backups. */
export const cacheDir = join(repoRoot, '.cache', 'service-tests');

/** The generated backup of `size` (made once; safe when several test files ask at once). */
export async function generated(size: 'xs' | 's', seed = 7): Promise<string> {
  const path = join(cacheDir, `gen-${size}-${seed}.mbz`);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await generateBackup({ size, out: temp, seed });
  renameSync(temp, path);
  return path;
}

/** The xs backup with the first byte of one blob changed: restoring it fails with `backup.blob-mismatch`. */
export async function withDamagedBlob(): Promise<string> {
  return derived('damaged-blob', (tar) => {
    const entry = tarEntries(tar).find((e) => /^files\/[0-9a-f]{2}\/[0-9a-f]{40}$/u.test(e.name) && e.size > 0)!;
    tar[entry.data] = tar[entry.data]! ^ 0xff;
    return gzipSync(tar);
  });
}

/** The xs backup's tar cut 700 bytes after the end of `moodle_backup.xml`: the manifest reads, the rest is truncated. */
export async function truncatedAfterManifest(): Promise<string> {
  return derived('truncated-after-manifest', (tar) => {
    const entry = tarEntries(tar).find((e) => e.name === 'moodle_backup.xml')!;
    return gzipSync(tar.subarray(0, entry.data + Math.ceil(entry.size / 512) * 512 + 700));
  });
}

/**
 * The xs backup with its `moodle_backup.xml` opening with a DOCTYPE instead of the XML declaration (same
 * length, so the tar stays valid): refused up front when the service reads the manifest, failing the restore
 * otherwise.
 */
export async function withDoctypeManifest(): Promise<string> {
  return derived('doctype-manifest', (tar) => {
    const entry = tarEntries(tar).find((e) => e.name === 'moodle_backup.xml')!;
    const head = tar.toString('latin1', entry.data, entry.data + 200);
    const declaration = /^<\?xml[^>]*\?>/u.exec(head)![0];
    tar.write('<!DOCTYPE moodle_backup>'.padEnd(declaration.length, ' '), entry.data, 'latin1');
    return gzipSync(tar);
  });
}

/**
 * The xs backup with a DOCTYPE at the top of `course/course.xml` (same length): the manifest is sound, so only a
 * check of every XML file (`mbz inspect --verify`) or the restore finds it.
 */
export async function withDoctypeCourseXml(): Promise<string> {
  return derived('doctype-course-xml', (tar) => {
    const entry = tarEntries(tar).find((e) => e.name === 'course/course.xml')!;
    const head = tar.toString('latin1', entry.data, entry.data + 200);
    const declaration = /^<\?xml[^>]*\?>/u.exec(head)![0];
    tar.write('<!DOCTYPE course>'.padEnd(declaration.length, ' '), entry.data, 'latin1');
    return gzipSync(tar);
  });
}

/** The xs backup file cut in half (a gzip stream that ends early, before the manifest). */
export async function truncatedInHalf(): Promise<string> {
  const source = await generated('xs');
  const path = join(cacheDir, 'truncated-in-half.mbz');
  if (!existsSync(path))
    writeAtomically(path, readFileSync(source).subarray(0, Math.floor(readFileSync(source).length / 2)));
  return path;
}

// Internal helpers

async function derived(name: string, edit: (tar: Buffer) => Buffer): Promise<string> {
  const source = await generated('xs');
  const path = join(cacheDir, `${name}.mbz`);
  if (!existsSync(path)) writeAtomically(path, edit(gunzipSync(readFileSync(source))));
  return path;
}

function writeAtomically(path: string, bytes: Buffer): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

/** The entries of an uncompressed ustar archive: name, size, offset of the data. */
function tarEntries(tar: Buffer): Array<{ name: string; size: number; data: number }> {
  const entries: Array<{ name: string; size: number; data: number }> = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const field = (from: number, length: number) =>
      tar.toString('latin1', at + from, at + from + length).replace(/\0.*$/su, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    entries.push({ name: name.replace(/^\.\//u, ''), size, data: at + 512 });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** A generated xs backup (tar.gz) in a temp folder. */
export async function xsBackup(seed = 1): Promise<string> {
  const dir = testTempDir('backup-');
  const out = join(dir, `xs-${seed}.mbz`);
  await generateBackup({ size: 'xs', out, seed });
  return out;
}
