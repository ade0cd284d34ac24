/** Contract: job records (a `JobStore`, usually the same store as the `StorageAdapter` the restores go into). */
import { ErrorCode } from '@mbz-restore/engine';
import { expect, it } from 'vitest';
import { isStorageAdapter, jobRecord, type JobStoreContext } from '../support.ts';

export function jobTests(ctx: JobStoreContext): void {
  it('round-trips job records, replaces by restoreid, lists oldest first', async () => {
    const adapter = await ctx.create();
    const first = jobRecord('a'.repeat(32), 1_700_000_000_000);
    const second = jobRecord('b'.repeat(32), 1_700_000_000_500, {
      status: 900,
      progress: 0.25,
      stage: 'users',
      courseid: 12,
      owner: 'pid:1',
      heartbeat: 1_700_000_001_000,
      error: { code: 'xml.malformed', message: 'bad users.xml' },
      warnings: [{ code: 'w', message: 'careful' }],
      userid: 5,
      timestarted: 1_700_000_000_600,
      timefinished: 1_700_000_002_000,
    });
    await adapter.putJob(second);
    await adapter.putJob(first);
    expect(await adapter.getJob(second.restoreid)).toEqual(second);
    expect(await adapter.getJob('c'.repeat(32))).toBeUndefined();
    expect(await adapter.listJobs()).toEqual([first, second]);
    const finished = {
      ...first,
      status: 1000 as const,
      progress: 1,
      courseid: 7,
      timemodified: 1_700_000_009_000,
      timefinished: 1_700_000_009_000,
    };
    await adapter.putJob(finished);
    expect(await adapter.getJob(first.restoreid)).toEqual(finished);
    expect(await adapter.listJobs()).toHaveLength(2);
  });

  it('keeps the user of each job, so jobs can be listed per user', async () => {
    const adapter = await ctx.create();
    await adapter.putJob(jobRecord('1'.repeat(32), 1, { userid: 2 }));
    await adapter.putJob(jobRecord('2'.repeat(32), 2, { userid: 7 }));
    await adapter.putJob(jobRecord('3'.repeat(32), 3, { userid: 7, status: 800, timestarted: 4 }));
    const jobs = await adapter.listJobs();
    expect(jobs.map((j) => [j.restoreid[0], j.userid])).toEqual([
      ['1', 2],
      ['2', 7],
      ['3', 7],
    ]);
    expect(jobs.filter((j) => j.userid === 7).map((j) => j.status)).toEqual([700, 800]);
    expect(await adapter.getJob('3'.repeat(32))).toMatchObject({ userid: 7, timestarted: 4, timefinished: null });
  });

  it('writes jobs at once, outside any unit of work', async ({ skip }) => {
    const adapter = await ctx.create();
    if (!isStorageAdapter(adapter)) return skip('the job store is not also a storage adapter: it has no units of work');
    const tx = await adapter.begin();
    await adapter.putJob(jobRecord('d'.repeat(32), 1));
    await tx.rollback();
    expect(await adapter.getJob('d'.repeat(32))).toMatchObject({ status: 700 });
  });

  it('refuses job records once closed, with storage.closed', async ({ skip }) => {
    const adapter = await ctx.create();
    if (!adapter.close) return skip('the job store has no close()');
    await adapter.close();
    await expect(adapter.putJob({} as never)).rejects.toMatchObject({ code: ErrorCode.StorageClosed });
  });
}
