/** Contract: opening and seeding, rows in and out of a unit of work, schema checks, constraints. */
import { createSiteSeed, ErrorCode, MOODLE_TABLES } from '@mbz-restore/engine';
import { expect, it } from 'vitest';
import { courseRow, dumpStore, errorOf, userRow } from '../support.ts';
import type { ContractContext } from '../support.ts';

export function rowTests(ctx: ContractContext): void {
  it('open() is idempotent and seeds what createSiteSeed describes', async () => {
    const adapter = await ctx.create();
    await adapter.open();
    await adapter.open();
    const seed = createSiteSeed({ siteidentifier: 'x', now: 0 }); // createAdapter() must not pass a wwwroot
    for (const [table, rows] of Object.entries(seed)) expect(await adapter.count(table), table).toBe(rows.length);
    expect((await adapter.tables()).sort()).toEqual(expect.arrayContaining(Object.keys(seed).sort()));
    const [site] = await adapter.select('config', { name: 'siteidentifier' });
    expect(String(site?.value)).toMatch(/^[A-Za-z0-9]{32}/);
    expect(await adapter.select('role', { id: 5 })).toEqual([
      expect.objectContaining({ shortname: 'student', archetype: 'student' }),
    ]);
    expect(await adapter.select('user', { username: 'admin' })).toEqual([
      expect.objectContaining({ id: 2, mnethostid: 1 }),
    ]);
  });

  it('returns whole rows with Moodle defaults and SQLite column affinity', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    const id = await tx.allocateIds('course', 1);
    await tx.insert('course', [{ ...courseRow(id, 'AFF'), category: '1', idnumber: 42 }]);
    const [row] = await tx.select('course', { id });
    expect(Object.keys(row!).sort()).toEqual(
      MOODLE_TABLES.find((t) => t.name === 'course')!
        .columns.map((c) => c.name)
        .sort(),
    );
    expect(row).toMatchObject({
      format: 'topics',
      visible: 1,
      category: 1,
      idnumber: '42',
      lang: '',
      downloadcontent: null,
    });
    expect(await tx.select('course', { id: String(id) })).toHaveLength(1);
    await tx.rollback();
  });

  it('sees its own inserts and updates before commit, and everyone sees them after', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    const id = await tx.allocateIds('course', 2);
    await tx.insert('course', [courseRow(id, 'A'), courseRow(id + 1, 'B')]);
    await tx.update('course', id, { fullname: 'Renamed' });
    await tx.update('course', 1, { fullname: 'Front page' });
    expect(await tx.select('course', { fullname: 'Renamed' })).toEqual([
      expect.objectContaining({ id, shortname: 'A' }),
    ]);
    expect((await tx.select('course', { category: 1 })).map((r) => r.id)).toEqual([id, id + 1]);
    expect(await tx.select('course', { id: 1 })).toEqual([expect.objectContaining({ fullname: 'Front page' })]);
    expect((await tx.select('course', undefined, { orderBy: 'shortname', limit: 2 })).map((r) => r.shortname)).toEqual([
      'A',
      'B',
    ]);
    await tx.commit();
    expect(await adapter.count('course')).toBe(3);
    expect(await adapter.count('course', { category: 1 })).toBe(2);
    expect(await adapter.select('course', { id: 1 })).toEqual([
      expect.objectContaining({ fullname: 'Front page', format: 'site' }),
    ]);
    expect((await adapter.select('course', undefined, { orderBy: 'fullname' })).map((r) => r.fullname)).toEqual([
      'Course B',
      'Front page',
      'Renamed',
    ]);
    expect(await adapter.select('course', { summary: null })).toEqual([expect.objectContaining({ id: 1 })]);
  });

  it('reports unknown tables and columns with their codes', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    const unknownTable = { code: ErrorCode.StorageUnknownTable };
    const unknownColumn = { code: ErrorCode.StorageUnknownColumn };
    await expect(adapter.select('no_such_table')).rejects.toMatchObject(unknownTable);
    await expect(adapter.count('no_such_table')).rejects.toMatchObject(unknownTable);
    await expect(tx.allocateIds('no_such_table', 1)).rejects.toMatchObject(unknownTable);
    await expect(tx.insert('no_such_table', [{ id: 1 }])).rejects.toMatchObject(unknownTable);
    await expect(tx.select('mdl_course')).rejects.toMatchObject(unknownTable);
    await expect(tx.insert('course', [{ ...courseRow(90, 'X'), colour: 'red' }])).rejects.toMatchObject(unknownColumn);
    await expect(tx.update('course', 1, { colour: 'red' })).rejects.toMatchObject(unknownColumn);
    await expect(tx.select('course', { colour: 'red' })).rejects.toMatchObject(unknownColumn);
    await expect(adapter.select('course', { colour: 'red' })).rejects.toMatchObject(unknownColumn);
    await expect(adapter.select('course', {}, { orderBy: 'colour' })).rejects.toMatchObject(unknownColumn);
    await tx.rollback();
  });

  it('refuses a row breaking a unique index, at insert or at commit, and keeps nothing', async () => {
    const adapter = await ctx.create();
    const before = await dumpStore(adapter);
    const tx = await adapter.begin();
    const courseid = await tx.allocateIds('course', 1);
    await tx.insert('course', [courseRow(courseid, 'KEEP-NOTHING')]);
    const id = await tx.allocateIds('user', 1);
    const error = await errorOf(async () => {
      await tx.insert('user', [userRow(id, 'admin')]); // (mnethostid, username) of the seeded admin
      await tx.commit();
    });
    expect(error).toMatchObject({ code: ErrorCode.StorageConstraint });
    await tx.rollback();
    expect(await dumpStore(adapter)).toEqual(before);
  });

  it('refuses a unique key another unit committed meanwhile, keeping none of the loser', async () => {
    const adapter = await ctx.create();
    const a = await adapter.begin();
    const b = await adapter.begin();
    const cid = await b.allocateIds('course', 1);
    await b.insert('course', [courseRow(cid, 'LOSER')]); // merged before the clashing table
    const [ida, idb] = [await a.allocateIds('user', 1), await b.allocateIds('user', 1)];
    await a.insert('user', [userRow(ida, 'same')]);
    await b.insert('user', [userRow(idb, 'same')]);
    await a.commit();
    await expect(b.commit()).rejects.toMatchObject({ code: ErrorCode.StorageConstraint });
    await b.rollback();
    expect((await adapter.select('user', { username: 'same' })).map((r) => r.id)).toEqual([ida]);
    expect(await adapter.count('course', { shortname: 'LOSER' })).toBe(0);
  });

  it('refuses a missing NOT NULL value and a row without id', async () => {
    const adapter = await ctx.create();
    const constraint = { code: ErrorCode.StorageConstraint };
    for (const rows of [
      [{ id: 9000, coursemoduleid: 1, userid: 2 }],
      [{ coursemoduleid: 1, userid: 2, completionstate: 1, timemodified: 0 }],
    ]) {
      const tx = await adapter.begin();
      const error = await errorOf(async () => {
        await tx.insert('course_modules_completion', rows);
        await tx.commit();
      });
      expect(error).toMatchObject(constraint);
      await tx.rollback();
    }
    expect(await adapter.count('course_modules_completion')).toBe(0);
  });

  it('keeps none of the rows of an insert call that fails part way', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    const id = await tx.allocateIds('course_modules_completion', 3);
    const ok = (n: number) => ({ id: id + n, coursemoduleid: 1, userid: n + 10, completionstate: 1, timemodified: 0 });
    const error = await errorOf(() =>
      tx.insert('course_modules_completion', [ok(0), ok(1), { ...ok(2), completionstate: null }]),
    );
    expect(error).toMatchObject({ code: ErrorCode.StorageConstraint });
    expect(await tx.select('course_modules_completion')).toEqual([]);
    await tx.insert('course_modules_completion', [ok(0)]);
    await tx.commit();
    expect((await adapter.select('course_modules_completion')).map((r) => r.id)).toEqual([id]);
  });

  it('refuses to update a row that does not exist', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    await expect(tx.update('course', 999_999, { fullname: 'x' })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await tx.rollback();
  });
}
