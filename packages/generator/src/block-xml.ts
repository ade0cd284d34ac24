/**
 * Writes `course/blocks/<blockname>_<id>/block.xml` (`backup_block_instance_structure_step`): the
 * block instance (attributes `id`, `contextid` = the block's own context, `version`), its parent
 * context (the course), page pattern, region, weight, `configdata` (base64 of a PHP-serialized
 * object, or NULL) and empty block positions. The block directory also gets empty inforef.xml,
 * roles.xml and comments.xml, as in real backups.
 */
import type { BlockInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Plugin version written in the `version` attribute of block.xml and module.xml (Moodle 4.3). */
export const PLUGIN_VERSION = 2023100900;

/** Archive directory of a block. */
export function blockDirectory(block: BlockInfo): string {
  return `course/blocks/${block.name}_${block.id}`;
}

/** Renders block.xml and counts the block. */
export function renderBlock(w: XmlWriter, ctx: RenderContext, block: BlockInfo): void {
  const t = ctx.model.time.created + 1200;
  w.open('block', { id: block.id, contextid: block.contextId, version: PLUGIN_VERSION }).leaves({
    blockname: block.name,
    parentcontextid: ctx.model.course.contextId,
    showinsubcontexts: 0,
    pagetypepattern: 'course-view-*',
    subpagepattern: null,
    defaultregion: 'side-pre',
    defaultweight: block.weight,
    configdata: block.configdata,
    timecreated: t,
    timemodified: t,
  });
  w.empty('block_positions').close();
  ctx.counts.blocks++;
}
