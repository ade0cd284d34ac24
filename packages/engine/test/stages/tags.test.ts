/**
 * Tags (`core_tag_tag::add_item_tag()`): the test_tags backup's question tags, plus course and course-module
 * tags injected into a copy of it, become `tag` rows (one per lower-cased name, reused on a second restore) and
 * `tag_instance` rows pointing at the restored items. Expected counts are read from the backup's XML.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const FIXTURE = 'hrsq1__backup-moodle2-tests-fixtures-test_tags_backup.mbz';
const COURSE_TAGS = ['Course-Tag', 'tag1-tf1'];
const MODULE_TAGS = ['Module Tag', 'Course-TAG'];

interface XmlTag {
  readonly file: string;
  readonly rawname: string;
}

let dir: string;
let extracted: string;
let injected: string;
let xmlTags: XmlTag[];

beforeAll(() => {
  if (!hasShared()) return;
  dir = mkdtempSync(join(tmpdir(), 'mbz-tags-'));
  extracted = join(dir, 'x');
  execFileSync('mkdir', ['-p', extracted]);
  execFileSync('tar', ['-xzf', mbzFixture(FIXTURE), '-C', extracted]);
  xmlTags = tagsIn(extracted);
  // A copy with course and course-module tags.
  const course = join(extracted, 'course', 'course.xml');
  writeFileSync(
    course,
    readFileSync(course, 'utf8').replace(
      /<tags>\s*<\/tags>/,
      `<tags>${COURSE_TAGS.map((t, i) => `<tag id="${900 + i}"><name>${t.toLowerCase()}</name><rawname>${t}</rawname></tag>`).join('')}</tags>`,
    ),
  );
  const module = join(extracted, 'activities', 'quiz_329000', 'module.xml');
  writeFileSync(
    module,
    readFileSync(module, 'utf8').replace(
      /<tags>\s*<\/tags>/,
      `<tags>${MODULE_TAGS.map((t, i) => `<tag id="${950 + i}"><name>${t.toLowerCase()}</name><rawname>${t}</rawname></tag>`).join('')}</tags>`,
    ),
  );
  injected = join(dir, 'injected.mbz');
  execFileSync('tar', ['-czf', injected, '-C', extracted, ...readdirSync(extracted)]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every `<tag>` element with a rawname in the backup's XML files, counted without the engine. */
function tagsIn(root: string): XmlTag[] {
  const found: XmlTag[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.xml')) {
        for (const m of readFileSync(p, 'utf8').matchAll(
          /<tag\b[^>]*>[\s\S]*?<rawname>([^<]*)<\/rawname>[\s\S]*?<\/tag>/g,
        )) {
          found.push({ file: p.slice(root.length + 1), rawname: m[1]! });
        }
      }
    }
  };
  walk(root);
  return found;
}

async function restoreInto(storage: StorageAdapter, path: string): Promise<void> {
  await restore(path, { storage });
}

describe.skipIf(!hasShared())('tags', () => {
  it('restores the question tags of the test_tags backup and reuses tags on a second restore', async () => {
    expect(xmlTags.length).toBeGreaterThan(0);
    expect(xmlTags.every((t) => t.file === 'questions.xml')).toBe(true);
    const storage = createMemoryStorage();
    await storage.open();
    await restoreInto(storage, mbzFixture(FIXTURE));
    const names = new Set(xmlTags.map((t) => t.rawname.trim().toLowerCase()));
    const tags = await storage.select('tag');
    expect(tags.map((t) => String(t.name)).sort()).toEqual([...names].sort());
    expect(tags.every((t) => Number(t.tagcollid) === 1 && Number(t.isstandard) === 0)).toBe(true);
    const instances = await storage.select('tag_instance');
    expect(instances).toHaveLength(xmlTags.length);
    const tagIds = new Set(tags.map((t) => Number(t.id)));
    const questionIds = new Set((await storage.select('question')).map((q) => Number(q.id)));
    const contextIds = new Set((await storage.select('context')).map((c) => Number(c.id)));
    for (const ti of instances) {
      expect(tagIds.has(Number(ti.tagid))).toBe(true);
      expect([ti.component, ti.itemtype]).toEqual(['core_question', 'question']);
      expect(questionIds.has(Number(ti.itemid))).toBe(true);
      expect(contextIds.has(Number(ti.contextid))).toBe(true);
    }

    await restoreInto(storage, mbzFixture(FIXTURE));
    expect(await storage.count('tag')).toBe(names.size);
    expect(await storage.count('tag_instance')).toBe(2 * xmlTags.length);
  });

  it('restores course and course-module tags into their contexts', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    await restoreInto(storage, injected);
    const all = [...xmlTags.map((t) => t.rawname), ...COURSE_TAGS, ...MODULE_TAGS];
    const names = new Set(all.map((n) => n.trim().toLowerCase()));
    expect(tagsIn(extracted)).toHaveLength(all.length);
    const tags = await storage.select('tag');
    expect(tags.map((t) => String(t.name)).sort()).toEqual([...names].sort());
    const byId = new Map(tags.map((t) => [Number(t.id), String(t.name)]));
    expect(await storage.count('tag_instance')).toBe(all.length);

    const course = (await storage.select('course')).at(-1);
    const [courseContext] = await storage.select('context', { contextlevel: 50, instanceid: Number(course!.id) });
    const courseTis = await storage.select('tag_instance', { component: 'core', itemtype: 'course' });
    expect(courseTis.map((ti) => byId.get(Number(ti.tagid))).sort()).toEqual(
      COURSE_TAGS.map((t) => t.toLowerCase()).sort(),
    );
    for (const ti of courseTis) {
      expect(Number(ti.itemid)).toBe(Number(course!.id));
      expect(Number(ti.contextid)).toBe(Number(courseContext!.id));
    }

    const [cm] = await storage.select('course_modules');
    const [moduleContext] = await storage.select('context', { contextlevel: 70, instanceid: Number(cm!.id) });
    const cmTis = await storage.select('tag_instance', { component: 'core', itemtype: 'course_modules' });
    expect(cmTis.map((ti) => byId.get(Number(ti.tagid))).sort()).toEqual(
      MODULE_TAGS.map((t) => t.toLowerCase()).sort(),
    );
    expect(cmTis.map((ti) => Number(ti.ordering)).sort()).toEqual([0, 1]);
    for (const ti of cmTis) {
      expect(Number(ti.itemid)).toBe(Number(cm!.id));
      expect(Number(ti.contextid)).toBe(Number(moduleContext!.id));
    }
  });
});
