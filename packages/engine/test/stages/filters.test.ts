/** The filters stage: filter_active and filter_config of the course and activity contexts. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseStructure, editEntry, generatedFolder, restoreFresh } from './support/course-structure.ts';

const FILTERS = (actives: string, configs: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<filters>\n  <filter_actives>${actives}</filter_actives>\n  <filter_configs>${configs}</filter_configs>\n</filters>`;
const active = (filter: string, value: number) =>
  `<filter_active><filter>${filter}</filter><active>${value}</active></filter_active>`;
const config = (filter: string, name: string, value: string) =>
  `<filter_config><filter>${filter}</filter><name>${name}</name><value>${value}</value></filter_config>`;

describe('filters stage — generated backup', () => {
  let dir: string;
  let folder: string;
  let pageDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-filters-'));
    folder = await generatedFolder(dir, 'xs');
    pageDir = /<directory>(activities\/page_\d+)<\/directory>/.exec(
      await readFile(join(folder, 'moodle_backup.xml'), 'utf8'),
    )![1]!;
    await editEntry(folder, 'course/filters.xml', () =>
      FILTERS(
        // On, off, inherit (nothing to store), the 2.x "filter/" prefix, an old "mod/x" filter and one the target lacks.
        active('mediaplugin', 1) +
          active('emoticon', -1) +
          active('tex', 0) +
          active('filter/multilang', 1) +
          active('mod/glossary', 1) +
          active('fancyfilter', 1),
        config('tex', 'density', '120') + config('fancyfilter', 'x', '1'),
      ),
    );
    await editEntry(folder, `${pageDir}/filters.xml`, () =>
      FILTERS(active('activitynames', -1), config('censor', 'badwords', 'frog')),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the local filter states and settings of the course and of each activity in their new contexts', async () => {
    const { storage, result } = await restoreFresh(folder);
    const s = await courseStructure(storage, result.courseid);
    const courseContext = Number(s.context.id);
    const actives = await storage.select('filter_active');
    expect(
      actives
        .filter((a) => a.contextid === courseContext)
        .map((a) => [a.filter, a.active])
        .sort(),
    ).toEqual([
      ['emoticon', -1],
      ['mediaplugin', 1],
      ['multilang', 1],
    ]);
    expect(
      (await storage.select('filter_config', { contextid: courseContext })).map((c) => [c.filter, c.name, c.value]),
    ).toEqual([['tex', 'density', '120']]);
    const pageKey = pageDir.split('/')[1]!;
    const moduleContexts = new Set(
      [...s.childContexts.values()].filter((c) => c.contextlevel === 70).map((c) => Number(c.id)),
    );
    const onModules = actives.filter((a) => moduleContexts.has(Number(a.contextid)));
    expect(onModules.map((a) => [a.filter, a.active])).toEqual([['activitynames', -1]]);
    const configs = (await storage.select('filter_config')).filter((c) => moduleContexts.has(Number(c.contextid)));
    expect(configs.map((c) => [c.filter, c.name, c.value])).toEqual([['censor', 'badwords', 'frog']]);
    expect(configs[0]!.contextid).toBe(onModules[0]!.contextid);
    const [context] = await storage.select('context', { id: Number(configs[0]!.contextid) });
    const [cm] = await storage.select('course_modules', { id: Number(context!.instanceid) });
    expect(s.moduleNames.get(Number(cm!.module))).toBe('page');

    // The page left out: its filters go with it.
    const without = await restoreFresh(folder, { [`${pageKey}_included`]: 0 });
    const w = await courseStructure(without.storage, without.result.courseid);
    expect((await without.storage.select('filter_active')).filter((a) => a.contextid !== w.context.id)).toHaveLength(0);
  });

  it('filters 0 writes nothing', async () => {
    const { storage, result } = await restoreFresh(folder, { filters: 0 });
    expect(result.stages.find((s) => s.name === 'filters')!.status).toBe('skipped');
    expect(await storage.count('filter_active')).toBe(0);
    expect(await storage.count('filter_config')).toBe(0);
  });
});
