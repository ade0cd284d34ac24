/**
 * The decode-links stage (`packages/engine/src/stages/decode-links.ts`): Moodle's `restore_decode_processor` over
 * every restored text. Unit tests of the rule application (`restore_decode_rule::decode()`), then real backups:
 * `gen_allmods_users.mbz` as Moodle 4.3 wrote it (wiki pages with `$@WIKIPAGEBYID*n@$`), the same backup with links
 * written into many of its texts (none of the real backups in ../shared has another encoded link). (The asynchronous
 * service's site URL reaching restores in worker threads is tested with the service: packages/service/test.)
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOODLE_TABLES, openArchive, restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { decodeBlockConfigdata } from '../../src/stages/decode-links/configdata.ts';
import { LinkDecoder, phpUrlencode, processCdataMarkers } from '../../src/stages/decode-links/decoder.ts';
import { DECODE_CONTENTS, DECODE_RULES } from '../../src/stages/decode-links/rules.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';

const ALLMODS = generatedFixture('gen_allmods_users.mbz');
const USER_OPTIONS = {
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
} as const;
const SOURCE = 'http://old.example/moodle';
const TARGET = 'https://new.example/lms';

/** A decoder over Moodle's rules with a fixed id map. */
function decoderWith(map: Record<string, Record<number, number>>): LinkDecoder {
  return new LinkDecoder(DECODE_RULES, {
    lookup: (item, old) => map[item]?.[old],
    sourceUrl: SOURCE,
    targetUrl: TARGET,
  });
}

/** PHP `serialize()` of a flat object of strings (what block_html keeps, base64-encoded, in configdata). */
function phpSerialize(props: Record<string, string>): string {
  const body = Object.entries(props)
    .map(([k, v]) => `s:${Buffer.byteLength(k)}:"${k}";s:${Buffer.byteLength(v)}:"${v}";`)
    .join('');
  return `O:8:"stdClass":${Object.keys(props).length}:{${body}}`;
}

/** Encoded links a rule of Moodle's would decode, with the text they are in. */
function knownLinks(text: string): string[] {
  const arity = new Set(DECODE_RULES.map((r) => `${r.name}/${r.mappings.length}`));
  return [...text.matchAll(/\$@([A-Z0-9]+)((?:\*\d+)+)@\$/g)]
    .filter((m) => arity.has(`${m[1]}/${m[2]!.split('*').length - 1}`))
    .map((m) => m[0]);
}

