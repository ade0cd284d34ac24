/**
 * The good backup the failure corpus breaks: the generator's `xs` course (seed fixed), read once into
 * memory as an ordered entry list (≈ 200 entries, ≈ 1 MB), so each case can edit a few entries and
 * write the result again as a tar.gz or a ZIP. Everything here is deterministic: the same code makes
 * the same corpus.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { writeTarGz, writeZip } from '@mbz-restore/test-support/archives';

/** One file of the base backup. */
export interface BaseEntry {
  readonly name: string;
  readonly content: Buffer;
}

/** The base backup's files, in container order. */
export type BaseBackup = readonly BaseEntry[];

/** Seed of the base backup. */
export const BASE_SEED = 7;

/** Generates the base backup and reads it into memory. */
export async function loadBaseBackup(): Promise<BaseBackup> {
  const dir = await mkdtemp(join(tmpdir(), 'mbz-corpus-base-'));
  try {
    const path = join(dir, 'base.mbz');
    await generateBackup({ size: 'xs', out: path, seed: BASE_SEED, container: 'zip' });
    const reader = await openArchive(path);
    try {
      const entries: BaseEntry[] = [];
      for await (const entry of reader.entries()) {
        if (entry.type !== 'file') continue;
        const chunks: Buffer[] = [];
        for await (const chunk of entry.open()) chunks.push(chunk as Buffer);
        entries.push({ name: entry.name, content: Buffer.concat(chunks) });
      }
      return entries;
    } finally {
      await reader.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The base backup with some entries replaced (`Buffer` or text), dropped (`null`) or added (new names go last). */
export function edit(base: BaseBackup, changes: Readonly<Record<string, Buffer | string | null>>): BaseEntry[] {
  const out: BaseEntry[] = [];
  for (const entry of base) {
    if (!(entry.name in changes)) out.push(entry);
    else if (changes[entry.name] !== null) out.push({ name: entry.name, content: Buffer.from(changes[entry.name]!) });
  }
  const names = new Set(base.map((e) => e.name));
  for (const [name, content] of Object.entries(changes))
    if (!names.has(name) && content !== null) out.push({ name, content: Buffer.from(content) });
  return out;
}

/** Text of one entry of the base backup (throws when absent, so a case cannot silently test nothing). */
export function text(base: BaseBackup, name: string): string {
  const entry = base.find((e) => e.name === name);
  if (!entry) throw new Error(`The base backup has no ${name}.`);
  return entry.content.toString('utf8');
}

/** Replaces `from` in `source`, asserting it occurs (a case must really change the backup). */
export function replace(source: string, from: string | RegExp, to: string): string {
  const next = source.replace(from, to);
  if (next === source) throw new Error(`Nothing matched ${String(from)}.`);
  return next;
}

/** The first entry name matching `pattern`. */
export function firstName(base: BaseBackup, pattern: RegExp): string {
  const entry = base.find((e) => pattern.test(e.name));
  if (!entry) throw new Error(`The base backup has no entry matching ${String(pattern)}.`);
  return entry.name;
}

/** Writes entries as a tar.gz or a ZIP. */
export async function writeBackup(
  path: string,
  entries: readonly BaseEntry[],
  container: 'tar.gz' | 'zip',
): Promise<void> {
  if (container === 'zip') await writeZip(path, entries);
  else await writeTarGz(path, entries);
}
