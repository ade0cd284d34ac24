/**
 * Blocks: the course's blocks (`course/blocks/<name>_<id>/block.xml`), then the blocks of every restored activity
 * (`activities/<dir>/blocks/<name>_<id>/block.xml`), each a `block_instances` row, its context (level 80 under the
 * parent context) and its positions.
 *
 * Follows `restore_block_instance_structure_step::process_block()` (`backup/moodle2/restore_stepslib.php`):
 * `parentcontextid` must map (Moodle throws `restore_block_missing_parent_ctx`; here the block is skipped with a
 * `block-parent-missing` warning); a block that is not installed is skipped (`block_instance()` fails; here: not a
 * core block of Moodle 4.3, `block-not-installed`); a block that does not allow several instances is skipped when
 * one of the same name is already restored on the same parent context and page type pattern, and any block is
 * skipped when an identical one (name, parent, showinsubcontexts, page type, subpage, region, configdata) exists;
 * empty `timecreated`/`timemodified` are set to now; `block_instance` and the block `context` are mapped; the block's
 * file areas (`get_fileareas()`: block_html `content`) are listed for the files stage. A position whose context is
 * already restored is inserted at once, the others once every block exists (Moodle's final-task
 * `restore_process_pending_block_positions` does the same with its backup_ids queue); positions whose context never
 * maps are dropped.
 *
 * Departures: the `showinsubcontexts` parent-context check and `matching_page_type_patterns_from_pattern()` of the
 * non-multiple rule are reduced to the same parent context and the same pattern; `configdata` is kept as it is
 * (Moodle decodes legacy file links in a few blocks' encoded attributes).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { activityKey, activitiesInTaskOrder } from './activities/task-order.ts';
import { addFileArea } from './activities/file-areas.ts';
import { ContextLevel, contextById, insertContext, list, num, text } from './support.ts';

/** Core blocks of Moodle 4.3 (`blocks/`). */
const CORE_BLOCKS = new Set([
  'accessreview',
  'activity_modules',
  'activity_results',
  'admin_bookmarks',
  'badges',
  'blog_menu',
  'blog_recent',
  'blog_tags',
  'calendar_month',
  'calendar_upcoming',
  'comments',
  'completionstatus',
  'course_list',
  'course_summary',
  'feedback',
  'globalsearch',
  'glossary_random',
  'html',
  'login',
  'lp',
  'mentees',
  'mnet_hosts',
  'myoverview',
  'myprofile',
  'navigation',
  'news_items',
  'online_users',
  'private_files',
  'recent_activity',
  'recentlyaccessedcourses',
  'recentlyaccesseditems',
  'rss_client',
  'search_forums',
  'section_links',
  'selfcompletion',
  'settings',
  'site_main_menu',
  'social_activities',
  'starredcourses',
  'tag_flickr',
  'tag_youtube',
  'tags',
  'timeline',
]);

/** Core blocks whose `instance_allow_multiple()` is true. */
const MULTIPLE_BLOCKS = new Set([
  'html',
  'rss_client',
  'tag_flickr',
  'tag_youtube',
  'glossary_random',
  'tags',
  'mentees',
]);

/** File areas of blocks (`block_<name>::get_fileareas()` in their restore task). */
const BLOCK_FILEAREAS: Readonly<Record<string, readonly string[]>> = { html: ['content'] };

/** A position waiting for its context. */
interface PendingPosition {
  readonly blockinstanceid: number;
  readonly data: XmlObject;
  readonly entry: string;
}

export const blocksStage = defineStage({
  name: 'blocks',
  enabledBy: ['blocks'],
  reads: ['course/blocks/*/block.xml', 'activities/*/blocks/*/block.xml'],
  weight: 1,
  async run(ctx) {
    const entries = blockEntries(ctx);
    const restored: XmlObject[] = [];
    const pending: PendingPosition[] = [];
    const positions = new Set<string>();
    for (const [index, entry] of entries.entries()) {
      for await (const record of ctx.source.records(entry, {
        paths: ['/block'],
        arrays: ['block_positions/block_position'],
      })) {
        await restoreBlock(ctx, entry, record.data, restored, pending, positions);
      }
      ctx.progress(index + 1, entries.length + 1);
    }
    for (const position of pending) {
      const contextid = ctx.ids.get('context', text(position.data.contextid));
      if (contextid !== undefined)
        await insertPosition(ctx, position.blockinstanceid, contextid, position.data, positions);
    }
  },
});

// Internal helpers

