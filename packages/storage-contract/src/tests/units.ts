/** Contract: isolation between units of work, rollback, id allocation, lifecycle errors. */
import { createSiteSeed, ErrorCode } from '@mbz-restore/engine';
import { expect, it } from 'vitest';
import { blobOf, courseRow, dumpStore, sampleRestore } from '../support.ts';
import type { ContractContext } from '../support.ts';

export function unitTests(ctx: ContractContext): void {
  it('keeps a unit invisible to the store and to other units until it commits', async () => {
    const adapter = await ctx.create();
    const a = await adapter.begin();
    const b = await adapter.begin();
    const courseid = await sampleRestore(a, 'iso');
    expect(await adapter.count('course', { id: courseid })).toBe(0);
    expect(await adapter.count('logstore_standard_log')).toBe(0);
    expect(await adapter.select('course', { id: 1 })).toEqual([expect.objectContaining({ summary: null })]);
    expect(await b.select('course', { id: courseid })).toEqual([]);
    expect(await b.select('course', { id: 1 })).toEqual([expect.objectContaining({ summary: null })]);
    expect(await b.hasBlob(blobOf('a-iso').hash)).toBe(false);
    expect(await a.hasBlob(blobOf('a-iso').hash)).toBe(true);
    expect(await adapter.listBlobs()).toEqual([]);
    await a.commit();
    expect(await adapter.count('logstore_standard_log')).toBe(50);
    expect(await b.select('course', { id: courseid })).toHaveLength(1);
    expect(await b.select('course', { id: 1 })).toEqual([expect.objectContaining({ summary: 'touched by iso' })]);
    expect(await adapter.listBlobs()).toHaveLength(2);
    await b.rollback();
  });

  it('writes only the columns a unit changed, so two units updating one row both count', async () => {
    const adapter = await ctx.create();
    const a = await adapter.begin();
    const b = await adapter.begin();
    await a.update('course', 1, { fullname: 'From A' });
    await a.update('course', 1, { summary: 'A summary' });
    await a.update('role', 5, { name: 'Learner' });
    await a.update('user', 2, { firstname: 'Ada', lastname: 'Lovelace' });
    await b.update('course', 1, { shortname: 'FROM-B' });
    await b.commit();
    await a.commit();
    expect(await adapter.select('course', { id: 1 })).toEqual([
      expect.objectContaining({ fullname: 'From A', summary: 'A summary', shortname: 'FROM-B', format: 'site' }),
    ]);
    expect(await adapter.select('role', { id: 5 })).toEqual([
      expect.objectContaining({ name: 'Learner', shortname: 'student' }),
    ]);
    expect(await adapter.select('user', { id: 2 })).toEqual([
      expect.objectContaining({ firstname: 'Ada', lastname: 'Lovelace', username: 'admin' }),
    ]);
  });

  it('leaves the store exactly as before after a rollback', async () => {
    const adapter = await ctx.create();
    const before = await dumpStore(adapter);
    const tx = await adapter.begin();
    await sampleRestore(tx, 'rb');
    await tx.rollback();
    expect(await dumpStore(adapter)).toEqual(before);
  });

  it('never hands out an id twice across concurrent units, even after a rollback', async () => {
    const adapter = await ctx.create();
    const seededMax = createSiteSeed({ siteidentifier: 'x', now: 0 }).course!.length;
    const [a, b] = await Promise.all([adapter.begin(), adapter.begin()]);
    const ranges: Array<[number, number]> = [];
    const take = async (tx: typeof a, n: number) => ranges.push([await tx.allocateIds('course', n), n]);
    await Promise.all([take(a, 10), take(b, 5), take(a, 1), take(b, 100)]);
    await a.rollback();
    const c = await adapter.begin();
    await take(c, 7);
    const ids = ranges.flatMap(([first, n]) => Array.from({ length: n }, (_, i) => first + i));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBeGreaterThan(seededMax);
    const [first] = ranges.at(-1)!;
    await c.insert('course', [courseRow(first, 'AFTER-ROLLBACK')]);
    await c.commit();
    await b.rollback();
    const d = await adapter.begin();
    expect(await d.allocateIds('course', 1)).toBeGreaterThan(Math.max(...ids));
    await d.rollback();
  });

  it('fails with storage.closed after close() and storage.transaction-done after commit', async () => {
    const adapter = await ctx.create();
    const done = await adapter.begin();
    await done.commit();
    const doneError = { code: ErrorCode.StorageTransactionDone };
    await expect(done.insert('course', [courseRow(500, 'LATE')])).rejects.toMatchObject(doneError);
    await expect(done.select('course')).rejects.toMatchObject(doneError);
    await expect(done.allocateIds('course', 1)).rejects.toMatchObject(doneError);
    await expect(done.commit()).rejects.toMatchObject(doneError);
    await expect(done.rollback()).rejects.toMatchObject(doneError);

    const rolled = await adapter.begin();
    await rolled.rollback();
    await rolled.rollback(); // a no-op, so catch { rollback() } is always safe
    await expect(rolled.update('course', 1, { fullname: 'x' })).rejects.toMatchObject(doneError);

    const open = await adapter.begin();
    await adapter.close();
    const closed = { code: ErrorCode.StorageClosed };
    await expect(adapter.select('course')).rejects.toMatchObject(closed);
    await expect(adapter.begin()).rejects.toMatchObject(closed);
    await expect(adapter.listBlobs()).rejects.toMatchObject(closed);
    await expect(adapter.open()).rejects.toMatchObject(closed);
    await expect(open.select('course')).rejects.toMatchObject(closed);
  });
}
