/**
 * Builds the other two forms of a real backup (ZIP, tar.gz, extracted folder) with tools independent
 * of the engine (system `tar`/`unzip`, yazl), so tests can check that every reader sees the same backup.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/** The three forms of one backup. */
export interface BackupForms {
  zip: string;
  tarGz: string;
  directory: string;
}

/** Extracts `mbz` (zip or tar.gz, by magic bytes) into `dir/extracted` and builds the other container next to it. */
export async function makeForms(mbz: string, dir: string): Promise<BackupForms> {
  const directory = join(dir, 'extracted');
  await mkdir(directory, { recursive: true });
  const head = (await readFile(mbz)).subarray(0, 2);
  const isGzip = head[0] === 0x1f && head[1] === 0x8b;
  if (isGzip) execFileSync('tar', ['xzf', mbz, '-C', directory]);
  else execFileSync('unzip', ['-q', '-o', mbz, '-d', directory]);
  // .ARCHIVE_INDEX is tar.gz metadata, not backup content.
  execFileSync('rm', ['-f', join(directory, '.ARCHIVE_INDEX')]);
  const tarGz = isGzip ? mbz : join(dir, 'form.tar.gz');
  const zip = isGzip ? join(dir, 'form.zip') : mbz;
  if (isGzip) await writeZip(directory, zip);
  else execFileSync('tar', ['czf', tarGz, '-C', directory, '.']);
  return { zip, tarGz, directory };
}

async function writeZip(root: string, out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const file of await walk(root)) zip.addFile(file, relative(root, file).split('\\').join('/'));
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
