/** The sections stage (course_sections from section.xml) and the section work of finalize (missing numbers). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { courseStructure, editEntry, generatedFolder, readEntries, restoreFresh } from './support/course-structure.ts';

const GEN_S = generatedFixture('gen_s_users.mbz');

/** `<tag>value</tag>` of a section.xml (null for `$@NULL@$`). */
function field(xml: string, tag: string): string | null {
  const value = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';
  return value === '$@NULL@$' ? null : value;
}

describe.skipIf(!hasShared())('sections stage — gen_s_users (Moodle 4.3)', () => {
  it('writes one section per section.xml, with its number, name, summary and visibility, and sequences of new modules only', async () => {
    const { storage, result } = await restoreFresh(GEN_S);
    const expected = JSON.parse(await readFile(generatedFixture('gen_s_users.expected.json'), 'utf8')) as {
      counts: { course_sections: number };
    };
    const s = await courseStructure(storage, result.courseid);
    const xmls = [...(await readEntries(GEN_S, /^sections\/section_\d+\/section\.xml$/)).values()];
    expect(s.sections).toHaveLength(xmls.length);
    expect(s.sections).toHaveLength(expected.counts.course_sections);
    for (const xml of xmls) {
      const row = s.sections.find((r) => r.section === Number(field(xml, 'number')))!;
      expect(row, `section ${field(xml, 'number')}`).toBeDefined();
      expect(row.name).toBe(field(xml, 'name'));
      expect(row.summary).toBe(field(xml, 'summary'));
      expect(row.visible).toBe(Number(field(xml, 'visible')));
      expect(row.course).toBe(result.courseid);
    }
    // The backup's sequences hold source cmids; the restored ones only new course module ids.
    const cms = new Set(s.modules.map((m) => Number(m.id)));
    for (const row of s.sections) {
      for (const cm of String(row.sequence)
        .split(',')
        .filter((x) => x !== ''))
        expect(cms.has(Number(cm))).toBe(true);
    }
  }, 120_000);
});

describe('sections stage — generated backup', () => {
  let dir: string;
  let folder: string;
  let sectionXml: Map<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-sections-'));
    folder = await generatedFolder(dir, 'xs');
    sectionXml = await readEntries(folder, /^sections\/section_\d+\/section\.xml$/);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('section_<id>_included 0 leaves the section and its activities out; a gap is filled with an empty section', async () => {
    const entries = [...sectionXml.entries()].sort(
      (a, b) => Number(field(a[1], 'number')) - Number(field(b[1], 'number')),
    );
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const [entry, xml] = entries[1]!;
    const key = entry.split('/')[1]!;
    const sectionId = Number(key.slice('section_'.length));
    const full = await restoreFresh(folder);
    const { storage, result } = await restoreFresh(folder, { [`${key}_included`]: 0 });
    const s = await courseStructure(storage, result.courseid);
    const all = await courseStructure(full.storage, full.result.courseid);
    // Still numbered 0..max: finalize creates the excluded number as an empty section.
    expect(s.sections.map((r) => r.section)).toEqual(all.sections.map((r) => r.section));
    const gap = s.sections.find((r) => r.section === Number(field(xml, 'number')))!;
    expect(gap).toMatchObject({ name: null, sequence: '', visible: 1 });
    const moodleBackup = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
    const inSection = [
      ...moodleBackup.matchAll(/<activity>\s*<moduleid>\d+<\/moduleid>\s*<sectionid>(\d+)<\/sectionid>/g),
    ].filter((m) => Number(m[1]) === sectionId).length;
    expect(inSection).toBeGreaterThan(0);
    expect(s.modules).toHaveLength(all.modules.length - inSection);
  });

  it('finalize creates every missing section number from 0 to the highest', async () => {
    const copy = await generatedFolder(dir, 'gap', 7);
    const entries = await readEntries(copy, /^sections\/section_\d+\/section\.xml$/);
    const [last] = [...entries.entries()].sort((a, b) => Number(field(b[1], 'number')) - Number(field(a[1], 'number')));
    const top = Number(field(last![1], 'number'));
    await editEntry(copy, last![0], (xml) => xml.replace(`<number>${top}</number>`, `<number>${top + 3}</number>`));
    const { storage, result } = await restoreFresh(copy);
    const s = await courseStructure(storage, result.courseid);
    expect(s.sections.map((r) => r.section)).toEqual([...Array(top + 4).keys()]);
    for (const n of [top, top + 1, top + 2])
      expect(s.sections.find((r) => r.section === n)).toMatchObject({ sequence: '', name: null });
    // The moved section keeps its modules.
    expect(String(s.sections.find((r) => r.section === top + 3)!.sequence)).not.toBe('');
  });
});

describe.skipIf(!hasShared())('sections stage — real backups', () => {
  it("keeps section-level course format options when the format is the course's (format_tiles, 4.3)", async () => {
    const file = mbzFixture('format_tiles__tests-fixtures-mbz-moodle-43-late-beta.mbz');
    const { storage, result } = await restoreFresh(file);
    const [course] = await storage.select('course', { id: result.courseid });
    const xmls = await readEntries(file, /^sections\/section_\d+\/section\.xml$/);
    let expected = 0;
    for (const xml of xmls.values()) {
      expected += [...xml.matchAll(/<course_format_options id="\d+">\s*<format>([^<]*)<\/format>/g)].filter(
        (m) => m[1] === course!.format,
      ).length;
    }
    expect(expected).toBeGreaterThan(0);
    const options = (await storage.select('course_format_options', { courseid: result.courseid })).filter(
      (o) => Number(o.sectionid) !== 0,
    );
    expect(options).toHaveLength(expected);
    const sections = new Set(
      (await storage.select('course_sections', { course: result.courseid })).map((r) => Number(r.id)),
    );
    for (const option of options) expect(sections.has(Number(option.sectionid))).toBe(true);
  });

  it('creates every number up to the highest one, as Moodle does (a 3.0 backup with section 999)', async () => {
    const file = mbzFixture(
      'mod_studentquiz__tests-fixtures-backup-moodle2-course_moodle30_sq203_nofiles__va2f32e9.mbz',
    );
    const xmls = await readEntries(file, /^sections\/section_\d+\/section\.xml$/);
    const top = Math.max(...[...xmls.values()].map((x) => Number(field(x, 'number'))));
    const { storage, result } = await restoreFresh(file);
    const s = await courseStructure(storage, result.courseid);
    expect(s.sections.map((r) => r.section)).toEqual([...Array(top + 1).keys()]);
  }, 60_000);
});
