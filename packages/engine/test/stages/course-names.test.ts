/**
 * Two restores of courses with the same names running at once: each unit of work sees only committed rows and
 * its own, so both may choose the same names in the course stage. The names are checked again just before
 * commit, and the later restore moves on to "copy N" / "_N".
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import type { RestoreState } from '../../src/pipeline/context.ts';
import { RowWriter } from '../../src/restore/row-writer.ts';
import { settleCourseNames } from '../../src/stages/course.ts';

describe('course names at commit', () => {
  it('renames the course when a restore committed meanwhile took its names, and leaves it alone otherwise', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const mine = await storage.begin();
    const rows = new RowWriter(mine);
    const courseId = await rows.insert('course', {
      category: 1,
      fullname: 'Algebra',
      shortname: 'ALG',
      format: 'topics',
    });
    const state = { courseId, courseBaseNames: ['Algebra', 'ALG'] } as unknown as RestoreState;

    await settleCourseNames({ rows, state });
    expect(await rows.select('course', { id: courseId })).toMatchObject([{ fullname: 'Algebra', shortname: 'ALG' }]);

    const other = await storage.begin();
    const theirs = new RowWriter(other);
    await theirs.insert('course', { category: 1, fullname: 'Algebra', shortname: 'ALG', format: 'topics' });
    await theirs.flush();
    await other.commit();

    await settleCourseNames({ rows, state });
    expect(await rows.select('course', { id: courseId })).toMatchObject([
      { fullname: 'Algebra copy 1', shortname: 'ALG_1' },
    ]);
    await mine.commit();
    const names = (await storage.select('course')).map((c) => c.shortname);
    expect(names.filter((n) => n === 'ALG' || n === 'ALG_1').sort()).toEqual(['ALG', 'ALG_1']);
  });
});
