/** Small helpers shared by stages: reading XML values, creating contexts. */
import type { CreatedContextRow, RestoreContext } from '../pipeline/context.ts';
import type { Row } from '../storage/storage-adapter.ts';
import type { XmlObject, XmlValue } from '../xml/types.ts';

/** Moodle context levels (`context_helper`). */
export const ContextLevel = { System: 10, User: 30, Category: 40, Course: 50, Module: 70, Block: 80 } as const;

/** A value as a number; `fallback` for null, '', non-numbers. */
export function num(value: XmlValue | undefined | unknown, fallback = 0): number {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** A value as text ('' for null/absent/objects). */
export function text(value: XmlValue | undefined | unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** The elements of a possibly-absent, possibly-single child list (`record.tags.tag`). */
export function list(parent: XmlValue | undefined, item: string): XmlObject[] {
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) return [];
  const value = parent[item];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is XmlObject => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** The context of `contextlevel` and `instanceid`: one this restore created, else the store's, else `undefined`. */
export async function findContext(
  ctx: RestoreContext,
  contextlevel: number,
  instanceid: number,
): Promise<CreatedContextRow | undefined> {
  const created = ctx.state.createdContexts.get(`${contextlevel}/${instanceid}`);
  if (created) return created;
  const [row] = await ctx.rows.select('context', { contextlevel, instanceid }, { limit: 1 });
  return row ? contextRow(row) : undefined;
}

/** The context `id`: one this restore created, else the store's, else `undefined`. */
export async function contextById(ctx: RestoreContext, id: number): Promise<CreatedContextRow | undefined> {
  const created = ctx.state.createdContexts.get(id);
  if (created) return created;
  const [row] = await ctx.rows.select('context', { id }, { limit: 1 });
  return row ? contextRow(row) : undefined;
}

function contextRow(row: Row): CreatedContextRow {
  return {
    id: Number(row.id),
    contextlevel: Number(row.contextlevel),
    instanceid: Number(row.instanceid),
    depth: Number(row.depth),
    path: String(row.path),
  };
}

/** A created context. */
export interface CreatedContext {
  readonly id: number;
  readonly path: string;
  readonly depth: number;
}

/**
 * Inserts a context row under `parentPath` and, when `oldContextId` is given, maps it in the id map
 * (`context`), as Moodle does when it creates a course, module or block context during restore.
 */
export async function createContext(
  ctx: RestoreContext,
  contextlevel: number,
  instanceid: number,
  parentPath: string,
  oldContextId?: number,
): Promise<CreatedContext> {
  const id = await ctx.rows.reserveId('context');
  const { path, depth } = await insertContext(ctx, id, contextlevel, instanceid, `${parentPath}/${id}`);
  if (oldContextId !== undefined && Number.isFinite(oldContextId)) ctx.ids.set('context', oldContextId, id);
  return { id, path, depth };
}

/**
 * Inserts the context row `id` (reserved by the caller) at `path` (which ends with `id`) and remembers it in
 * `state.createdContexts`, where {@link findContext} and {@link contextById} look first.
 */
export async function insertContext(
  ctx: RestoreContext,
  id: number,
  contextlevel: number,
  instanceid: number,
  path: string,
): Promise<CreatedContextRow> {
  const depth = path.split('/').length - 1;
  await ctx.rows.insert('context', { contextlevel, instanceid, depth, path, locked: 0 }, id);
  const created = { id, contextlevel, instanceid, depth, path };
  ctx.state.createdContexts.set(`${contextlevel}/${instanceid}`, created);
  ctx.state.createdContexts.set(id, created);
  return created;
}