describe('link decoder (restore_decode_rule::decode)', () => {
  it('replaces a link whose ids map by the target site URL and the new ids', () => {
    const d = decoderWith({ course_module: { 12: 345 } });
    expect(d.decode('<a href="$@FORUMVIEWBYID*12@$">forum</a>')).toBe(
      `<a href="${TARGET}/mod/forum/view.php?id=345">forum</a>`,
    );
  });

  it('replaces a link whose id does not map by the source site URL and the old id', () => {
    const d = decoderWith({ course_module: { 12: 345 } });
    expect(d.decode('$@FORUMVIEWBYID*13@$')).toBe(`${SOURCE}/mod/forum/view.php?id=13`);
    // A mapping to 0 fails as a missing one (`if (!$target = $this->get_mapping(...))`).
    expect(decoderWith({ course_module: { 13: 0 } }).decode('$@FORUMVIEWBYID*13@$')).toBe(
      `${SOURCE}/mod/forum/view.php?id=13`,
    );
  });

  it('keeps every old id when one id of a link does not map', () => {
    const d = decoderWith({ forum_discussion: { 5: 50 }, forum_post: { 9: 90 } });
    expect(d.decode('$@FORUMDISCUSSIONVIEWPARENT*5*9@$')).toBe(`${TARGET}/mod/forum/discuss.php?d=50&parent=90`);
    expect(d.decode('$@FORUMDISCUSSIONVIEWPARENT*5*8@$')).toBe(`${SOURCE}/mod/forum/discuss.php?d=5&parent=8`);
    expect(d.decode('$@FORUMDISCUSSIONVIEWINSIDE*4*9@$')).toBe(`${SOURCE}/mod/forum/discuss.php?d=4#9`);
  });

  it('decodes several links and repeated links in one text, and leaves unknown names, other arities and file markers', () => {
    const d = decoderWith({ course: { 2: 7 }, course_module: { 3: 30 }, wiki_page: { 1: 11 } });
    const text =
      '$@COURSEVIEWBYID*2@$ $@PAGEVIEWBYID*3@$ $@COURSEVIEWBYID*2@$ $@WIKIPAGEBYID*1@$ $@NOSUCHRULE*2@$ $@COURSEVIEWBYID*2*3@$ @@PLUGINFILE@@/a.png $@NULL@$';
    expect(d.decode(text)).toBe(
      `${TARGET}/course/view.php?id=7 ${TARGET}/mod/page/view.php?id=30 ${TARGET}/course/view.php?id=7 ${TARGET}/mod/wiki/view.php?pageid=11 ` +
        '$@NOSUCHRULE*2@$ $@COURSEVIEWBYID*2*3@$ @@PLUGINFILE@@/a.png $@NULL@$',
    );
  });

  it('leaves texts without links alone', () => {
    const d = decoderWith({ course: { 2: 7 } });
    expect(d.decode('<p>plain @@PLUGINFILE@@/x.png</p>')).toBeUndefined();
    expect(d.decode('$@NOSUCHRULE*2@$')).toBeUndefined();
    expect(d.decode(null)).toBeUndefined();
    expect(d.decode('')).toBeUndefined();
  });

  it('urlencodes the whole URL for PLUGINFILEBYCONTEXTURLENCODED, as PHP urlencode()', () => {
    const d = decoderWith({ context: { 40: 400 } });
    expect(d.decode('$@PLUGINFILEBYCONTEXTURLENCODED*40@$')).toBe(
      'https%3A%2F%2Fnew.example%2Flms%2Fpluginfile.php%2F400',
    );
    expect(d.decode('$@PLUGINFILEBYCONTEXT*40@$')).toBe(`${TARGET}/pluginfile.php/400`);
    expect(phpUrlencode("a b~!*'()é")).toBe('a+b%7E%21%2A%27%28%29%C3%A9');
  });

  it('replaces the file.php and H5P embed markers of values of 32 bytes and more (process_cdata)', () => {
    const embed = '<iframe src="$@H5PEMBED@$?url=x"></iframe>';
    expect(processCdataMarkers(embed, TARGET, 7)).toBe(`<iframe src="${TARGET}/h5p/embed.php?url=x"></iframe>`);
    const file = '<img src="$@FILEPHP@$$@SLASH@$pics$@SLASH@$a.png$@FORCEDOWNLOAD@$">';
    expect(processCdataMarkers(file, TARGET, 7)).toBe(`<img src="${TARGET}/file.php/7/pics/a.png?forcedownload=1">`);
    // $@SLASH@$ and $@FORCEDOWNLOAD@$ only go with $@FILEPHP@$; under 32 bytes nothing is replaced.
    const slashOnly = 'no file link here, just $@SLASH@$ and $@FORCEDOWNLOAD@$';
    expect(processCdataMarkers(slashOnly, TARGET, 7)).toBe(slashOnly);
    expect(processCdataMarkers('$@H5PEMBED@$?url=short', TARGET, 7)).toBe('$@H5PEMBED@$?url=short');
  });

  it('has rules Moodle would accept: A-Z0-9 names, one mapping per consecutive $n placeholder, templates starting with /', () => {
    for (const r of DECODE_RULES) {
      expect(r.name).toMatch(/^[A-Z0-9]+$/);
      expect(r.template.startsWith('/')).toBe(true);
      const placeholders = [...r.template.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])).sort();
      expect(placeholders, r.name).toEqual(r.mappings.map((_, i) => i + 1));
    }
  });

  it('names only columns of the engine schema for the contents it can decode', () => {
    const tables = new Map(MOODLE_TABLES.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
    for (const c of DECODE_CONTENTS) {
      const columns = tables.get(c.table);
      if (!columns) continue; // qtype_ddimageortext, qtype_ddmarker: not written by the engine
      for (const f of c.fields) expect(columns.has(f), `${c.table}.${f}`).toBe(true);
    }
  });

  it('decodes the text of a serialized html block config and keeps the rest byte for byte', () => {
    const d = decoderWith({ course: { 2: 7 } });
    const text = 'Go: <a href="$@COURSEVIEWBYID*2@$">ü</a>';
    const configdata = Buffer.from(phpSerialize({ title: 'Links', format: '1', text, classes: '' })).toString('base64');
    const decoded = decodeBlockConfigdata(configdata, (t) => d.decode(t));
    const expectedText = `Go: <a href="${TARGET}/course/view.php?id=7">ü</a>`;
    expect(Buffer.from(decoded!, 'base64').toString('utf8')).toBe(
      phpSerialize({ title: 'Links', format: '1', text: expectedText, classes: '' }),
    );
    // No link, no text property, not base64 of a serialized object: nothing to change.
    expect(
      decodeBlockConfigdata(Buffer.from(phpSerialize({ text: 'plain' })).toString('base64'), (t) => d.decode(t)),
    ).toBeUndefined();
    expect(
      decodeBlockConfigdata(Buffer.from(phpSerialize({ title: '$@COURSEVIEWBYID*2@$' })).toString('base64'), (t) =>
        d.decode(t),
      ),
    ).toBeUndefined();
    expect(decodeBlockConfigdata('bm90IHNlcmlhbGl6ZWQ=', (t) => d.decode(t))).toBeUndefined();
  });
});

