/**
 * Helpers of the users / roles / enrolments / groups / role-assignments stage tests: a small generated
 * backup unpacked into a folder (so a test can edit its XML before restoring it), fresh memory stores,
 * store snapshots, and independent XML counts.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openArchive, restore, type RestoreResult, type Row, type StorageAdapter } from '@mbz-restore/engine';
import type { RestoreOptionsInput } from '@mbz-restore/engine';
import { createMemoryStorage, type MemoryStorageOptions } from '@mbz-restore/storage-memory';
import { generatedFolder } from './course-structure.ts';

/** The site identifier whose md5 is the generator's `original_site_identifier_hash` (seed 1): a store with it is the backup's own site. */
export const GENERATOR_SITE_IDENTIFIER = 'mbz-restore-generator-site-1';

/** Generates an `xs` backup (seed 1) and unpacks it into `<dir>/<name>`; returns that folder. */
export function unpackedBackup(dir: string, name: string): Promise<string> {
  return generatedFolder(dir, name, 1);
}

/** A copy of an unpacked backup (to edit without touching the original). */
export async function copyBackup(folder: string, name: string): Promise<string> {
  const copy = join(dirname(folder), name);
  await cp(folder, copy, { recursive: true });
  return copy;
}

/** One entry of a backup (.mbz or folder) as text. */
export async function readEntryText(path: string, name: string): Promise<string> {
  const reader = await openArchive(path);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await reader.open(name)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await reader.close();
  }
}

/** Rewrites one XML file of an unpacked backup. */
export async function editXml(folder: string, entry: string, edit: (xml: string) => string): Promise<void> {
  const path = join(folder, entry);
  const before = await readFile(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`editXml(${entry}) changed nothing`);
  await writeFile(path, after);
}

/** An XML file of an unpacked backup, as text. */
export function readXml(folder: string, entry: string): Promise<string> {
  return readFile(join(folder, entry), 'utf8');
}

/** Occurrences of `<tag ` or `<tag>` in an XML text (an independent record count). */
export function countElements(xml: string, tag: string): number {
  return xml.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
}

/** A new, opened memory store. */
export async function freshStore(options: MemoryStorageOptions = {}): Promise<StorageAdapter> {
  const storage = createMemoryStorage(options);
  await storage.open();
  return storage;
}

/** Restores `path` into `storage` with `options`. */
export function restoreInto(
  storage: StorageAdapter,
  path: string,
  options: RestoreOptionsInput = {},
): Promise<RestoreResult> {
  return restore(path, { storage, options });
}

/** Every row of every table of the store (for "nothing changed" checks). */
export async function snapshot(storage: StorageAdapter): Promise<Record<string, Row[]>> {
  const tables: Record<string, Row[]> = {};
  for (const table of await storage.tables()) tables[table] = await storage.select(table);
  return tables;
}

/** Inserts rows into the store in their own committed unit of work (ids are allocated for rows without one). */
export async function seedRows(storage: StorageAdapter, table: string, rows: Row[]): Promise<number[]> {
  const tx = await storage.begin();
  try {
    const ids: number[] = [];
    const withIds: Row[] = [];
    for (const row of rows) {
      const id = row.id === undefined ? await tx.allocateIds(table, 1) : Number(row.id);
      ids.push(id);
      withIds.push({ ...row, id });
    }
    await tx.insert(table, withIds);
    await tx.commit();
    return ids;
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}

/** Updates one committed row. */
export async function updateRow(storage: StorageAdapter, table: string, id: number, changes: Row): Promise<void> {
  const tx = await storage.begin();
  await tx.update(table, id, changes);
  await tx.commit();
}

/** Rows of a table that belong to a course's enrol instances / context etc. are selected by the tests themselves; this counts rows per value of a column. */
export function countBy(rows: readonly Row[], column: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = String(row[column]);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The new course's context id. */
export async function courseContextId(storage: StorageAdapter, courseid: number): Promise<number> {
  const [context] = await storage.select('context', { contextlevel: 50, instanceid: courseid });
  if (!context) throw new Error(`course ${courseid} has no context`);
  return Number(context.id);
}
