/** Contract: content-addressed blobs and job records. */
import { ErrorCode } from '@mbz-restore/engine';
import { expect, it } from 'vitest';
import { blobOf, errorOf, failingStream, jobRecord, readAll } from '../support.ts';
import type { ContractContext } from '../support.ts';

export function blobTests(ctx: ContractContext): void {
  it('stores a blob under its SHA-1, once, and reads it back after commit', async () => {
    const adapter = await ctx.create();
    const blob = blobOf('hello blob');
    const tx = await adapter.begin();
    expect(await tx.hasBlob(blob.hash)).toBe(false);
    await tx.putBlob(blob.hash, blob.stream());
    await tx.putBlob(blob.hash, blob.stream());
    expect(await tx.hasBlob(blob.hash)).toBe(true);
    expect(await adapter.hasBlob(blob.hash)).toBe(false);
    await tx.commit();
    expect(await adapter.hasBlob(blob.hash)).toBe(true);
    expect(await adapter.listBlobs()).toEqual([blob.hash]);
    expect(await readAll((await adapter.readBlob(blob.hash))!)).toEqual(blob.bytes);
    expect(await adapter.readBlob(blobOf('absent').hash)).toBeUndefined();

    const again = await adapter.begin();
    const stream = blob.stream();
    await again.putBlob(blob.hash, stream);
    expect(stream.readableEnded).toBe(true); // consumed although already stored
    await again.commit();
    expect(await adapter.listBlobs()).toEqual([blob.hash]);
  });

  it('keeps nothing of a blob whose stream fails or whose bytes do not match the hash', async () => {
    const adapter = await ctx.create();
    const blob = blobOf('will break');
    const tx = await adapter.begin();
    const error = await errorOf(() => tx.putBlob(blob.hash, failingStream(blob.bytes.subarray(0, 4))));
    expect(error).toBeInstanceOf(Error);
    expect(await tx.hasBlob(blob.hash)).toBe(false);
    const wrong = blobOf('other bytes');
    await expect(tx.putBlob(blob.hash, wrong.stream())).rejects.toMatchObject({ code: ErrorCode.StorageBlobMismatch });
    expect(await tx.hasBlob(blob.hash)).toBe(false);
    await expect(tx.putBlob('../../etc/passwd', wrong.stream())).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await tx.commit();
    expect(await adapter.hasBlob(blob.hash)).toBe(false);
    expect(await adapter.listBlobs()).toEqual([]);
  });

  it('drops the blobs of a unit that rolls back', async () => {
    const adapter = await ctx.create();
    const blob = blobOf('rolled back');
    const tx = await adapter.begin();
    await tx.putBlob(blob.hash, blob.stream());
    await tx.rollback();
    expect(await adapter.hasBlob(blob.hash)).toBe(false);
    expect(await adapter.listBlobs()).toEqual([]);
    const next = await adapter.begin();
    expect(await next.hasBlob(blob.hash)).toBe(false);
    await next.rollback();
  });
}

export function jobTests(ctx: ContractContext): void {
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

  it('writes jobs at once, outside any unit of work', async () => {
    const adapter = await ctx.create();
    const tx = await adapter.begin();
    await adapter.putJob(jobRecord('d'.repeat(32), 1));
    await tx.rollback();
    expect(await adapter.getJob('d'.repeat(32))).toMatchObject({ status: 700 });
  });
}
