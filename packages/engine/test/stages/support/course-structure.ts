/**
 * Helpers of the sections, activities, blocks, filters and calendar stage tests: restoring into a fresh memory
 * store, reading a backup's XML independently of the stages (record counts, raw text), a generated backup
 * unpacked into a folder so a test can edit it, and the rows of the restored course.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  countRecords,
  openArchive,
  openBackupSource,
  restore,
  type RestoreOptionsInput,
  type RestoreResult,
  type Row,
  type StorageAdapter,
} from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createMemoryStorage } from '@mbz-restore/storage-memory';

/** A restore into a new memory store. */
export interface Restored {
  readonly storage: StorageAdapter;
  readonly result: RestoreResult;
}

/** Restores `path` (a .mbz or a folder) into a new, opened memory store. */
export async function restoreFresh(path: string, options: RestoreOptionsInput = {}): Promise<Restored> {
  const storage = createMemoryStorage();
  await storage.open();
  const result = await restore(path, { storage, options });
  return { storage, result };
}

/** Records at `path`, summed over every entry whose name matches `entries`, counted straight from the backup. */
export async function countXml(backup: string, entries: RegExp, path: string): Promise<number> {
  const source = await openBackupSource(backup);
  try {
    let total = 0;
    for (const name of source.names().filter((n) => entries.test(n))) {
      total += (await countRecords(await source.open(name), [path]))[path] ?? 0;
    }
    return total;
  } finally {
    await source.close();
  }
}

/** {@link countXml} for several (entries, path) pairs, opening the backup once. */
export async function countXmlAll(
  backup: string,
  cases: ReadonlyArray<readonly [entries: RegExp, path: string]>,
): Promise<number[]> {
  const source = await openBackupSource(backup);
  try {
    const totals: number[] = [];
    for (const [entries, path] of cases) {
      let total = 0;
      for (const name of source.names().filter((n) => entries.test(n)))
        total += (await countRecords(await source.open(name), [path]))[path] ?? 0;
      totals.push(total);
    }
    return totals;
  } finally {
    await source.close();
  }
}

/** The text of every entry whose name matches `entries`, by name. */
export async function readEntries(backup: string, entries: RegExp): Promise<Map<string, string>> {
  const source = await openBackupSource(backup);
  try {
    const texts = new Map<string, string>();
    for (const name of source.names().filter((n) => entries.test(n))) {
      const chunks: Buffer[] = [];
      for await (const chunk of await source.open(name)) chunks.push(chunk as Buffer);
      texts.set(name, Buffer.concat(chunks).toString('utf8'));
    }
    return texts;
  } finally {
    await source.close();
  }
}

/** Generates an `xs` backup and unpacks it into `<dir>/<name>`; returns the folder. */
export async function generatedFolder(dir: string, name: string, seed = 7): Promise<string> {
  const archive = join(dir, `${name}.mbz`);
  await generateBackup({ size: 'xs', out: archive, seed });
  const folder = join(dir, name);
  const reader = await openArchive(archive);
  try {
    for await (const entry of reader.entries()) {
      const target = join(folder, entry.name);
      if (entry.type === 'directory') {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await pipeline(entry.open(), createWriteStream(target));
    }
  } finally {
    await reader.close();
  }
  return folder;
}

/** Rewrites one XML file of an unpacked backup; fails when nothing changed. */
export async function editEntry(folder: string, entry: string, edit: (xml: string) => string): Promise<void> {
  const file = join(folder, entry);
  const before = await readFile(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`editEntry(${entry}) changed nothing`);
  await writeFile(file, after);
}

/** The restored course's structure: sections, modules, module names, contexts. */
export interface CourseStructure {
  readonly courseid: number;
  readonly context: Row;
  readonly sections: Row[];
  readonly modules: Row[];
  /** `modules.id` → `modules.name`. */
  readonly moduleNames: Map<number, string>;
  /** Contexts under the course context (modules and blocks), by id. */
  readonly childContexts: Map<number, Row>;
}

/** Reads the restored course's structure. */
export async function courseStructure(storage: StorageAdapter, courseid: number): Promise<CourseStructure> {
  const [context] = await storage.select('context', { contextlevel: 50, instanceid: courseid });
  if (!context) throw new Error(`course ${courseid} has no context`);
  const prefix = `${String(context.path)}/`;
  const childContexts = new Map(
    (await storage.select('context')).filter((c) => String(c.path).startsWith(prefix)).map((c) => [Number(c.id), c]),
  );
  return {
    courseid,
    context,
    sections: await storage.select('course_sections', { course: courseid }, { orderBy: 'section' }),
    modules: await storage.select('course_modules', { course: courseid }),
    moduleNames: new Map((await storage.select('modules')).map((m) => [Number(m.id), String(m.name)])),
    childContexts,
  };
}

/** Counts per value. */
export function tally(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** Ids of a table's rows. */
export async function idsOf(
  storage: StorageAdapter,
  table: string,
  where?: Record<string, number | string>,
): Promise<Set<number>> {
  return new Set((await storage.select(table, where)).map((r) => Number(r.id)));
}