/** Unpacks a backup into `folder`. */
async function unpack(archive: string, folder: string): Promise<void> {
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
}

/** Rewrites one XML file of an unpacked backup; fails when nothing changed. */
async function edit(folder: string, entry: string, change: (xml: string) => string): Promise<void> {
  const file = join(folder, entry);
  const before = await readFile(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit(${entry}) changed nothing`);
  await writeFile(file, after);
}

/** Replaces the text of the first `<tag>` after `after` (an opening tag with its id) by `value`. */
function setText(xml: string, after: string, tag: string, value: string): string {
  const from = xml.indexOf(after);
  if (from < 0) throw new Error(`${after} not found`);
  const open = xml.indexOf(`<${tag}>`, from);
  const close = xml.indexOf(`</${tag}>`, open);
  return xml.slice(0, open + tag.length + 2) + value + xml.slice(close);
}

/** Every text of a decode content still holding a link Moodle would decode, as `table.field#id: link`. */
async function remainingLinks(storage: StorageAdapter): Promise<string[]> {
  const tables = new Set(MOODLE_TABLES.map((t) => t.name));
  const left: string[] = [];
  for (const c of DECODE_CONTENTS.filter((x) => tables.has(x.table))) {
    for (const row of await storage.select(c.table)) {
      for (const f of c.fields) {
        let value = row[f];
        if (typeof value !== 'string') continue;
        if (c.kind === 'block-configdata') value = Buffer.from(value, 'base64').toString('latin1');
        for (const link of knownLinks(value)) left.push(`${c.table}.${f}#${row.id}: ${link}`);
      }
    }
  }
  return left;
}

/** The one row of `table` matching `where`. */
async function one(storage: StorageAdapter, table: string, where: Record<string, string | number>): Promise<Row> {
  const rows = await storage.select(table, where);
  expect(rows, `${table} ${JSON.stringify(where)}`).toHaveLength(1);
  return rows[0]!;
}

describe.skipIf(!hasShared())('decode-links: gen_allmods_users.mbz as Moodle 4.3 wrote it', () => {
  it('rewrites $@WIKIPAGEBYID*n@$ in wiki_pages.cachedcontent to the new ids of the pages with the backup ids', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    // A first restore, so that the second one's ids differ from the backup's.
    await restore(ALLMODS, { storage, options: USER_OPTIONS });
    const { courseid } = await restore(ALLMODS, { storage, options: USER_OPTIONS, siteUrl: 'https://site.example/' });

    const dir = await mkdtemp(join(tmpdir(), 'mbz-decode-'));
    try {
      await unpack(ALLMODS, dir);
      const wikiXml = await readFile(join(dir, 'activities/wiki_12/wiki.xml'), 'utf8');
      const titles = new Map(
        [...wikiXml.matchAll(/<page id="(\d+)">\s*<title>([^<]*)<\/title>/g)].map((m) => [Number(m[1]), m[2]!]),
      );
      const encoded = [...wikiXml.matchAll(/\$@WIKIPAGEBYID\*(\d+)@\$/g)].map((m) => Number(m[1]));
      expect(encoded.length).toBeGreaterThan(0);

      const [wiki] = await storage.select('wiki', { course: courseid });
      const subwikis = await storage.select('wiki_subwikis', { wikiid: Number(wiki!.id) });
      const pages = (
        await Promise.all(subwikis.map((s) => storage.select('wiki_pages', { subwikiid: Number(s.id) })))
      ).flat();
      const byTitle = new Map(pages.map((p) => [String(p.title), Number(p.id)]));
      const linked = pages.flatMap((p) =>
        [...String(p.cachedcontent).matchAll(/https:\/\/site\.example\/mod\/wiki\/view\.php\?pageid=(\d+)/g)].map((m) =>
          Number(m[1]),
        ),
      );
      expect(linked).toEqual(encoded.map((old) => byTitle.get(titles.get(old)!)));
      // The new ids are not the backup's: the links were mapped, not copied.
      expect(linked).not.toEqual(encoded);
      expect(await remainingLinks(storage)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(!hasShared())(
  'decode-links: gen_allmods_users.mbz with links in course, section, module, question and block texts',
  () => {
    let dir: string;
    let storage: StorageAdapter;
    let courseid: number;
    let backup: { forumId: number; entryId: number; chapterId: number };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mbz-decode-'));
      const folder = join(dir, 'allmods');
      await unpack(ALLMODS, folder);
      const manifest = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
      expect(manifest).toContain('<original_course_id>2</original_course_id>');
      expect(manifest).toContain('<original_wwwroot>http://localhost/moodle</original_wwwroot>');
      const forumXml = await readFile(join(folder, 'activities/forum_9/forum.xml'), 'utf8');
      const glossaryXml = await readFile(join(folder, 'activities/glossary_11/glossary.xml'), 'utf8');
      const bookXml = await readFile(join(folder, 'activities/book_6/book.xml'), 'utf8');
      backup = {
        forumId: Number(/<forum id="(\d+)"/.exec(forumXml)![1]),
        entryId: Number(/<entry id="(\d+)"/.exec(glossaryXml)![1]),
        chapterId: Number(/<chapter id="(\d+)"/.exec(bookXml)![1]),
      };

      // Backup ids: course 2, course modules forum 9, page 2, url 3, book 6, quiz 14; discussion 1 with posts 1 and 2.
      await edit(folder, 'course/course.xml', (x) =>
        setText(
          x,
          '<course ',
          'summary',
          'Home $@COURSEVIEWBYID*2@$, grades $@GRADEINDEXBYID*2@$, gone $@COURSEVIEWBYID*424242@$ @@PLUGINFILE@@/a.png',
        ),
      );
      await edit(folder, 'sections/section_2/section.xml', (x) =>
        setText(x, '<section ', 'summary', 'See $@FORUMVIEWBYID*9@$ and $@PAGEVIEWBYID*2@$'),
      );
      await edit(folder, 'activities/forum_9/forum.xml', (x) =>
        setText(
          setText(x, '<forum ', 'intro', `Forum $@FORUMVIEWBYF*${backup.forumId}@$`),
          '<post id="1">',
          'message',
          'Reply $@FORUMDISCUSSIONVIEWPARENT*1*2@$, lost $@FORUMDISCUSSIONVIEWINSIDE*1*99999@$',
        ),
      );
      await edit(folder, 'activities/page_2/page.xml', (x) =>
        setText(
          x,
          '<page ',
          'content',
          'All pages $@PAGEINDEX*2@$, a url $@URLVIEWBYID*3@$ &lt;iframe src="$@H5PEMBED@$?url=x"&gt;',
        ),
      );
      // Site-URL markers outside the decoded contents (a section name) and in users.xml (left alone by Moodle's users parser).
      await edit(folder, 'sections/section_3/section.xml', (x) =>
        setText(x, '<section ', 'name', 'Files $@FILEPHP@$$@SLASH@$notes.pdf'),
      );
      await edit(folder, 'users.xml', (x) =>
        setText(x, '<username>allmods_s01</username>', 'description', 'Embed: $@H5PEMBED@$?url=kept-as-is'),
      );
      await edit(folder, 'activities/glossary_11/glossary.xml', (x) =>
        setText(x, `<entry id="${backup.entryId}"`, 'definition', `Entry $@GLOSSARYSHOWENTRY*2*${backup.entryId}@$`),
      );
      await edit(folder, 'activities/book_6/book.xml', (x) =>
        setText(x, `<chapter id="${backup.chapterId}"`, 'content', `Chapter $@BOOKVIEWBYIDCH*6*${backup.chapterId}@$`),
      );
      await edit(folder, 'questions.xml', (x) =>
        setText(x, '<question id="1"', 'questiontext', 'Before the quiz $@QUIZVIEWBYID*14@$'),
      );
      // An html block on the course page whose config text links to the course.
      const config = Buffer.from(
        phpSerialize({ title: 'Links', text: 'Back to $@COURSEVIEWBYID*2@$', format: '1' }),
      ).toString('base64');
      const commentsBlock = await readFile(join(folder, 'course/blocks/comments_6/block.xml'), 'utf8');
      await mkdir(join(folder, 'course/blocks/html_9001'), { recursive: true });
      await writeFile(
        join(folder, 'course/blocks/html_9001/block.xml'),
        commentsBlock
          .replace(/<block id="\d+" contextid="\d+"/, '<block id="9001" contextid="9001"')
          .replace('<blockname>comments</blockname>', '<blockname>html</blockname>')
          .replace('<configdata>$@NULL@$</configdata>', `<configdata>${config}</configdata>`),
      );

      storage = createMemoryStorage();
      await storage.open();
      await restore(ALLMODS, { storage, options: USER_OPTIONS }); // ids of the second restore differ from the backup's
      ({ courseid } = await restore(folder, { storage, options: USER_OPTIONS, siteUrl: TARGET }));
      expect(courseid).not.toBe(2);
    }, 180_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** The new course module of the restored instance of `modname` called `name`. */
    async function cmOf(modname: string, name: string): Promise<number> {
      const instance = await one(storage, modname, { course: courseid, name });
      const module = await one(storage, 'modules', { name: modname });
      return Number(
        (
          await one(storage, 'course_modules', {
            course: courseid,
            module: Number(module.id),
            instance: Number(instance.id),
          })
        ).id,
      );
    }

    it('course summary: mapped ids to this site, an unmapped course id to the source site, file markers kept', async () => {
      const course = await one(storage, 'course', { id: courseid });
      expect(course.summary).toBe(
        `Home ${TARGET}/course/view.php?id=${courseid}, grades ${TARGET}/grade/index.php?id=${courseid}, gone http://localhost/moodle/course/view.php?id=424242 @@PLUGINFILE@@/a.png`,
      );
    });

    it('section summary and module texts point at the new course modules and instances', async () => {
      const forumCm = await cmOf('forum', 'General discussion');
      const pageXml = await readFile(join(dir, 'allmods/activities/page_2/page.xml'), 'utf8');
      const urlXml = await readFile(join(dir, 'allmods/activities/url_3/url.xml'), 'utf8');
      const pageName = /<name>([^<]*)<\/name>/.exec(pageXml)![1]!;
      const urlName = /<name>([^<]*)<\/name>/.exec(urlXml)![1]!;
      const sectionXml = await readFile(join(dir, 'allmods/sections/section_2/section.xml'), 'utf8');
      const section = await one(storage, 'course_sections', {
        course: courseid,
        section: Number(/<number>(\d+)<\/number>/.exec(sectionXml)![1]),
      });
      expect(section.summary).toBe(
        `See ${TARGET}/mod/forum/view.php?id=${forumCm} and ${TARGET}/mod/page/view.php?id=${await cmOf('page', pageName)}`,
      );

      const forum = await one(storage, 'forum', { course: courseid, name: 'General discussion' });
      expect(forum.intro).toBe(`Forum ${TARGET}/mod/forum/view.php?f=${forum.id}`);
      const page = await one(storage, 'page', { course: courseid, name: pageName });
      expect(page.content).toBe(
        `All pages ${TARGET}/mod/page/index.php?id=${courseid}, a url ${TARGET}/mod/url/view.php?id=${await cmOf('url', urlName)} <iframe src="${TARGET}/h5p/embed.php?url=x">`,
      );
    });

    it('forum posts: a discussion and post pair maps, one with an unknown post keeps the backup ids and the source site', async () => {
      const discussion = await one(storage, 'forum_discussions', { course: courseid, name: 'Introductions (A)' });
      const posts = await storage.select('forum_posts', { discussion: Number(discussion.id) });
      const first = posts.find((p) => Number(p.parent) === 0)!;
      const reply = posts
        .filter((p) => Number(p.parent) === Number(first.id))
        .sort((a, b) => Number(a.id) - Number(b.id))[0]!;
      expect(first.message).toBe(
        `Reply ${TARGET}/mod/forum/discuss.php?d=${discussion.id}&parent=${reply.id}, lost http://localhost/moodle/mod/forum/discuss.php?d=1#99999`,
      );
    });

    it('glossary entries, book chapters and question texts', async () => {
      const glossaryXml = await readFile(join(dir, 'allmods/activities/glossary_11/glossary.xml'), 'utf8');
      const concept = new RegExp(`<entry id="${backup.entryId}">[\\s\\S]*?<concept>([^<]*)</concept>`).exec(
        glossaryXml,
      )![1];
      const glossary = (await storage.select('glossary', { course: courseid }))[0]!;
      const entries = await storage.select('glossary_entries', { glossaryid: Number(glossary.id) });
      const entry = entries.find((e) => String(e.definition).startsWith('Entry '))!;
      expect(entry.concept).toBe(concept);
      expect(entry.definition).toBe(`Entry ${TARGET}/mod/glossary/showentry.php?courseid=${courseid}&eid=${entry.id}`);

      const bookXml = await readFile(join(dir, 'allmods/activities/book_6/book.xml'), 'utf8');
      const bookName = /<name>([^<]*)<\/name>/.exec(bookXml)![1]!;
      const book = await one(storage, 'book', { course: courseid, name: bookName });
      const chapter = (await storage.select('book_chapters', { bookid: Number(book.id) })).find((c) =>
        String(c.content).startsWith('Chapter '),
      )!;
      expect(chapter.content).toBe(
        `Chapter ${TARGET}/mod/book/view.php?id=${await cmOf('book', bookName)}&amp;chapterid=${chapter.id}`,
      );

      const quizXml = await readFile(join(dir, 'allmods/activities/quiz_14/quiz.xml'), 'utf8');
      const quizCm = await cmOf('quiz', /<name>([^<]*)<\/name>/.exec(quizXml)![1]!);
      const questions = (await storage.select('question')).filter((q) =>
        String(q.questiontext).startsWith('Before the quiz '),
      );
      expect(questions.map((q) => q.questiontext)).toContain(
        `Before the quiz ${TARGET}/mod/quiz/view.php?id=${quizCm}`,
      );
    });

    it('html block config: the text inside the base64 serialized object', async () => {
      const ctx = await one(storage, 'context', { contextlevel: 50, instanceid: courseid });
      const block = await one(storage, 'block_instances', { blockname: 'html', parentcontextid: Number(ctx.id) });
      expect(Buffer.from(String(block.configdata), 'base64').toString('utf8')).toBe(
        phpSerialize({ title: 'Links', text: `Back to ${TARGET}/course/view.php?id=${courseid}`, format: '1' }),
      );
    });

    it('replaces file.php markers in any restored column, not in users.xml values', async () => {
      const sectionXml = await readFile(join(dir, 'allmods/sections/section_3/section.xml'), 'utf8');
      const section = await one(storage, 'course_sections', {
        course: courseid,
        section: Number(/<number>(\d+)<\/number>/.exec(sectionXml)![1]),
      });
      expect(section.name).toBe(`Files ${TARGET}/file.php/${courseid}/notes.pdf`);
      // Users are created (not matched to the first restore's) only in a store of their own.
      const fresh = createMemoryStorage();
      await fresh.open();
      await restore(join(dir, 'allmods'), { storage: fresh, options: USER_OPTIONS, siteUrl: TARGET });
      expect((await one(fresh, 'user', { username: 'allmods_s01' })).description).toBe(
        'Embed: $@H5PEMBED@$?url=kept-as-is',
      );
    }, 60_000);

    it('leaves no link Moodle would decode in any restored text', async () => {
      expect(await remainingLinks(storage)).toEqual([]);
    });
  },
);
