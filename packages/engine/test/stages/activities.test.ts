/** The activities stage: course modules, module contexts, section sequences and each module's own records. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_MODULES, type StorageAdapter } from '@mbz-restore/engine';
import { openBackupSource } from '@mbz-restore/engine';
import { readBackupManifest } from '../../src/backup/read-manifest.ts';
import type { BackupManifest } from '../../src/backup/manifest.ts';
import { activitiesInTaskOrder } from '../../src/stages/activities/task-order.ts';
import { generatedFixture, hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import {
  countXml,
  countXmlAll,
  courseStructure,
  generatedFolder,
  idsOf,
  readEntries,
  restoreFresh,
  tally,
  type Restored,
} from './support/course-structure.ts';

const GEN_S = generatedFixture('gen_s_users.mbz');

async function manifestOf(path: string): Promise<BackupManifest> {
  const source = await openBackupSource(path);
  try {
    return await readBackupManifest(source);
  } finally {
    await source.close();
  }
}

/** Checks every course module: module row, instance row, section of the course, context under the course context, sequence. */
async function expectConsistentModules(storage: StorageAdapter, courseid: number): Promise<void> {
  const s = await courseStructure(storage, courseid);
  const sectionIds = new Set(s.sections.map((r) => Number(r.id)));
  const inSequences = s.sections.flatMap((r) =>
    String(r.sequence ?? '') === '' ? [] : String(r.sequence).split(',').map(Number),
  );
  expect(new Set(inSequences).size).toBe(inSequences.length);
  expect(new Set(inSequences)).toEqual(new Set(s.modules.map((m) => Number(m.id))));
  for (const cm of s.modules) {
    const name = s.moduleNames.get(Number(cm.module));
    expect(name, `cm ${String(cm.id)} module`).toBeDefined();
    expect(await idsOf(storage, name!, { id: Number(cm.instance) }), `cm ${String(cm.id)} instance in ${name}`).toEqual(
      new Set([Number(cm.instance)]),
    );
    const [instance] = await storage.select(name!, { id: Number(cm.instance) });
    expect(instance!.course).toBe(courseid);
    expect(sectionIds.has(Number(cm.section))).toBe(true);
    const section = s.sections.find((r) => Number(r.id) === Number(cm.section))!;
    expect(String(section.sequence).split(',').map(Number)).toContain(Number(cm.id));
    const contexts = [...s.childContexts.values()].filter((c) => c.contextlevel === 70 && c.instanceid === cm.id);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.path).toBe(`${String(s.context.path)}/${String(contexts[0]!.id)}`);
    expect(contexts[0]!.depth).toBe(Number(s.context.depth) + 1);
  }
  const numbers = s.sections.map((r) => Number(r.section));
  expect(numbers).toEqual([...Array(numbers.length).keys()]);
}

