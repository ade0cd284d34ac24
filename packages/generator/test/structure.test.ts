/**
 * Structure of a generated xs backup: the entries a Moodle 4.3 course backup has, Moodle's
 * `.ARCHIVE_INDEX`, directory entries, well-formed XML in Moodle's layout, and the moodle2 format
 * detection rule (`convert_helper::detect_moodle2_format()`).
 */
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateResult } from '../src/index.ts';
import { readTarGz, readZip, text, type ArchiveContents } from './support/read-archive.ts';
import { tempBackups, type TempBackups } from './support/generate.ts';

let tmp: TempBackups;
let result: GenerateResult;
let tar: ArchiveContents;
let zip: ArchiveContents;

beforeAll(async () => {
  tmp = await tempBackups();
  result = await tmp.generate({ size: 'xs', seed: 3, name: 'xs.mbz' });
  tar = await readTarGz(result.path);
  zip = await readZip((await tmp.generate({ size: 'xs', seed: 3, container: 'zip', name: 'xs.zip' })).path);
});
afterAll(async () => {
  await tmp.cleanup();
});

const ROOT_FILES = [
  'moodle_backup.xml',
  'moodle_backup.log',
  'files.xml',
  'users.xml',
  'roles.xml',
  'groups.xml',
  'scales.xml',
  'outcomes.xml',
  'questions.xml',
  'gradebook.xml',
  'grade_history.xml',
  'completion.xml',
  'badges.xml',
];
const COURSE_FILES = [
  'course.xml',
  'inforef.xml',
  'enrolments.xml',
  'roles.xml',
  'filters.xml',
  'comments.xml',
  'calendar.xml',
  'logs.xml',
  'logstores.xml',
  'competencies.xml',
  'completiondefaults.xml',
  'contentbank.xml',
  'loglastaccess.xml',
];
const ACTIVITY_FILES = [
  'module.xml',
  'inforef.xml',
  'grades.xml',
  'grade_history.xml',
  'roles.xml',
  'filters.xml',
  'comments.xml',
  'calendar.xml',
  'completion.xml',
  'logs.xml',
  'logstores.xml',
  'competencies.xml',
  'xapistate.xml',
];

describe('entries', () => {
  it('has the root, course, section, activity and block files of a real backup', () => {
    for (const name of ROOT_FILES) expect(tar.files.has(name), name).toBe(true);
    for (const name of COURSE_FILES) expect(tar.files.has(`course/${name}`), name).toBe(true);
    const mb = text(tar, 'moodle_backup.xml');
    const dirs = [...mb.matchAll(/<directory>(activities\/(\w+)_\d+)<\/directory>/g)];
    expect(dirs.length).toBe(result.counts.activities);
    for (const [, dir, mod] of dirs) {
      for (const name of [...ACTIVITY_FILES, `${mod}.xml`])
        expect(tar.files.has(`${dir}/${name}`), `${dir}/${name}`).toBe(true);
    }
    for (const [, dir] of mb.matchAll(/<directory>(sections\/section_\d+)<\/directory>/g)) {
      expect(tar.files.has(`${dir}/section.xml`)).toBe(true);
      expect(tar.files.has(`${dir}/inforef.xml`)).toBe(true);
    }
    const blocks = [...tar.files.keys()].filter((n) => n.endsWith('/block.xml'));
    expect(blocks.map((n) => n.replace(/_\d+\/block\.xml$/, '')).sort()).toEqual([
      'course/blocks/html',
      'course/blocks/online_users',
    ]);
  });

  it('lists every parent directory as an entry before its children', () => {
    for (const [position, name] of tar.names.entries()) {
      const parts = name.replace(/\/$/, '').split('/');
      for (let i = 1; i < parts.length; i++) {
        const parent = `${parts.slice(0, i).join('/')}/`;
        const at = tar.names.indexOf(parent);
        expect(at, `${parent} before ${name}`).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThan(position);
      }
    }
  });

  it('starts the tar.gz with an exact .ARCHIVE_INDEX', () => {
    expect(tar.names[0]).toBe('.ARCHIVE_INDEX');
    const lines = text(tar, '.ARCHIVE_INDEX').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(`Moodle archive file index. Count: ${tar.names.length - 1}`);
    const listed = lines.slice(1, -1).map((line) => line.split('\t'));
    expect(listed.map((l) => l[0])).toEqual(tar.names.slice(1));
    for (const [path, type, size, mtime] of listed) {
      if (path?.endsWith('/')) expect([type, size, mtime]).toEqual(['d', '0', '?']);
      else {
        expect(type).toBe('f');
        expect(Number(size)).toBe(tar.files.get(path ?? '')?.length);
        expect(mtime).toMatch(/^\d+$/);
      }
    }
  });

  it('writes the same entries and bytes into the ZIP (without the index)', () => {
    expect(zip.names).toEqual(tar.names.slice(1));
    for (const [name, content] of zip.files)
      expect(content.equals(tar.files.get(name) ?? Buffer.alloc(0)), name).toBe(true);
  });
});

describe('xml', () => {
  it("passes Moodle's moodle2 detection rule (first 200 bytes)", () => {
    const head = tar.files.get('moodle_backup.xml')?.subarray(0, 200).toString('utf8') ?? '';
    expect(head.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(head).toContain('<moodle_backup>');
    expect(head).toContain('<information>');
  });

  it("writes every XML file well-formed, in Moodle's layout", () => {
    const xmlNames = [...tar.files.keys()].filter((n) => n.endsWith('.xml'));
    expect(xmlNames.length).toBeGreaterThan(100);
    for (const name of xmlNames) {
      const source = text(tar, name);
      expect(XMLValidator.validate(source), name).toBe(true);
      expect(source.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<'), name).toBe(true);
      expect(source.endsWith('>'), `${name} ends without newline`).toBe(true);
      for (const line of source.split('\n')) {
        const indent = /^( *)</.exec(line)?.[1]?.length;
        if (indent !== undefined) expect(indent % 2, `${name}: ${line}`).toBe(0);
      }
    }
  });

  it('uses $@NULL@$ for NULL and escapes markup in text', () => {
    const files = text(tar, 'files.xml');
    expect(files).toContain('<filename>notes &amp; slides.dat</filename>');
    expect(files).toContain('<filename>Übung &lt;2&gt;.txt</filename>');
    expect(files).toContain('<mimetype>$@NULL@$</mimetype>');
    expect(text(tar, 'users.xml')).toMatch(/<description>(\$@NULL@\$|&lt;p&gt;)/);
  });

  it('reports the root settings it wrote', () => {
    const mb = text(tar, 'moodle_backup.xml');
    const written = Object.fromEntries(
      [...mb.matchAll(/<setting>\s*<level>root<\/level>\s*<name>([^<]*)<\/name>\s*<value>([^<]*)<\/value>/g)].map(
        (m) => [m[1], m[2]],
      ),
    );
    expect(written).toEqual(result.settings);
    expect(written.users).toBe('1');
    expect(mb).toContain(`<original_course_fullname>${result.course.fullname}</original_course_fullname>`);
    expect(mb).toContain(`<original_course_startdate>${result.course.startdate}</original_course_startdate>`);
    expect(mb).toMatch(
      /<type>course<\/type>\s*<format>moodle2<\/format>\s*<interactive>1<\/interactive>\s*<mode>10<\/mode>/,
    );
    expect(mb).toContain('<moodle_release>4.3 (Build: 20231009)</moodle_release>');
    expect(mb).toContain('<backup_version>2023100900</backup_version>');
  });
});
