/** Same options → byte-identical archive, for both containers; another seed → another archive. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempBackups, type TempBackups } from './support/generate.ts';

let tmp: TempBackups;
beforeAll(async () => {
  tmp = await tempBackups();
});
afterAll(async () => {
  await tmp.cleanup();
});

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe.each(['tar.gz', 'zip'] as const)('determinism (%s)', (container) => {
  it('writes byte-identical archives for the same seed', async () => {
    const a = await tmp.generate({ size: 'xs', container, seed: 7, name: `a-${container}.mbz` });
    const b = await tmp.generate({ size: 'xs', container, seed: 7, name: `b-${container}.mbz` });
    expect(await sha256(a.path)).toBe(await sha256(b.path));
    expect(a.bytes).toBe(b.bytes);
    expect({ ...a, path: '' }).toEqual({ ...b, path: '' });
  });

  it('writes a different archive for a different seed', async () => {
    const a = await tmp.generate({ size: 'xs', container, seed: 7, name: `c-${container}.mbz` });
    const b = await tmp.generate({ size: 'xs', container, seed: 8, name: `d-${container}.mbz` });
    expect(await sha256(a.path)).not.toBe(await sha256(b.path));
    expect(a.course.shortname).not.toBe(b.course.shortname);
  });
});

describe('defaults', () => {
  it('uses seed 1 and tar.gz, and reports progress', async () => {
    const seen: number[] = [];
    const r = await tmp.generate({ size: 'xs', name: 'defaults.mbz', onProgress: (n) => seen.push(n) });
    expect(r.seed).toBe(1);
    expect(r.container).toBe('tar.gz');
    const head = (await readFile(r.path)).subarray(0, 2);
    expect([...head]).toEqual([0x1f, 0x8b]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(r.bytes);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('rejects bad options', async () => {
    await expect(tmp.generate({ size: 'xxl' as 'xs', name: 'bad.mbz' })).rejects.toThrow(/unknown size/);
    await expect(tmp.generate({ size: 'xs', seed: 1.5, name: 'bad.mbz' })).rejects.toThrow(/seed/);
  });
});
