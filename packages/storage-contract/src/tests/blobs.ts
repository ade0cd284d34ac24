/** Contract: content-addressed blobs. */
import { ErrorCode } from '@mbz-restore/engine';
import { expect, it } from 'vitest';
import { blobOf, errorOf, failingStream, readAll } from '../support.ts';
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
