/** The blocks stage: block_instances, block contexts and positions of course and activity blocks. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@mbz-restore/engine';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  courseStructure,
  countXml,
  generatedFolder,
  readEntries,
  restoreFresh,
  tally,
} from './support/course-structure.ts';

const GEN_S = generatedFixture('gen_s_users.mbz');

async function blocksOf(storage: StorageAdapter, courseid: number) {
  const s = await courseStructure(storage, courseid);
  const contexts = new Set(s.childContexts.keys());
  contexts.add(Number(s.context.id));
  const blocks = (await storage.select('block_instances')).filter((b) => contexts.has(Number(b.parentcontextid)));
  const blockContexts = [...s.childContexts.values()].filter((c) => c.contextlevel === 80);
  return { s, blocks, blockContexts };
}

describe.skipIf(!hasShared())('blocks stage — gen_s_users (Moodle 4.3)', () => {
  it('restores the course blocks Moodle restores, each with its context under the course context', async () => {
    const { storage, result } = await restoreFresh(GEN_S);
    const expected = JSON.parse(await readFile(generatedFixture('gen_s_users.expected.json'), 'utf8')) as {
      counts: { block_instances: number; block_instances_by_name: Record<string, number> };
    };
    const { s, blocks, blockContexts } = await blocksOf(storage, result.courseid);
    expect(blocks).toHaveLength(expected.counts.block_instances);
    expect(tally(blocks.map((b) => String(b.blockname)))).toEqual(expected.counts.block_instances_by_name);
    expect(blocks).toHaveLength(await countXml(GEN_S, /^course\/blocks\/[^/]+\/block\.xml$/, '/block'));
    const xmls = [...(await readEntries(GEN_S, /^course\/blocks\/[^/]+\/block\.xml$/)).values()];
    for (const block of blocks) {
      expect(block.parentcontextid).toBe(s.context.id);
      const contexts = blockContexts.filter((c) => c.instanceid === block.id);
      expect(contexts).toHaveLength(1);
      expect(contexts[0]!.path).toBe(`${String(s.context.path)}/${String(contexts[0]!.id)}`);
      const xml = xmls.find((x) => x.includes(`<blockname>${String(block.blockname)}</blockname>`))!;
      const configdata = /<configdata>([^<]*)<\/configdata>/.exec(xml)![1];
      expect(block.configdata).toBe(configdata === '$@NULL@$' ? null : configdata);
      expect(block.pagetypepattern).toBe(/<pagetypepattern>([^<]*)<\/pagetypepattern>/.exec(xml)![1]);
    }
    expect(await storage.count('block_positions')).toBe(
      await countXml(GEN_S, /^course\/blocks\/[^/]+\/block\.xml$/, '/block/block_positions/block_position'),
    );
  }, 120_000);
});

describe('blocks stage — generated backup', () => {
  let dir: string;
  let folder: string;
  let pageDir: string;
  let forumDir: string;
  let courseBlock: string;

  /** Writes a block directory with its block.xml. */
  async function addBlock(directory: string, xml: string): Promise<void> {
    await mkdir(join(folder, directory), { recursive: true });
    await writeFile(join(folder, directory, 'block.xml'), xml);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-blocks-'));
    folder = await generatedFolder(dir, 'xs');
    const manifest = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
    pageDir = /<directory>(activities\/page_\d+)<\/directory>/.exec(manifest)![1]!;
    forumDir = /<directory>(activities\/forum_\d+)<\/directory>/.exec(manifest)![1]!;
    const [htmlEntry, html] = [...(await readEntries(folder, /^course\/blocks\/html_\d+\/block\.xml$/)).entries()][0]!;
    courseBlock = html;
    const pageContext = /contextid="(\d+)"/.exec(await readFile(join(folder, pageDir, 'page.xml'), 'utf8'))![1]!;
    const forumContext = /contextid="(\d+)"/.exec(await readFile(join(folder, forumDir, 'forum.xml'), 'utf8'))![1]!;
    const courseContext = /<parentcontextid>(\d+)<\/parentcontextid>/.exec(html)![1]!;
    const block = (id: number, contextid: number, name: string, parent: string, positions = '') =>
      html
        .replace(/<block id="\d+" contextid="\d+"/, `<block id="${id}" contextid="${contextid}"`)
        .replace(/<blockname>[^<]*<\/blockname>/, `<blockname>${name}</blockname>`)
        .replace(/<parentcontextid>\d+<\/parentcontextid>/, `<parentcontextid>${parent}</parentcontextid>`)
        .replace(/<block_positions>\s*<\/block_positions>/, `<block_positions>${positions}</block_positions>`);
    // An activity block with a position on the course page and one on the page's own page.
    const positions =
      `<block_position id="1"><contextid>${pageContext}</contextid><pagetype>mod-page-view</pagetype><subpage></subpage><visible>1</visible><region>side-post</region><weight>2</weight></block_position>` +
      `<block_position id="2"><contextid>${courseContext}</contextid><pagetype>course-view-topics</pagetype><subpage></subpage><visible>0</visible><region>side-pre</region><weight>0</weight></block_position>`;
    await addBlock(`${pageDir}/blocks/html_900001`, block(900001, 990001, 'html', pageContext, positions));
    // An identical copy of the course html block (skipped), a block the target lacks, a block whose parent is unknown.
    await addBlock(
      `course/blocks/html_900002`,
      courseBlock.replace(/<block id="\d+" contextid="\d+"/, '<block id="900002" contextid="990002"'),
    );
    await addBlock('course/blocks/fancy_900003', block(900003, 990003, 'fancy', courseContext));
    await addBlock('course/blocks/html_900004', block(900004, 990004, 'html', '123456789'));
    // A block of the forum, left out when the forum is.
    await addBlock(`${forumDir}/blocks/html_900005`, block(900005, 990005, 'html', forumContext));
    expect(htmlEntry).toMatch(/^course\/blocks\/html_\d+\/block\.xml$/);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("restores activity blocks under the module context with their positions, and applies Moodle's skip rules", async () => {
    const { storage, result } = await restoreFresh(folder);
    const { s, blocks, blockContexts } = await blocksOf(storage, result.courseid);
    const cmContexts = new Map(
      [...s.childContexts.values()].filter((c) => c.contextlevel === 70).map((c) => [Number(c.id), c]),
    );
    const activityBlocks = blocks.filter((b) => cmContexts.has(Number(b.parentcontextid)));
    expect(activityBlocks).toHaveLength(2);
    const positions = await storage.select('block_positions');
    const onPage = activityBlocks.find((b) => positions.some((p) => p.blockinstanceid === b.id))!;
    const context = blockContexts.find((c) => c.instanceid === onPage.id)!;
    expect(context.path).toBe(`${String(cmContexts.get(Number(onPage.parentcontextid))!.path)}/${String(context.id)}`);
    const pagePositions = positions.filter((p) => activityBlocks.some((b) => b.id === p.blockinstanceid));
    expect(pagePositions).toHaveLength(2);
    const allContexts = new Set([Number(s.context.id), ...s.childContexts.keys()]);
    for (const p of positions) expect(allContexts.has(Number(p.contextid))).toBe(true);
    expect(pagePositions.map((p) => p.contextid).sort()).toEqual(
      [Number(s.context.id), Number(onPage.parentcontextid)].sort(),
    );
    // Course blocks: the two of the backup; the duplicate, the unknown block and the orphan are left out.
    const courseBlocks = blocks.filter((b) => b.parentcontextid === s.context.id);
    expect(tally(courseBlocks.map((b) => String(b.blockname)))).toEqual({ html: 1, online_users: 1 });
    expect(result.warnings.filter((w) => w.code === 'block-not-installed')).toHaveLength(1);
    expect(result.warnings.filter((w) => w.code === 'block-parent-missing')).toHaveLength(1);
    expect(blockContexts).toHaveLength(blocks.length);
  });

  it('leaves out the blocks of an excluded activity, and every block with blocks 0', async () => {
    const forumKey = forumDir.split('/')[1]!;
    const without = await restoreFresh(folder, { [`${forumKey}_included`]: 0 });
    const a = await blocksOf(without.storage, without.result.courseid);
    expect(a.blocks).toHaveLength(3);
    expect(without.result.warnings.filter((w) => w.code === 'block-parent-missing')).toHaveLength(1);

    const none = await restoreFresh(folder, { blocks: 0 });
    expect(none.result.stages.find((st) => st.name === 'blocks')!.status).toBe('skipped');
    const b = await blocksOf(none.storage, none.result.courseid);
    expect(b.blocks).toHaveLength(0);
    expect(b.blockContexts).toHaveLength(0);
    expect(await none.storage.count('block_positions')).toBe(0);
  });
});