describe.skipIf(!hasShared())('activities stage — gen_s_users (Moodle 4.3) with user data', () => {
  let restored: Restored;
  let manifest: BackupManifest;
  let expected: { counts: Record<string, unknown> };

  beforeAll(async () => {
    restored = await restoreFresh(GEN_S, { users: 1 });
    manifest = await manifestOf(GEN_S);
    expected = JSON.parse(await readFile(generatedFixture('gen_s_users.expected.json'), 'utf8')) as typeof expected;
  }, 120_000);

  it("writes one course module per activity, per module as in the manifest and in Moodle's restore", async () => {
    const { storage, result } = restored;
    const s = await courseStructure(storage, result.courseid);
    const byModule = tally(s.modules.map((m) => s.moduleNames.get(Number(m.module))!));
    expect(byModule).toEqual(tally(manifest.activities.map((a) => a.moduleName)));
    expect(byModule).toEqual(expected.counts.course_modules_by_module);
    expect(s.modules).toHaveLength(expected.counts.course_modules as number);
    expect(result.warnings.filter((w) => w.code === 'unknown-module')).toEqual([]);
    await expectConsistentModules(storage, result.courseid);
  });

  it('creates the module and block contexts Moodle creates (68 with the course context)', async () => {
    const { storage, result } = restored;
    const s = await courseStructure(storage, result.courseid);
    expect(s.childContexts.size + 1).toBe(expected.counts.contexts);
  });

  it('lists the modules of each section in manifest order', async () => {
    const { storage, result } = restored;
    const s = await courseStructure(storage, result.courseid);
    const numbers = await readEntries(GEN_S, /^sections\/section_\d+\/section\.xml$/);
    const ordered = activitiesInTaskOrder(manifest);
    for (const section of manifest.sections) {
      const number = Number(/<number>(\d+)<\/number>/.exec(numbers.get(`${section.directory}/section.xml`)!)![1]);
      const row = s.sections.find((r) => Number(r.section) === number)!;
      const cms = String(row.sequence) === '' ? [] : String(row.sequence).split(',').map(Number);
      const names: string[] = [];
      for (const cmid of cms) {
        const cm = s.modules.find((m) => Number(m.id) === cmid)!;
        const [instance] = await storage.select(s.moduleNames.get(Number(cm.module))!, { id: Number(cm.instance) });
        names.push(String(instance!.name));
      }
      expect(names).toEqual(ordered.filter((a) => a.sectionId === section.sectionId).map((a) => a.title));
    }
  });

  it('writes as many module rows as the XML holds records, and as Moodle did', async () => {
    const { storage } = restored;
    const cases: Array<[table: string, entries: RegExp, path: string]> = [
      ['forum_discussions', /^activities\/forum_\d+\/forum\.xml$/, '/activity/forum/discussions/discussion'],
      ['forum_posts', /^activities\/forum_\d+\/forum\.xml$/, '/activity/forum/discussions/discussion/posts/post'],
      ['assign_submission', /^activities\/assign_\d+\/assign\.xml$/, '/activity/assign/submissions/submission'],
      ['assign_grades', /^activities\/assign_\d+\/assign\.xml$/, '/activity/assign/grades/grade'],
      ['quiz_slots', /^activities\/quiz_\d+\/quiz\.xml$/, '/activity/quiz/question_instances/question_instance'],
      [
        'question_references',
        /^activities\/quiz_\d+\/quiz\.xml$/,
        '/activity/quiz/question_instances/question_instance/question_reference',
      ],
      ['quiz_attempts', /^activities\/quiz_\d+\/quiz\.xml$/, '/activity/quiz/attempts/attempt'],
      ['quiz_grades', /^activities\/quiz_\d+\/quiz\.xml$/, '/activity/quiz/grades/grade'],
      ['question_usages', /^activities\/quiz_\d+\/quiz\.xml$/, '/activity/quiz/attempts/attempt/question_usage'],
      [
        'question_attempts',
        /^activities\/quiz_\d+\/quiz\.xml$/,
        '/activity/quiz/attempts/attempt/question_usage/question_attempts/question_attempt',
      ],
      [
        'question_attempt_steps',
        /^activities\/quiz_\d+\/quiz\.xml$/,
        '/activity/quiz/attempts/attempt/question_usage/question_attempts/question_attempt/steps/step',
      ],
      ['page', /^activities\/page_\d+\/page\.xml$/, '/activity/page'],
      ['resource', /^activities\/resource_\d+\/resource\.xml$/, '/activity/resource'],
      ['assign', /^activities\/assign_\d+\/assign\.xml$/, '/activity/assign'],
    ];
    const inXmlAll = await countXmlAll(
      GEN_S,
      cases.map(([, entries, path]) => [entries, path] as const),
    );
    for (const [index, [table]] of cases.entries()) {
      const inXml = inXmlAll[index]!;
      const rows = (await storage.select(table)).length;
      expect(rows, table).toBe(inXml);
      if (expected.counts[table] !== undefined) expect(rows, `${table} vs Moodle`).toBe(expected.counts[table]);
    }
  });

  it('lists the module file areas for the files stage, which then restores the files Moodle restored', async () => {
    const { storage } = restored;
    const files = await storage.select('files');
    const nonDir = files.filter((f) => f.filename !== '.');
    expect(tally(nonDir.map((f) => `${String(f.component)}/${String(f.filearea)}`))).toEqual(
      expected.counts.files_by_component_area,
    );
    expect(files).toHaveLength(expected.counts.files_rows as number);
    const moduleContexts = new Set((await storage.select('context', { contextlevel: 70 })).map((c) => Number(c.id)));
    for (const f of files) expect(moduleContexts.has(Number(f.contextid))).toBe(true);
  });

  it('points every user-data row at restored rows', async () => {
    const { storage } = restored;
    const users = await idsOf(storage, 'user');
    const discussions = await storage.select('forum_discussions');
    const posts = await storage.select('forum_posts');
    const postIds = new Set(posts.map((p) => Number(p.id)));
    const forums = await idsOf(storage, 'forum');
    for (const d of discussions) {
      expect(forums.has(Number(d.forum))).toBe(true);
      expect(postIds.has(Number(d.firstpost))).toBe(true);
      expect(users.has(Number(d.userid))).toBe(true);
    }
    const discussionIds = new Set(discussions.map((d) => Number(d.id)));
    for (const p of posts) {
      expect(discussionIds.has(Number(p.discussion))).toBe(true);
      expect(Number(p.parent) === 0 || postIds.has(Number(p.parent))).toBe(true);
      expect(users.has(Number(p.userid))).toBe(true);
    }
    // The first post of each discussion is the one without a parent.
    for (const d of discussions) expect(posts.find((p) => p.id === d.firstpost)!.parent).toBe(0);

    const usages = await idsOf(storage, 'question_usages');
    const quizzes = await idsOf(storage, 'quiz');
    for (const a of await storage.select('quiz_attempts')) {
      expect(usages.has(Number(a.uniqueid))).toBe(true);
      expect(quizzes.has(Number(a.quiz))).toBe(true);
      expect(users.has(Number(a.userid))).toBe(true);
    }
    const moduleContexts = new Set((await storage.select('context', { contextlevel: 70 })).map((c) => Number(c.id)));
    for (const u of await storage.select('question_usages')) expect(moduleContexts.has(Number(u.contextid))).toBe(true);
    const qattempts = await storage.select('question_attempts');
    const questions = await idsOf(storage, 'question');
    for (const qa of qattempts) {
      expect(usages.has(Number(qa.questionusageid))).toBe(true);
      expect(questions.has(Number(qa.questionid))).toBe(true);
    }
    const qaIds = new Set(qattempts.map((q) => Number(q.id)));
    for (const step of await storage.select('question_attempt_steps'))
      expect(qaIds.has(Number(step.questionattemptid))).toBe(true);

    const assigns = await idsOf(storage, 'assign');
    const submissions = await storage.select('assign_submission');
    for (const sub of submissions) {
      expect(assigns.has(Number(sub.assignment))).toBe(true);
      expect(users.has(Number(sub.userid))).toBe(true);
    }
    // set_latest_submission_field(): one latest submission per user and assignment.
    const latest = submissions.filter((sub) => sub.latest === 1);
    expect(new Set(latest.map((sub) => `${String(sub.assignment)}/${String(sub.userid)}`)).size).toBe(
      new Set(submissions.map((sub) => `${String(sub.assignment)}/${String(sub.userid)}`)).size,
    );
    expect(latest.length).toBe(
      new Set(submissions.map((sub) => `${String(sub.assignment)}/${String(sub.userid)}`)).size,
    );
    for (const grade of await storage.select('assign_grades')) expect(assigns.has(Number(grade.assignment))).toBe(true);

    const bankEntries = await idsOf(storage, 'question_bank_entries');
    for (const ref of await storage.select('question_references')) {
      expect(bankEntries.has(Number(ref.questionbankentryid))).toBe(true);
      expect(moduleContexts.has(Number(ref.usingcontextid))).toBe(true);
      expect(await idsOf(storage, 'quiz_slots', { id: Number(ref.itemid) })).toEqual(new Set([Number(ref.itemid)]));
    }
  });
});