/** block.xml of the course, then of each included activity in task order. */
function blockEntries(ctx: RestoreContext): string[] {
  const names = ctx.source.names().filter((n) => n.endsWith('/block.xml'));
  const under = (prefix: string) =>
    names.filter((n) => n.startsWith(prefix) && n.slice(prefix.length).split('/').length === 2).sort(byBlockId);
  const entries = under('course/blocks/');
  for (const activity of activitiesInTaskOrder(ctx.manifest)) {
    if (!ctx.settings.activityIncluded(activityKey(activity))) continue;
    if (ctx.ids.get('course_module', activity.moduleId) === undefined) continue;
    entries.push(...under(`${activity.directory}/blocks/`));
  }
  return entries;
}

/** Orders `…/<name>_<id>/block.xml` by block id, as Moodle's directory scan and backup order usually agree. */
function byBlockId(a: string, b: string): number {
  const id = (s: string) => Number(/_(\d+)\/block\.xml$/.exec(s)?.[1] ?? 0);
  return id(a) - id(b);
}

async function restoreBlock(
  ctx: RestoreContext,
  entry: string,
  data: XmlObject,
  restored: XmlObject[],
  pending: PendingPosition[],
  positions: Set<string>,
): Promise<void> {
  const blockname = text(data.blockname);
  if (!CORE_BLOCKS.has(blockname)) {
    ctx.warn(
      'block-not-installed',
      `Block "${blockname}" of ${entry} is not a block the target has; it is not restored.`,
      entry,
    );
    return;
  }
  const parentcontextid = ctx.ids.get('context', text(data.parentcontextid));
  if (parentcontextid === undefined) {
    ctx.warn(
      'block-parent-missing',
      `The parent context ${text(data.parentcontextid)} of ${entry} was not restored; the block is not restored.`,
      entry,
    );
    return;
  }
  const block = { ...data, parentcontextid: String(parentcontextid) };
  if (restored.some((other) => isDuplicate(other, block))) return;
  const parent = await contextById(ctx, parentcontextid);
  if (!parent) {
    ctx.warn(
      'block-parent-missing',
      `The parent context of ${entry} does not exist in the store; the block is not restored.`,
      entry,
    );
    return;
  }
  const now = ctx.state.now;
  const timecreated = num(data.timecreated) || now;
  const id = await ctx.rows.insert('block_instances', {
    ...data,
    parentcontextid,
    requiredbytheme: 0,
    defaultweight: num(data.defaultweight),
    timecreated,
    timemodified: num(data.timemodified) || timecreated,
  });
  restored.push(block);
  ctx.ids.set('block_instance', num(data.id), id);
  const contextId = await ctx.rows.reserveId('context');
  const path = `${parent.path}/${contextId}`;
  await insertContext(ctx, contextId, ContextLevel.Block, id, path);
  const oldContextId = num(data.contextid, NaN);
  if (Number.isFinite(oldContextId)) {
    ctx.ids.set('context', oldContextId, contextId);
    for (const filearea of BLOCK_FILEAREAS[blockname] ?? []) {
      addFileArea(ctx, { component: `block_${blockname}`, filearea, itemname: null, oldContextId });
    }
  }
  for (const position of list(data.block_positions, 'block_position')) {
    const contextid = ctx.ids.get('context', text(position.contextid));
    if (contextid === undefined) pending.push({ blockinstanceid: id, data: position, entry });
    else await insertPosition(ctx, id, contextid, position, positions);
  }
}

/** Moodle's two skip rules (see the file header), against the blocks restored so far. */
function isDuplicate(other: XmlObject, block: XmlObject): boolean {
  const same = (k: string) => (other[k] ?? null) === (block[k] ?? null);
  if (!same('blockname') || !same('parentcontextid')) return false;
  if (
    !MULTIPLE_BLOCKS.has(text(block.blockname)) &&
    same('pagetypepattern') &&
    (block.subpagepattern === null || same('subpagepattern'))
  )
    return true;
  return ['showinsubcontexts', 'pagetypepattern', 'subpagepattern', 'defaultregion', 'configdata'].every(same);
}

async function insertPosition(
  ctx: RestoreContext,
  blockinstanceid: number,
  contextid: number,
  data: XmlObject,
  seen: Set<string>,
): Promise<void> {
  const key = `${blockinstanceid}/${contextid}/${text(data.pagetype)}/${text(data.subpage)}`;
  if (seen.has(key)) return;
  seen.add(key);
  await ctx.rows.insert('block_positions', { ...data, blockinstanceid, contextid });
}
