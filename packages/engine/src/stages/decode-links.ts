/**
 * Restore links: the final task's `restore_decode_interlinks` step (`backup/moodle2/restore_stepslib.php`), run once
 * everything is restored. `restore_decode_processor::execute()` (`backup/util/helper/restore_decode_processor.class.php`)
 * visits every registered content (`decode-links/rules.ts`: course summary, event descriptions, section summaries, the
 * 23 core modules' texts, html block configs, question texts) and rewrites each encoded link (`$@FORUMVIEWBYID*12@$`)
 * into a URL of this site with the new ids, or, when an id has no mapping, into a URL of the source site
 * (`original_wwwroot`) with the backup's ids (`restore_decode_rule::decode()`, `decode-links/decoder.ts`).
 * `@@PLUGINFILE@@` markers are not links and stay.
 *
 * Also here, because they need the site URL too: the `$@FILEPHP@$` / `$@H5PEMBED@$` markers Moodle replaces while it
 * reads every value of a structure step's XML (`restore_structure_parser_processor::process_cdata()`,
 * `processCdataMarkers()`), in every column of every restored row, except the rows made from users.xml, whose parser
 * only turns `$@NULL@$` into null (`restore_users_parser_processor::process_cdata()`). Moodle does that first, then
 * decodes links; so does this stage, row by row.
 *
 * The target site URL is `ctx.state.siteUrl` (Moodle's `$CFG->wwwroot`): the request's `siteUrl`, else the store's
 * `config.wwwroot`, else `http://localhost`.
 *
 * Which rows: Moodle joins each content table with `backup_ids_temp` on the content's mapping
 * (`restore_decode_content::get_iterator()`), i.e. the rows this restore wrote (or matched) under that item name,
 * and skips texts without `$@` (`precheck_content()`). Here the row writer remembers the rows it wrote with `$@` in a
 * text value (`RowWriter.rowsWithLinks()`), so only those are read back, one by id, and updated when a value changed:
 * no scan of tens of thousands of forum posts without links. Rows Moodle matched but this restore did not write
 * hold no encoded link (they were decoded when they were restored). html blocks keep their links inside base64
 * configdata, so the restored html blocks (`block_instance` mappings) are read back instead.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import { MOODLE_TABLES } from '../schema/moodle-schema.ts';
import { decodeBlockConfigdata } from './decode-links/configdata.ts';
import { LinkDecoder, processCdataMarkers } from './decode-links/decoder.ts';
import { DECODE_CONTENTS, DECODE_RULES } from './decode-links/rules.ts';

/** Tables written from users.xml (`restore_users_parser_processor`: no site-URL markers replaced). */
const USERS_XML_TABLES = new Set(['user', 'user_preferences', 'user_info_data']);

/** Text columns decoded per table (`block_instances` apart). */
const CONTENT_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  DECODE_CONTENTS.filter((c) => c.kind === undefined).map((c) => [c.table, new Set(c.fields)]),
);

export const decodeLinksStage = defineStage({
  name: 'decode-links',
  enabledBy: [],
  reads: [],
  weight: 1,
  async run(ctx) {
    const decoder = new LinkDecoder(DECODE_RULES, {
      lookup: (itemname, oldId) => ctx.ids.get(itemname, oldId),
      sourceUrl: ctx.manifest.originalWwwroot,
      targetUrl: ctx.state.siteUrl,
    });
    const markers = (value: string): string => processCdataMarkers(value, ctx.state.siteUrl, ctx.state.courseId);
    // Rows written with `$@`, per table; tables the schema has but the engine does not write have none.
    const work = MOODLE_TABLES.filter((t) => !USERS_XML_TABLES.has(t.name))
      .map((t) => ({ table: t.name, ids: [...ctx.rows.rowsWithLinks(t.name)].sort((a, b) => a - b) }))
      .filter((w) => w.ids.length > 0);
    const blocks = [...new Set(ctx.ids.entries('block_instance').values())]
      .filter((id) => id > 0)
      .sort((a, b) => a - b);
    const total = work.reduce((n, w) => n + w.ids.length, 0) + blocks.length;
    let done = 0;
    const tick = (): void => {
      if (++done % 500 === 0) {
        ctx.signal.throwIfAborted();
        ctx.progress(done, total);
      }
    };
    for (const { table, ids } of work) {
      const fields = CONTENT_FIELDS.get(table);
      for (const id of ids) {
        await decodeRow(ctx, table, id, (column, value) => {
          const replaced = markers(value);
          return fields?.has(column) ? (decoder.decode(replaced) ?? replaced) : replaced;
        });
        tick();
      }
    }
    // restore_html_block_decode_content: the `text` of html blocks' configdata. Moodle's process_block() has already
    // passed it through process_cdata() (`get_configdata_encoded_attributes()`: html's `text`).
    for (const id of blocks) {
      const [row] = await ctx.rows.select('block_instances', { id }, { limit: 1 });
      if (row && row.blockname === 'html') {
        const configdata = decodeBlockConfigdata(typeof row.configdata === 'string' ? row.configdata : null, (text) => {
          const replaced = markers(text);
          const decoded = decoder.decode(replaced) ?? replaced;
          return decoded === text ? undefined : decoded;
        });
        if (configdata !== undefined) await ctx.rows.update('block_instances', id, { configdata });
      }
      tick();
    }
    ctx.progress(total, total);
  },
});

// Internal helpers

/** Reads one row back and updates the text columns `change` changes (`restore_decode_content::process()`). */
async function decodeRow(
  ctx: RestoreContext,
  table: string,
  id: number,
  change: (column: string, value: string) => string,
): Promise<void> {
  const [row] = await ctx.rows.select(table, { id }, { limit: 1 });
  if (!row) return;
  const changes: Record<string, string> = {};
  let changed = false;
  for (const column in row) {
    const value = row[column];
    if (column === 'id' || typeof value !== 'string' || !value.includes('$@')) continue;
    const next = change(column, value);
    if (next === value) continue;
    changes[column] = next;
    changed = true;
  }
  if (changed) await ctx.rows.update(table, id, changes);
}