describe.skipIf(!hasShared())('activities stage — settings (gen_s_users)', () => {
  it('users 0 keeps every module and leaves out submissions, grades, posts and attempts', async () => {
    const { storage, result } = await restoreFresh(GEN_S, { users: 0 });
    const s = await courseStructure(storage, result.courseid);
    expect(s.modules).toHaveLength(65);
    for (const table of [
      'assign_submission',
      'assign_grades',
      'forum_discussions',
      'forum_posts',
      'quiz_attempts',
      'quiz_grades',
      'question_usages',
      'question_attempts',
    ]) {
      expect(await storage.count(table), table).toBe(0);
    }
    expect(await storage.count('quiz_slots')).toBe(4);
    await expectConsistentModules(storage, result.courseid);
  }, 120_000);
});

describe('activities stage — generated backup', () => {
  let dir: string;
  let folder: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-activities-'));
    folder = await generatedFolder(dir, 'xs');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('activities 0 writes no module; sections stay, with empty sequences', async () => {
    const { storage, result } = await restoreFresh(folder, { activities: 0 });
    expect(result.stages.find((s) => s.name === 'activities')!.status).toBe('skipped');
    const s = await courseStructure(storage, result.courseid);
    expect(s.modules).toHaveLength(0);
    expect(s.sections.length).toBeGreaterThan(0);
    for (const section of s.sections) expect(section.sequence).toBe('');
    expect([...s.childContexts.values()].filter((c) => c.contextlevel === 70)).toHaveLength(0);
  });

  it('<mod>_<cmid>_included 0 leaves that activity out of the modules, the sequences and the module table', async () => {
    const manifest = await manifestOf(folder);
    const forum = manifest.activities.find((a) => a.moduleName === 'forum')!;
    const key = forum.directory.split('/').pop()!;
    const all = await restoreFresh(folder, { users: 1 });
    const without = await restoreFresh(folder, { users: 1, [`${key}_included`]: 0 });
    const a = await courseStructure(all.storage, all.result.courseid);
    const b = await courseStructure(without.storage, without.result.courseid);
    expect(b.modules).toHaveLength(a.modules.length - 1);
    expect(await without.storage.count('forum')).toBe(0);
    expect(await without.storage.count('forum_posts')).toBe(0);
    expect(await all.storage.count('forum_posts')).toBe(
      await countXml(
        folder,
        /^activities\/forum_\d+\/forum\.xml$/,
        '/activity/forum/discussions/discussion/posts/post',
      ),
    );
    await expectConsistentModules(without.storage, without.result.courseid);
  });

  it('every module of the generated backup restores consistently, with user data', async () => {
    const { storage, result } = await restoreFresh(folder, { users: 1 });
    const manifest = await manifestOf(folder);
    const s = await courseStructure(storage, result.courseid);
    expect(tally(s.modules.map((m) => s.moduleNames.get(Number(m.module))!))).toEqual(
      tally(manifest.activities.map((a) => a.moduleName)),
    );
    await expectConsistentModules(storage, result.courseid);
  });
});

