/** The seeded random streams are deterministic and independent. */
import { describe, expect, it } from 'vitest';
import { createRng, hashInts } from '../src/index.ts';

describe('createRng', () => {
  it('repeats a stream for the same seed and keys', () => {
    const a = createRng(1, 'user', 3);
    const b = createRng(1, 'user', 3);
    const xs = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
    expect(new Set(xs).size).toBe(50);
  });

  it('separates seeds and keys', () => {
    const first = (seed: number, ...keys: (string | number)[]): number => createRng(seed, ...keys).u32();
    expect(first(1, 'user', 3)).not.toBe(first(2, 'user', 3));
    expect(first(1, 'user', 3)).not.toBe(first(1, 'user', 4));
    expect(first(1, 'a', 'bc')).not.toBe(first(1, 'ab', 'c'));
  });

  it('keeps int() within inclusive bounds and hits both ends', () => {
    const rng = createRng(5, 'bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('hashInts', () => {
  it('is a deterministic function into [0, 1)', () => {
    expect(hashInts(1, 2, 3, 4)).toBe(hashInts(1, 2, 3, 4));
    expect(hashInts(1, 2, 3, 4)).not.toBe(hashInts(1, 2, 3, 5));
    for (let i = 0; i < 1000; i++) {
      const v = hashInts(9, i);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
