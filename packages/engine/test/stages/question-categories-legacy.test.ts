/**
 * Question categories of a pre-3.5 backup (`question_category_34_format`, Moodle 3.4: a course bank and a quiz bank,
 * each a single top-level "Default for …" category). Moodle 4.3's `process_question_category()` gives such a
 * category the NEW id of its context's "top" category as parent (module banks are created in the course context
 * first), then `after_execute()` looks that value up as an OLD category id, and
 * `restore_move_module_questions_categories` re-parents the module bank's top-level categories under the module's
 * top. So the result depends on the store's next id, as in Moodle: when the course top's new id equals the old id of
 * the quiz's category, the course's default category ends up under the quiz's one.
 */
import { describe, expect, it } from 'vitest';
import { restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { readEntryText, seedRows } from './support/people-backup.ts';

const QC34 = 'hrsq1__backup-moodle2-tests-fixtures-question_category_34_format.mbz';

interface XmlCategory {
  id: number;
  name: string;
  contextlevel: number;
  parent: number;
}

async function backupCategories(): Promise<XmlCategory[]> {
  const xml = await readEntryText(mbzFixture(QC34), 'questions.xml');
  return [...xml.matchAll(/<question_category id="(\d+)">([\s\S]*?)<\/question_category>/g)].map((m) => ({
    id: Number(m[1]),
    name: /<name>([^<]*)<\/name>/.exec(m[2]!)![1]!,
    contextlevel: Number(/<contextlevel>(\d+)<\/contextlevel>/.exec(m[2]!)![1]),
    parent: Number(/<parent>(\d+)<\/parent>/.exec(m[2]!)![1]),
  }));
}

async function restoredCategories(
  storage: StorageAdapter,
): Promise<{ rows: Row[]; levelOf: (row: Row) => number; byId: Map<number, Row> }> {
  await restore(mbzFixture(QC34), { storage });
  const rows = await storage.select('question_categories');
  const contexts = new Map((await storage.select('context')).map((c) => [Number(c.id), Number(c.contextlevel)]));
  return {
    rows,
    levelOf: (row) => contexts.get(Number(row.contextid))!,
    byId: new Map(rows.map((r) => [Number(r.id), r])),
  };
}

describe.skipIf(!hasShared())('question categories of a pre-3.5 backup', () => {
  it('the fixture: 3.4, two top-level categories, course and module', async () => {
    expect(readManifest().find((e) => e.file === QC34)).toMatchObject({ backup_release: '3.4' });
    const categories = await backupCategories();
    expect(categories.map((c) => [c.contextlevel, c.parent])).toEqual(
      expect.arrayContaining([
        [50, 0],
        [70, 0],
      ]),
    );
  });

  it("on a fresh store each default category hangs under its own context's new top", async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const { rows, levelOf, byId } = await restoredCategories(storage);
    for (const c of await backupCategories()) {
      const row = rows.find((r) => r.name === c.name)!;
      const parent = byId.get(Number(row.parent))!;
      expect(parent.name).toBe('top');
      expect(Number(parent.parent)).toBe(0);
      expect(levelOf(parent)).toBe(c.contextlevel);
      expect(levelOf(row)).toBe(c.contextlevel);
    }
  });

  it("when the course top's new id is the old id of the quiz's category, Moodle's after_execute parents the course category under it", async () => {
    const categories = await backupCategories();
    const quiz = categories.find((c) => c.contextlevel === 70)!;
    const course = categories.find((c) => c.contextlevel === 50)!;
    // The quiz's category comes first in questions.xml, so the course top is the first row the restore inserts.
    expect(categories.indexOf(quiz)).toBeLessThan(categories.indexOf(course));
    const storage = createMemoryStorage();
    await storage.open();
    const seeded = Array.from({ length: quiz.id - 1 }, (_, i) => ({
      name: `seed ${i}`,
      contextid: 1,
      info: '',
      infoformat: 0,
      stamp: `seed+${i}`,
      parent: 0,
      sortorder: 0,
      idnumber: null,
    }));
    await seedRows(storage, 'question_categories', seeded);
    const { rows, levelOf, byId } = await restoredCategories(storage);
    const courseTop = rows.find((r) => r.name === 'top' && levelOf(r) === 50)!;
    expect(Number(courseTop.id)).toBe(quiz.id);
    const quizRow = rows.find((r) => r.name === quiz.name)!;
    const courseRow = rows.find((r) => r.name === course.name)!;
    // The module bank's top-level category still ends under the module's top (restore_move_module_questions_categories)…
    expect(byId.get(Number(quizRow.parent))).toMatchObject({ name: 'top', parent: 0 });
    expect(levelOf(quizRow)).toBe(70);
    // …while the course's default category points at the quiz's category, in the module context.
    expect(Number(courseRow.parent)).toBe(Number(quizRow.id));
    expect(levelOf(courseRow)).toBe(50);
  });
});
