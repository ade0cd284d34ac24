/**
 * Where a per-context backup file belongs once restored. Moodle reads `grades.xml`, `comments.xml`,
 * `completion.xml`, `logstores.xml` … inside the restore task of their context (course, activity, block)
 * and takes the new course module, context and instance ids from that task
 * (`restore_activity_task::get_moduleid()`, `get_contextid()`, `restore_block_task::get_contextid()`).
 * The engine runs one stage per concern over all contexts instead, so these helpers give a stage the
 * same answers from the id map (`course_module`, `block_instance`) and the `context` rows the
 * activities and blocks stages created. Look-ups are per task (activity, block), never per record.
 */
import type { RestoreContext } from '../pipeline/context.ts';
import { ContextLevel, contextById, findContext } from './support.ts';

/** One activity of the backup that is restored (`<mod>_<cmid>_included`). */
export interface ActivityTask {
  /** Setting key and directory base name, e.g. `forum_791`. */
  readonly key: string;
  /** Archive directory, e.g. `activities/forum_791`. */
  readonly directory: string;
  /** Module name, e.g. `forum`. */
  readonly moduleName: string;
  /** Source course module id. */
  readonly moduleId: number;
}

/** One block directory of the backup (`course/blocks/html_12`, `activities/forum_791/blocks/html_13`). */
export interface BlockTask {
  readonly directory: string;
  /** Source block instance id (the directory's numeric suffix). */
  readonly blockId: number;
}

/** The included activities in Moodle's task order (manifest order, see §2.3 of the format reference). */
export function includedActivities(ctx: RestoreContext): ActivityTask[] {
  return ctx.manifest.activities
    .map((a) => ({
      key: basename(a.directory),
      directory: a.directory.replace(/\/+$/, ''),
      moduleName: a.moduleName,
      moduleId: a.moduleId,
    }))
    .filter((a) => ctx.settings.activityIncluded(a.key));
}

/** Block directories whose tasks Moodle runs: only with `blocks` on, and for activity blocks only when the activity is included. */
export function includedBlocks(ctx: RestoreContext): BlockTask[] {
  if (ctx.settings.root('blocks') === 0) return [];
  const blocks: BlockTask[] = [];
  for (const name of ctx.source.names()) {
    const match = /^(course|activities\/([^/]+))\/blocks\/([^/]+)_(\d+)\/block\.xml$/.exec(name);
    if (!match) continue;
    if (match[2] !== undefined && !ctx.settings.activityIncluded(match[2])) continue;
    blocks.push({ directory: name.slice(0, -'/block.xml'.length), blockId: Number(match[4]) });
  }
  return blocks;
}

/**
 * True when an activity of the backup has a module the store does not have installed (Moodle's
 * `is_missing_modules()`): Moodle then skips gradebook.xml, grade_history.xml and course completion.
 */
export async function hasMissingModules(ctx: RestoreContext): Promise<boolean> {
  const installed = new Set((await ctx.rows.select('modules')).map((m) => String(m.name)));
  return ctx.manifest.activities.some((a) => !installed.has(a.moduleName));
}

/** Context facts a stage needs about a restored context (Moodle's `context::instance_by_id()`). */
export interface ContextFacts {
  readonly contextlevel: number;
  readonly instanceid: number;
}

/** Finds the new context of restored course modules and blocks, and the facts of any context, with a cache. */
export class ContextLookup {
  readonly #ctx: RestoreContext;
  readonly #facts = new Map<number, ContextFacts | null>();

  constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /** New course module id of an activity, or `undefined` when the activities stage did not restore it. */
  moduleId(task: ActivityTask): number | undefined {
    return this.#ctx.ids.get('course_module', task.moduleId);
  }

  /** New context id of an activity, or `undefined` when it was not restored. */
  async activityContext(task: ActivityTask): Promise<number | undefined> {
    const cmid = this.moduleId(task);
    return cmid === undefined ? undefined : this.#instanceContext(ContextLevel.Module, cmid);
  }

  /** New context id of a block, or `undefined` when the blocks stage did not restore it. */
  async blockContext(task: BlockTask): Promise<number | undefined> {
    const id = this.#ctx.ids.get('block_instance', task.blockId);
    return id === undefined ? undefined : this.#instanceContext(ContextLevel.Block, id);
  }

  /** The facts of a context already looked up (synchronous, for hot loops), else `undefined`. */
  known(contextId: number): ContextFacts | undefined {
    return this.#facts.get(contextId) ?? undefined;
  }

  /** Level and instance of a context of the store (restored or not), or `undefined` when there is none. */
  async facts(contextId: number): Promise<ContextFacts | undefined> {
    let facts = this.#facts.get(contextId);
    if (facts === undefined) {
      const row = await contextById(this.#ctx, contextId);
      facts = row ? { contextlevel: row.contextlevel, instanceid: row.instanceid } : null;
      this.#facts.set(contextId, facts);
    }
    return facts ?? undefined;
  }

  async #instanceContext(contextlevel: number, instanceid: number): Promise<number | undefined> {
    const row = await findContext(this.#ctx, contextlevel, instanceid);
    if (!row) return undefined;
    const id = row.id;
    this.#facts.set(id, { contextlevel, instanceid });
    return id;
  }
}

// Internal helpers

function basename(directory: string): string {
  const parts = directory.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? directory;
}
