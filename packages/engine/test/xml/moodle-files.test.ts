/**
 * Real Moodle 4.3 XML from `../shared/fixtures/generated/gen_s_users.mbz` (extracted with the
 * system `tar`): record counts against independent counts (a regular expression over the file, and
 * the numbers `gen_s_users.expected.json` and the fixtures README give for what the file holds),
 * record contents, nested question paths, and every XML file of the backup read identically by
 * `parseXmlDocument`, by `readRecords` in small chunks and by fast-xml-parser (an independent parser).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { parseXmlDocument } from '../../src/xml/parse-document.ts';
import { countRecords, readRecords } from '../../src/xml/record-reader.ts';
import type { XmlObject, XmlRecord, XmlValue } from '../../src/xml/types.ts';
import { chunksOf } from './support/collect.ts';

const LOG_PATH = '/logstores/logstore/subplugin_logstore_standard_logstore/logstore_standard_log';
const CATEGORY = '/question_categories/question_category';
const ENTRY = `${CATEGORY}/question_bank_entries/question_bank_entry`;
const QUESTION = `${ENTRY}/question_version/question_versions/questions/question`;

describe.skipIf(!hasShared())('real Moodle XML (gen_s_users.mbz)', () => {
  let dir: string;
  let expected: { counts: Record<string, number>; source_course: { counts: Record<string, number> } };
  const file = (name: string) => readFileSync(join(dir, name));
  const xmlFiles = () => walk(dir).filter((name) => name.endsWith('.xml'));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-xml-real-'));
    execFileSync('tar', ['xzf', generatedFixture('gen_s_users.mbz'), '-C', dir]);
    expected = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')) as typeof expected;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every user of users.xml with its fields', async () => {
    const bytes = file('users.xml');
    const users = await records(
      bytes,
      ['/users/user'],
      ['preferences/preference', 'tags/tag', 'custom_fields/custom_field'],
    );
    expect(users).toHaveLength(occurrences(bytes, '<user '));
    expect(users.length).toBeGreaterThan(100);
    const first = users[0]!.data;
    expect(first).toMatchObject({
      id: '4',
      contextid: '76',
      username: 'tool_generator_000002',
      description: null,
      alternatename: '伟',
      phone1: '',
    });
    expect(first.preferences).toEqual({ preference: [] });
    expect((await countRecords([bytes], ['/users/user']))['/users/user']).toBe(users.length);
  });

  it('reads the 5,617 standard log rows of the logstores.xml files', async () => {
    const files = xmlFiles().filter((name) => name.endsWith('logstores.xml'));
    let total = 0;
    let counted = 0;
    let independent = 0;
    for (const name of files) {
      const bytes = file(name);
      const logs = await records(bytes, [LOG_PATH]);
      for (const log of logs)
        expect(log.data).toMatchObject({
          id: expect.any(String),
          eventname: expect.stringMatching(/^\\/),
          crud: expect.any(String),
        });
      total += logs.length;
      counted += (await countRecords([bytes], [LOG_PATH]))[LOG_PATH]!;
      independent += occurrences(bytes, '<logstore_standard_log ');
    }
    expect(total).toBe(5617); // "5,617 rows in the file" (../shared/fixtures/generated/README.md)
    expect(counted).toBe(total);
    expect(independent).toBe(total);
  });

  it('reads question categories, bank entries and questions as nested records with parents', async () => {
    const bytes = file('questions.xml');
    const all = await records(bytes, [CATEGORY, ENTRY, QUESTION]);
    const categories = all.filter((r) => r.path === CATEGORY);
    const questions = all.filter((r) => r.path === QUESTION);
    expect(categories).toHaveLength(expected.counts.question_categories!);
    expect(questions).toHaveLength(expected.counts.question!);
    expect(all.filter((r) => r.path === ENTRY)).toHaveLength(expected.counts.question_bank_entries!);
    for (const category of categories) expect(category.data).not.toHaveProperty('question_bank_entries');
    for (const question of questions) {
      const entry = question.parent!;
      expect(entry.path).toBe(ENTRY);
      expect(entry.parent!.path).toBe(CATEGORY);
      expect(entry.data.questioncategoryid).toBe(entry.parent!.data.id);
      expect(all.indexOf(entry)).toBeLessThan(all.indexOf(question));
      expect(question.data).toMatchObject({
        id: expect.any(String),
        qtype: expect.any(String),
        name: expect.any(String),
      });
    }
  });

  it('reads files.xml and the grade history files', async () => {
    const bytes = file('files.xml');
    const files = (await records(bytes, ['/files/file'])).map((r) => r.data);
    expect(files).toHaveLength(occurrences(bytes, '<file '));
    const real = files.filter((f) => f.filename !== '.');
    expect(real).toHaveLength(expected.counts.files_nondir!);
    expect(new Set(real.map((f) => f.contenthash)).size).toBe(expected.counts.files_distinct_contenthash!);
    let history = 0;
    for (const name of xmlFiles().filter((n) => n.endsWith('grade_history.xml'))) {
      history += (await records(file(name), ['/grade_history/grade_grades/grade_grade'])).length;
    }
    expect(history).toBe(expected.source_course.counts.grade_grades_history);
  });

  it('reads every XML file of the backup the same way whole, streamed in small chunks, and with fast-xml-parser', async () => {
    const reference = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      textNodeName: '#text',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
    });
    const names = xmlFiles();
    expect(names.length).toBeGreaterThan(900);
    for (const name of names) {
      const bytes = file(name);
      const whole = parseXmlDocument(bytes, { entry: name });
      const [root] = Object.keys(whole);
      const streamed = await records(bytes, [`/${root}`], [], 4096);
      expect(
        streamed.map((r) => r.data),
        name,
      ).toEqual([whole[root!]]);
      expect(comparable(whole), name).toEqual(
        comparable(rootAsObject(reference.parse(bytes.toString('utf8')) as XmlObject)),
      );
    }
  });
});

// Internal helpers

async function records(bytes: Buffer, paths: string[], arrays: string[] = [], size = 65536): Promise<XmlRecord[]> {
  const out: XmlRecord[] = [];
  for await (const record of readRecords(chunksOf(bytes, size), { paths, arrays })) out.push(record);
  return out;
}

function occurrences(bytes: Buffer, needle: string): number {
  return bytes.toString('utf8').split(needle).length - 1;
}

function walk(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(root, path) : [relative(root, path)];
  });
}

/** fast-xml-parser gives a whitespace-only root as text; the reader always makes the root an object. */
function rootAsObject(parsed: XmlObject): XmlObject {
  const [name] = Object.keys(parsed);
  const root = parsed[name!];
  if (typeof root === 'string') return { [name!]: root.trim() === '' ? {} : { '#text': root } };
  return parsed;
}

/** Key order ignored, `$@NULL@$` read as null, whitespace-only `#text` beside other keys dropped (the reader's rules). */
function comparable(value: XmlValue): XmlValue {
  if (value === null) return null;
  if (typeof value === 'string') return value === '$@NULL@$' ? null : value;
  if (Array.isArray(value)) return value.map(comparable);
  const keys = Object.keys(value).sort();
  const out: XmlObject = {};
  for (const key of keys) {
    const inner = value[key]!;
    if (key === '#text' && typeof inner === 'string' && inner.trim() === '' && keys.length > 1) continue;
    out[key] = comparable(inner);
  }
  return out;
}
