/**
 * Local filter settings of the course and of each restored activity (`filters.xml`).
 * Follows `restore_filters_structure_step` (`backup/moodle2/restore_stepslib.php`): a `filter/` prefix is
 * stripped and other old `<dir>/<name>` filters are skipped; filters not enabled on the target are skipped;
 * `filter_set_local_state()` writes `filter_active` (state 0 = inherit removes the row, so nothing is written)
 * and `filter_set_local_config()` writes `filter_config`, both in the restored context.
 *
 * Enabled on the target: the store keeps no global filter states, so every core filter of Moodle 4.3 counts as
 * enabled, unless the store has a system-context `filter_active` row disabling it (-9999).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { XmlObject } from '../xml/types.ts';
import { contextFiles } from './activities/context-files.ts';
import { num, text } from './support.ts';

/** Core filters of Moodle 4.3 (`filter/`). */
const CORE_FILTERS = [
  'activitynames',
  'algebra',
  'censor',
  'data',
  'displayh5p',
  'emailprotect',
  'emoticon',
  'glossary',
  'mathjaxloader',
  'mediaplugin',
  'multilang',
  'tex',
  'tidy',
  'urltolink',
];

/** `TEXTFILTER_DISABLED`. */
const DISABLED = -9999;

export const filtersStage = defineStage({
  name: 'filters',
  enabledBy: ['filters'],
  reads: ['course/filters.xml', 'activities/*/filters.xml'],
  weight: 1,
  async run(ctx) {
    const enabled = await enabledFilters(ctx);
    const targets = await contextFiles(ctx, 'filters.xml');
    const seen = new Set<string>();
    for (const [index, { entry, contextid }] of targets.entries()) {
      const paths = ['/filters/filter_actives/filter_active', '/filters/filter_configs/filter_config'];
      for await (const record of ctx.source.records(entry, { paths })) {
        const filter = filterName(text(record.data.filter));
        if (filter === undefined || !enabled.has(filter)) continue;
        if (record.path === paths[0]) await setActive(ctx, contextid, filter, record.data, seen);
        else await setConfig(ctx, contextid, filter, record.data, seen);
      }
      ctx.progress(index + 1, targets.length);
    }
  },
});

// Internal helpers

async function enabledFilters(ctx: RestoreContext): Promise<Set<string>> {
  const enabled = new Set(CORE_FILTERS);
  for (const row of await ctx.rows.select('filter_active', { contextid: 1 })) {
    if (Number(row.active) === DISABLED) enabled.delete(String(row.filter));
    else enabled.add(String(row.filter));
  }
  return enabled;
}

/** The filter name without `filter/`; `undefined` for other old `<dir>/<name>` filters. */
function filterName(raw: string): string | undefined {
  if (raw.startsWith('filter/')) return raw.slice('filter/'.length);
  return raw.includes('/') || raw === '' ? undefined : raw;
}

async function setActive(
  ctx: RestoreContext,
  contextid: number,
  filter: string,
  data: XmlObject,
  seen: Set<string>,
): Promise<void> {
  const active = num(data.active);
  const key = `a/${contextid}/${filter}`;
  if (active === 0 || seen.has(key)) return;
  seen.add(key);
  await ctx.rows.insert('filter_active', { filter, contextid, active });
}

async function setConfig(
  ctx: RestoreContext,
  contextid: number,
  filter: string,
  data: XmlObject,
  seen: Set<string>,
): Promise<void> {
  const name = text(data.name);
  const key = `c/${contextid}/${filter}/${name}`;
  if (name === '' || seen.has(key)) return;
  seen.add(key);
  await ctx.rows.insert('filter_config', { filter, contextid, name, value: data.value ?? null });
}
