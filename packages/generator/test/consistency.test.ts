/**
 * Self-consistency of generated backups (xs and s): the counts the generator reports equal the
 * records counted independently in the archive, blob names are the real SHA-1 of their content, and
 * every id the backup refers to resolves to a record inside the backup.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIZE_TABLE, type GenerateResult } from '../src/index.ts';
import { countMatches, readTarGz, text, type ArchiveContents } from './support/read-archive.ts';
import { tempBackups, type TempBackups } from './support/generate.ts';

let tmp: TempBackups;
const backups = new Map<string, { result: GenerateResult; archive: ArchiveContents }>();

beforeAll(async () => {
  tmp = await tempBackups();
  for (const size of ['xs', 's'] as const) {
    const result = await tmp.generate({ size, seed: 11, name: `${size}.mbz` });
    backups.set(size, { result, archive: await readTarGz(result.path) });
  }
}, 60_000);
afterAll(async () => {
  await tmp.cleanup();
});

const get = (size: string): { result: GenerateResult; archive: ArchiveContents } => {
  const b = backups.get(size);
  if (b === undefined) throw new Error(`no ${size} backup`);
  return b;
};
const named = (a: ArchiveContents, re: RegExp): string[] => [...a.files.keys()].filter((n) => re.test(n));
const sum = (a: ArchiveContents, names: string[], re: RegExp): number =>
  names.reduce((s, n) => s + countMatches(text(a, n), re), 0);
const ids = (source: string, re: RegExp): number[] => [...source.matchAll(re)].map((m) => Number(m[1]));
const allXml = (a: ArchiveContents): string[] => named(a, /\.xml$/).map((n) => text(a, n));
const block = (source: string, tag: string): string =>
  new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`).exec(source)?.[0] ?? '';

describe.each(['xs', 's'])('size %s', (size) => {
  it('reports exactly the records in the archive', () => {
    const { result, archive: a } = get(size);
    const mb = text(a, 'moodle_backup.xml');
    const contents = block(mb, 'contents');
    const modules: Record<string, number> = {};
    for (const [, mod] of block(contents, 'activities').matchAll(/<modulename>(\w+)<\/modulename>/g))
      modules[mod ?? ''] = (modules[mod ?? ''] ?? 0) + 1;
    const logstore = sum(a, named(a, /(^|\/)logstores\.xml$/), /<logstore_\w+_log[ >]/g);
    const legacy = sum(a, named(a, /(^|\/)logs\.xml$/), /<log[ >]/g);
    const files = text(a, 'files.xml');
    const counted = {
      sections: countMatches(block(contents, 'sections'), /<section>/g),
      activities: countMatches(block(contents, 'activities'), /<activity>/g),
      modules: Object.fromEntries(Object.entries(modules).sort(([x], [y]) => (x < y ? -1 : 1))),
      users: countMatches(text(a, 'users.xml'), /<user /g),
      logEntries: logstore + legacy,
      logEntriesLegacy: legacy,
      logEntriesLogstore: logstore,
      files: countMatches(files, /<file id=/g),
      filesNonDir: countMatches(files, /<file id=/g) - countMatches(files, /<filename>\.<\/filename>/g),
      blobs: named(a, /^files\/[0-9a-f]{2}\/[0-9a-f]{40}$/).length,
      questionCategories: countMatches(text(a, 'questions.xml'), /<question_category /g),
      questions: countMatches(text(a, 'questions.xml'), /<question /g),
      gradeHistoryEntries: sum(a, named(a, /(^|\/)grade_history\.xml$/), /<grade_grade /g),
      gradeGrades: sum(a, ['gradebook.xml', ...named(a, /^activities\/[^/]+\/grades\.xml$/)], /<grade_grade /g),
      groups: countMatches(text(a, 'groups.xml'), /<group /g),
      userEnrolments: countMatches(text(a, 'course/enrolments.xml'), /<enrolment /g),
      comments: sum(a, named(a, /(^|\/)comments\.xml$/), /<comment /g),
      blocks: named(a, /\/block\.xml$/).length,
    };
    expect(result.counts).toEqual(counted);
    expect(Object.keys(result.counts.modules)).toEqual(Object.keys(result.counts.modules).sort());
    expect(result.uncompressedBytes).toBe(
      [...a.files].filter(([n]) => n !== '.ARCHIVE_INDEX').reduce((s, [, b]) => s + b.length, 0),
    );
  });

  it('matches the size table', () => {
    const { result } = get(size);
    const profile = SIZE_TABLE[size as 'xs'];
    expect(result.counts.logEntries).toBe(profile.logRecords);
    expect(result.counts.users).toBe(profile.students + profile.teachers + 1);
    expect(result.counts.sections).toBe(profile.sections);
    expect(result.counts.blobs).toBe(profile.smallFiles.count + profile.bigFiles.count);
    expect(result.counts.files).toBeGreaterThan(result.counts.filesNonDir);
    expect(result.counts.filesNonDir).toBeGreaterThan(result.counts.blobs);
  });

  it('stores each blob under its real SHA-1, once per content hash in files.xml', () => {
    const { archive: a } = get(size);
    const blobNames = named(a, /^files\//);
    for (const name of blobNames) {
      const sha1 = createHash('sha1')
        .update(a.files.get(name) ?? Buffer.alloc(0))
        .digest('hex');
      expect(name).toBe(`files/${sha1.slice(0, 2)}/${sha1}`);
    }
    const files = text(a, 'files.xml');
    const hashes = new Set<string>();
    for (const record of files.split('</file>').slice(0, -1)) {
      const hash = /<contenthash>([0-9a-f]{40})</.exec(record)?.[1] ?? '';
      const size = Number(/<filesize>(\d+)</.exec(record)?.[1]);
      if (record.includes('<filename>.</filename>')) {
        expect(hash).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
        continue;
      }
      hashes.add(hash);
      expect(a.files.get(`files/${hash.slice(0, 2)}/${hash}`)?.length, hash).toBe(size);
    }
    expect(hashes.size).toBe(blobNames.length);
  });

  it('resolves every user id to users.xml, and users.xml to the inforefs', () => {
    const { archive: a } = get(size);
    const users = new Set(ids(text(a, 'users.xml'), /<user id="(\d+)"/g));
    const fields =
      /<(?:userid|relateduserid|grader|usermodified|loggeduser|modifierid|createdby|modifiedby|ownerid)>(\d+)</g;
    let checked = 0;
    for (const source of allXml(a)) {
      for (const id of ids(source, fields)) {
        expect(users.has(id), `user ${id}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    const referenced = new Set<number>();
    for (const name of named(a, /inforef\.xml$/))
      for (const id of ids(block(text(a, name), 'userref'), /<id>(\d+)<\/id>/g)) referenced.add(id);
    expect([...referenced].sort()).toEqual([...users].sort());
  });

  it('resolves inforef, gradebook, question and section references', () => {
    const { archive: a } = get(size);
    const fileIds = new Set(ids(text(a, 'files.xml'), /<file id="(\d+)"/g));
    const gradeItems = new Set(
      named(a, /(^|\/)grades?(book)?\.xml$/).flatMap((n) => ids(text(a, n), /<grade_item id="(\d+)"/g)),
    );
    const gradeGrades = new Set(
      ['gradebook.xml', ...named(a, /\/grades\.xml$/)].flatMap((n) => ids(text(a, n), /<grade_grade id="(\d+)"/g)),
    );
    const questionsXml = text(a, 'questions.xml');
    const categories = new Set(ids(questionsXml, /<question_category id="(\d+)"/g));
    const groupsXml = text(a, 'groups.xml');
    for (const name of named(a, /inforef\.xml$/)) {
      const source = text(a, name);
      for (const id of ids(block(source, 'fileref'), /<id>(\d+)</g))
        expect(fileIds.has(id), `${name} file ${id}`).toBe(true);
      for (const id of ids(block(source, 'grade_itemref'), /<id>(\d+)</g))
        expect(gradeItems.has(id), `${name} grade item ${id}`).toBe(true);
      for (const id of ids(block(source, 'question_categoryref'), /<id>(\d+)</g)) expect(categories.has(id)).toBe(true);
      for (const id of ids(block(source, 'groupref'), /<id>(\d+)</g)) expect(groupsXml).toContain(`<group id="${id}">`);
      for (const id of ids(block(source, 'groupingref'), /<id>(\d+)</g))
        expect(groupsXml).toContain(`<grouping id="${id}">`);
      for (const id of ids(block(source, 'roleref'), /<id>(\d+)</g))
        expect(text(a, 'roles.xml')).toContain(`<role id="${id}">`);
    }
    const referencedFiles = new Set(
      named(a, /inforef\.xml$/).flatMap((n) => ids(block(text(a, n), 'fileref'), /<id>(\d+)</g)),
    );
    expect(referencedFiles).toEqual(fileIds);
    for (const name of named(a, /(^|\/)grade_history\.xml$/)) {
      const source = text(a, name);
      for (const id of ids(source, /<itemid>(\d+)</g)) expect(gradeItems.has(id)).toBe(true);
      for (const id of ids(source, /<oldid>(\d+)</g)) expect(gradeGrades.has(id)).toBe(true);
    }
    const questionIds = new Set(ids(questionsXml, /<question id="(\d+)"/g));
    const entryIds = new Set(ids(questionsXml, /<question_bank_entry id="(\d+)"/g));
    for (const name of named(a, /\/quiz\.xml$/)) {
      const source = text(a, name);
      for (const id of ids(source, /<questionid>(\d+)</g)) expect(questionIds.has(id)).toBe(true);
      for (const id of ids(source, /<questionbankentryid>(\d+)</g)) expect(entryIds.has(id)).toBe(true);
    }
    for (const name of named(a, /^activities\/assign_\d+\/comments\.xml$/)) {
      const submissions = new Set(ids(text(a, name.replace('comments.xml', 'assign.xml')), /<submission id="(\d+)"/g));
      const itemids = ids(text(a, name), /<itemid>(\d+)</g);
      expect(itemids.length).toBeGreaterThan(0);
      for (const id of itemids) expect(submissions.has(id)).toBe(true);
    }
  });

  it('resolves contexts, sections and course modules', () => {
    const { archive: a } = get(size);
    const mb = text(a, 'moodle_backup.xml');
    const courseCtx = Number(/<original_course_contextid>(\d+)</.exec(mb)?.[1]);
    const moduleCtx = new Map<number, number>();
    for (const name of named(a, /^activities\/[^/]+\/(\w+)\.xml$/)) {
      const m = /<activity id="\d+" moduleid="(\d+)" modulename="\w+" contextid="(\d+)">/.exec(text(a, name));
      if (m) moduleCtx.set(Number(m[1]), Number(m[2]));
    }
    const contexts = new Set([courseCtx, ...moduleCtx.values()]);
    for (const name of named(a, /logstores\.xml$/))
      for (const id of ids(text(a, name), /<contextid>(\d+)</g))
        expect(contexts.has(id), `${name} ctx ${id}`).toBe(true);
    for (const id of ids(text(a, 'files.xml'), /<contextid>(\d+)</g)) expect(contexts.has(id)).toBe(true);
    for (const name of named(a, /block\.xml$/))
      expect(text(a, name)).toContain(`<parentcontextid>${courseCtx}</parentcontextid>`);
    const sectionIds = ids(block(mb, 'sections'), /<sectionid>(\d+)</g);
    const cmids = ids(block(mb, 'activities'), /<moduleid>(\d+)</g);
    expect(new Set(moduleCtx.keys())).toEqual(new Set(cmids));
    const sequence: number[] = [];
    for (const id of sectionIds) {
      const section = text(a, `sections/section_${id}/section.xml`);
      expect(section).toContain(`<section id="${id}">`);
      const seq = /<sequence>([\d,]*)</.exec(section)?.[1] ?? '';
      if (seq !== '') sequence.push(...seq.split(',').map(Number));
    }
    expect(sequence).toEqual(cmids);
    for (const name of named(a, /module\.xml$/))
      expect(sectionIds).toContain(Number(/<sectionid>(\d+)</.exec(text(a, name))?.[1]));
    const logIds = named(a, /logstores\.xml$/).flatMap((n) => ids(text(a, n), /<logstore_standard_log id="(\d+)"/g));
    expect(new Set(logIds).size).toBe(logIds.length);
    const enrols = text(a, 'course/enrolments.xml');
    expect(enrols).toMatch(/<enrol>manual<\/enrol>/);
    expect(enrols).toMatch(/<enrol>self<\/enrol>/);
    expect(enrols).toMatch(/<enrol>guest<\/enrol>/);
  });
});