/** Real backups of several Moodle versions (see ../shared/fixtures/mbz/MANIFEST.json). */
const REAL = [
  'qtype_gapfill__backup-gapfill_question_type_demo__v57643ac.mbz', // 2.6, ZIP: forum, label, page, quiz without slots
  'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz', // 2.6dev, ZIP: glossary
  'hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz', // 2.6: legacy availability fields
  'hrsq1__backup-controller-tests-fixtures-deadlock.mbz', // 3.2: folder, forum, imscp, scorm
  'mod_studentquiz__tests-fixtures-backup-moodle2-course_moodle30_sq203_nofiles__va2f32e9.mbz', // 3.0 with users and an unknown module
  'report_advancedgrading__tests-fixtures-backup-advgrade.mbz', // 4.0 with users: assign, forum
  'tool_driprelease__tests-fixtures-multiple_mod_types.mbz', // 4.4: assign, label, page, quiz, resource
];

describe.skipIf(!hasShared())('activities stage — real backups of Moodle 2.x to 4.x', () => {
  for (const file of REAL) {
    it(`${file}: modules per type as in the manifest, unknown modules left out with a warning`, async () => {
      const entry = readManifest().find((e) => e.file === file)!;
      expect(entry).toBeDefined();
      const { storage, result } = await restoreFresh(mbzFixture(file), { users: 1 });
      const s = await courseStructure(storage, result.courseid);
      const known = Object.entries(entry.counts!.modules).filter(([name]) => SEED_MODULES.includes(name));
      const unknown = Object.entries(entry.counts!.modules).filter(([name]) => !SEED_MODULES.includes(name));
      expect(tally(s.modules.map((m) => s.moduleNames.get(Number(m.module))!))).toEqual(Object.fromEntries(known));
      expect(result.warnings.filter((w) => w.code === 'unknown-module')).toHaveLength(
        unknown.reduce((n, [, c]) => n + c, 0),
      );
      for (const [name, count] of known) expect(await storage.count(name), name).toBe(count);
      await expectConsistentModules(storage, result.courseid);
    }, 60_000);
  }

  it('pre-2.7 quizzes get slots from the quiz layout and question references from the restored questions', async () => {
    const file = mbzFixture(REAL[0]!);
    const { storage } = await restoreFresh(file);
    const texts = await readEntries(file, /^activities\/quiz_\d+\/quiz\.xml$/);
    let inLayouts = 0;
    for (const xml of texts.values()) {
      const layout = /<questions>([^<]*)<\/questions>/.exec(xml)![1]!;
      inLayouts += layout.split(',').filter((q) => q !== '' && q !== '0').length;
    }
    const slots = await storage.select('quiz_slots');
    expect(slots).toHaveLength(inLayouts);
    const refs = await storage.select('question_references');
    expect(refs.length + (await storage.count('question_set_references'))).toBe(slots.length);
    const entries = await idsOf(storage, 'question_bank_entries');
    for (const ref of refs) expect(entries.has(Number(ref.questionbankentryid))).toBe(true);
  }, 60_000);

  it('an activity backup (3.11 quiz with random slots) goes into new sections 0 and 1, its slots get set references with their tags', async () => {
    const file = mbzFixture('hrsq1__mod-quiz-tests-fixtures-moodle_311_quiz.mbz');
    const { storage, result } = await restoreFresh(file);
    const s = await courseStructure(storage, result.courseid);
    expect(s.sections.map((r) => r.section)).toEqual([0, 1]);
    expect(s.modules).toHaveLength(1);
    expect(s.sections[1]!.sequence).toBe(String(s.modules[0]!.id));
    const xml = [...(await readEntries(file, /^activities\/quiz_\d+\/quiz\.xml$/)).values()][0]!;
    const slotTags = [...xml.matchAll(/<question_instance id="\d+">([\s\S]*?)<\/question_instance>/g)].map((m) =>
      [...m[1]!.matchAll(/<tagname>([^<]*)<\/tagname>/g)].map((t) => t[1]),
    );
    const slots = await storage.select('quiz_slots', {}, { orderBy: 'slot' });
    expect(slots).toHaveLength(slotTags.length);
    const tags = new Map((await storage.select('tag')).map((t) => [Number(t.id), String(t.name)]));
    for (const [index, slot] of slots.entries()) {
      const [ref] = await storage.select('question_set_references', { itemid: Number(slot.id) });
      const condition = JSON.parse(String(ref!.filtercondition)) as { questioncategoryid: number; tags: string[] };
      expect(condition.tags.map((t) => t.split(',')[1])).toEqual(slotTags[index]);
      for (const t of condition.tags) expect(tags.get(Number(t.split(',')[0]))).toBe(t.split(',')[1]!.toLowerCase());
      expect(await storage.count('question_categories', { id: condition.questioncategoryid })).toBe(1);
    }
  }, 60_000);

  it('converts pre-2.7 availability fields and remaps their ids', async () => {
    const file = mbzFixture(REAL[2]!);
    const { storage, result } = await restoreFresh(file);
    const s = await courseStructure(storage, result.courseid);
    const texts = await readEntries(file, /^activities\/[^/]+\/module\.xml$/);
    const legacy = [...texts.values()].filter(
      (x) =>
        /<availablefrom>[1-9]/.test(x) ||
        /<availableuntil>[1-9]/.test(x) ||
        /<groupmembersonly>1/.test(x) ||
        /<availability(_field)? id=/.test(x),
    ).length;
    const converted = s.modules.filter((m) => typeof m.availability === 'string' && m.availability !== '');
    expect(legacy).toBeGreaterThan(0);
    expect(converted.length).toBe(legacy);
    // finalize remapped every id inside the JSON to a restored row.
    const cms = new Set(s.modules.map((m) => Number(m.id)));
    const gradeItems = await idsOf(storage, 'grade_items', { courseid: result.courseid });
    const groupings = await idsOf(storage, 'groupings', { courseid: result.courseid });
    const seen: string[] = [];
    const visit = (node: { type?: string; c?: unknown[]; cm?: number; id?: number }): void => {
      if (Array.isArray(node.c)) {
        for (const c of node.c) visit(c as typeof node);
        return;
      }
      seen.push(node.type!);
      if (node.type === 'completion') expect(cms.has(node.cm!)).toBe(true);
      if (node.type === 'grade') expect(gradeItems.has(node.id!)).toBe(true);
      if (node.type === 'grouping') expect(groupings.has(node.id!)).toBe(true);
    };
    for (const row of [...s.modules, ...s.sections])
      if (typeof row.availability === 'string') visit(JSON.parse(row.availability) as never);
    expect(new Set(seen)).toEqual(new Set(['date', 'grade', 'completion', 'grouping', 'group', 'profile']));
    expect(result.warnings.filter((w) => w.code === 'availability-condition-unmapped')).toEqual([]);
  }, 60_000);
});
