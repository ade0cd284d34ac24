/**
 * Sections a backup lacks: Moodle's final `restore_rebuild_course_cache` inserts each missing number from 0 to the
 * highest with only (course, section), so the row has install.xml's defaults (no name, NULL summary, summaryformat
 * 0, visible). The 2.6 backup `availability_26_format` has sections 1–4 and no section 0.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';

const NO_SECTION_0 = 'hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz';

describe.skipIf(!hasShared())('sections: a backup without section 0 (2.6)', () => {
  let folder: string;
  let numbers: Map<number, string>;
  beforeAll(async () => {
    folder = await extractBackup(mbzFixture(NO_SECTION_0));
    const manifest = await readFile(join(folder, 'moodle_backup.xml'), 'utf8');
    numbers = new Map();
    for (const [, dir] of manifest.matchAll(/<directory>(sections\/section_\d+)<\/directory>/g)) {
      const xml = await readFile(join(folder, dir!, 'section.xml'), 'utf8');
      numbers.set(Number(/<number>(\d+)<\/number>/.exec(xml)![1]), xml);
    }
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("creates section 0 with NULL summary and summaryformat 0; the backup's sections keep theirs", async () => {
    expect(numbers.has(0)).toBe(false);
    expect(numbers.size).toBeGreaterThan(0);
    const storage = createMemoryStorage();
    await storage.open();
    const { courseid } = await restore(folder, { storage });
    const sections = await storage.select('course_sections', { course: courseid });
    const max = Math.max(...numbers.keys());
    expect(sections.map((s) => Number(s.section)).sort((a, b) => a - b)).toEqual([...Array(max + 1).keys()]);
    const zero = sections.find((s) => Number(s.section) === 0)!;
    expect(zero).toMatchObject({ name: null, summary: null, summaryformat: 0, visible: 1 });
    for (const [number, xml] of numbers) {
      const row = sections.find((s) => Number(s.section) === number)!;
      expect(row.summaryformat).toBe(Number(/<summaryformat>(\d+)<\/summaryformat>/.exec(xml)![1]));
    }
  });
});
