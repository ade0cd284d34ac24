/**
 * The module behaviours Moodle's restore adds to a plain insert, on ../shared/fixtures/generated/gen_allmods_users.mbz
 * (every core activity module of Moodle 4.3 with user data) and on copies of it with edited XML:
 * - survey: `template` names a built-in survey of the store's seed (`xmldb_survey_install()`), also in a store
 *   migrated to schema version 5 whose install ids were taken;
 * - lti: encrypted `resourcekey` / `password` become NULL, `servicesalt` is new (`process_lti()`);
 * - lesson: answers of plain-text pages lose their tags, `activitylink` / `dependency` are remapped or 0
 *   (`restore_lesson_activity_structure_step::after_execute()`);
 * - workshop: the old "no attachments" setting is converted (`process_workshop()`);
 * - glossary: an unknown display format becomes `dictionary` (`process_glossary()`).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteSeed, restore, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';
import { readEntries } from './support/course-structure.ts';

const FILE = 'gen_allmods_users.mbz';
const CLI = {
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
  groups: 1,
  enrolments: 1,
};

async function restoreInto(storage: StorageAdapter, path: string) {
  const result = await restore(path, { storage, options: CLI });
  return result.courseid;
}

describe.skipIf(!hasShared())('core modules restored as Moodle 4.3 restores them (gen_allmods_users)', () => {
  let dir: string;
  let folder: string;
  let xml: Map<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-allmods-'));
    folder = await extractBackup(generatedFixture(FILE));
    xml = await readEntries(generatedFixture(FILE), /^activities\/(survey|lti|lesson|workshop|glossary)_\d+\/\1\.xml$/);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(folder, { recursive: true, force: true });
  });
  const entry = (mod: string) => [...xml.entries()].find(([name]) => name.startsWith(`activities/${mod}_`))!;

  it("survey: the template is the seed's built-in survey and answers keep the built-in question ids", async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const seed = createSiteSeed({ siteidentifier: 'x', now: 0 });
    expect(await storage.select('survey', { course: 0 })).toHaveLength(seed.survey!.length);
    expect(await storage.count('survey_questions')).toBe(73);
    const courseid = await restoreInto(storage, generatedFixture(FILE));
    const [survey] = await storage.select('survey', { course: courseid });
    const [template] = await storage.select('survey', { id: Number(survey!.template) });
    const backupTemplate = Number(/<template>(\d+)<\/template>/.exec(entry('survey')[1])![1]);
    // The backup names Moodle's install id; the seed has the install order of xmldb_survey_install().
    expect(template).toMatchObject({ course: 0, name: seed.survey![backupTemplate - 1]!.name });
    expect(template!.name).toBe('attlsname');
    const questions = [...entry('survey')[1].matchAll(/<question>(\d+)<\/question>/g)]
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const answers = await storage.select('survey_answers', { survey: Number(survey!.id) });
    expect(answers.map((a) => Number(a.question)).sort((a, b) => a - b)).toEqual(questions);
    for (const q of new Set(questions)) expect(await storage.count('survey_questions', { id: q })).toBe(1);
  }, 60_000);

  it('survey: migration 5 adds the built-in surveys to an older SQLite store, found by name when their ids are taken', async () => {
    const path = join(dir, 'old.sqlite');
    let storage = createSqliteStorage({ path });
    await storage.open();
    await storage.close();
    // Make it a schema-4 store whose survey id 4 belongs to a restored course.
    const raw = new Database(path);
    raw.exec(`DROP TABLE mdl_survey_questions; DELETE FROM mdl_survey; DELETE FROM mbz_schema_migrations WHERE version >= 5;
      INSERT INTO mdl_survey (id, course, template, name, intro, questions) VALUES (4, 99, 1, 'Restored before', '', '');
      INSERT INTO mbz_id_sequence (tablename, nextid) VALUES ('survey', 5) ON CONFLICT (tablename) DO UPDATE SET nextid = 5;`);
    raw.close();
    storage = createSqliteStorage({ path });
    await storage.open();
    try {
      const templates = await storage.select('survey', { course: 0 });
      expect(templates.map((t) => t.name)).toEqual(
        createSiteSeed({ siteidentifier: 'x', now: 0 }).survey!.map((s) => s.name),
      );
      const attls = templates.find((t) => t.name === 'attlsname')!;
      expect(Number(attls.id)).not.toBe(4);
      expect(await storage.count('survey_questions')).toBe(73);
      const courseid = await restoreInto(storage, generatedFixture(FILE));
      const [survey] = await storage.select('survey', { course: courseid });
      expect(Number(survey!.template)).toBe(Number(attls.id));
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('lti: encrypted fields become NULL and the service salt is new', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const courseid = await restoreInto(storage, generatedFixture(FILE));
    const text = entry('lti')[1];
    expect(text).toMatch(/<resourcekey encrypted="true">[^<]+<\/resourcekey>/);
    expect(text).toMatch(/<password encrypted="true">[^<]+<\/password>/);
    const [lti] = await storage.select('lti', { course: courseid });
    expect(lti).toMatchObject({ resourcekey: null, password: null });
    expect(String(lti!.servicesalt)).toMatch(/^[0-9a-f]{13}\d\.\d{8}$/);
  }, 60_000);

  it("lesson, workshop, glossary: Moodle's fix-ups of old or odd values", async () => {
    const copy = join(dir, 'edited');
    await rm(copy, { recursive: true, force: true });
    await cp(folder, copy, { recursive: true });
    const edit = async (name: string, change: (text: string) => string) => {
      const file = join(copy, name);
      const before = await readFile(file, 'utf8');
      const after = change(before);
      expect(after).not.toBe(before);
      await writeFile(file, after);
    };
    // The "Welcome page" is in section 1, so Moodle restores it before the lesson (section 3).
    const pages = [...(await readEntries(generatedFixture(FILE), /^activities\/page_\d+\/page\.xml$/)).values()];
    const welcome = pages.find((t) => t.includes('<name>Welcome page</name>'))!;
    const pageCmid = Number(/<activity [^>]*moduleid="(\d+)"/.exec(welcome)![1]);
    await edit(entry('lesson')[0], (t) =>
      t
        .replace(
          '<answer_text>answer4</answer_text>',
          '<answer_text>&lt;p&gt;answer&lt;b&gt;4&lt;/b&gt;&lt;/p&gt;</answer_text>',
        )
        .replace(/(<answer_text>&lt;p&gt;answer[\s\S]*?<answerformat>)0(<\/answerformat>)/, '$11$2')
        .replace('<activitylink>0</activitylink>', `<activitylink>${pageCmid}</activitylink>`)
        .replace('<dependency>0</dependency>', '<dependency>987654</dependency>'),
    );
    await edit(entry('workshop')[0], (t) =>
      t
        .replace('<nattachments>1</nattachments>', '<nattachments>0</nattachments>')
        .replace('<submissiontypefile>0</submissiontypefile>', '<submissiontypefile>1</submissiontypefile>'),
    );
    await edit(entry('glossary')[0], (t) =>
      t.replace('<displayformat>dictionary</displayformat>', '<displayformat>gone</displayformat>'),
    );
    const storage = createMemoryStorage();
    await storage.open();
    const courseid = await restoreInto(storage, copy);

    const [lesson] = await storage.select('lesson', { course: courseid });
    const page = (await storage.select('lesson_pages', { lessonid: Number(lesson!.id) })).find(
      (p) => p.title === 'Short answer question',
    )!;
    expect(await storage.select('lesson_answers', { pageid: Number(page.id) })).toEqual([
      expect.objectContaining({ answer: 'answer4', answerformat: 0 }),
    ]);
    // Pages of other types keep their HTML answers.
    const matching = (await storage.select('lesson_pages', { lessonid: Number(lesson!.id) })).find(
      (p) => p.title === 'Matching question',
    )!;
    expect(
      (await storage.select('lesson_answers', { pageid: Number(matching.id) })).some(
        (a) => Number(a.answerformat) === 1,
      ),
    ).toBe(true);
    // The page (restored before the lesson) is mapped; a lesson that is not in the course becomes 0.
    const pageModule = (await storage.select('modules', { name: 'page' }))[0]!;
    const pageCms = await storage.select('course_modules', { course: courseid, module: Number(pageModule.id) });
    const welcomeInstance = (await storage.select('page', { course: courseid, name: 'Welcome page' }))[0]!;
    expect(Number(lesson!.activitylink)).toBe(
      Number(pageCms.find((cm) => Number(cm.instance) === Number(welcomeInstance.id))!.id),
    );
    expect(Number(lesson!.dependency)).toBe(0);

    const [workshop] = await storage.select('workshop', { course: courseid });
    expect(workshop).toMatchObject({ nattachments: 1, submissiontypefile: 0, submissiontypetext: 2 });
    const [glossary] = await storage.select('glossary', { course: courseid });
    expect(glossary!.displayformat).toBe('dictionary');
  }, 60_000);
});
