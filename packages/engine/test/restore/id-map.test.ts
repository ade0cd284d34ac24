import { describe, expect, it } from 'vitest';
import { CompactIdMap, IdMap } from '../../src/restore/id-map.ts';

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sets the same mappings into a CompactIdMap and a Map and checks they answer alike. */
function checkAgainstMap(sets: Array<[number, number]>, probes: number[]): void {
  const compact = new CompactIdMap();
  const reference = new Map<number, number>();
  for (const [oldId, newId] of sets) {
    compact.set(oldId, newId);
    reference.set(oldId, newId);
  }
  expect(compact.size).toBe(reference.size);
  for (const key of [...reference.keys(), ...probes]) expect(compact.get(key), `get(${key})`).toBe(reference.get(key));
  expect([...compact.toMap()]).toEqual([...reference]);
}

describe('CompactIdMap', () => {
  it('answers as a Map for ids in ascending order, with gaps, as records come from a backup', () => {
    const sets: Array<[number, number]> = [];
    let oldId = 0;
    for (let i = 0; i < 5_000; i++) {
      oldId += 1 + (i % 7 === 0 ? 13 : 0);
      sets.push([oldId, 100_000 + i]);
    }
    checkAgainstMap(sets, [0, -1, 2, 3, oldId + 1, 1e9]);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`answers as a Map for a mix of ascending, out-of-order and repeated ids (seed ${seed})`, () => {
      const random = prng(seed);
      const sets: Array<[number, number]> = [];
      let high = 0;
      for (let i = 0; i < 3_000; i++) {
        const r = random();
        let oldId: number;
        if (r < 0.7) oldId = high += 1 + Math.floor(random() * 5);
        else if (r < 0.85)
          oldId = Math.floor(random() * (high + 10)); // out of order, maybe already set
        else if (r < 0.9)
          oldId = sets.length > 0 ? sets[Math.floor(random() * sets.length)]![0] : 1; // again
        else if (r < 0.95) oldId = -Math.floor(random() * 100);
        else oldId = 2 ** 31 + Math.floor(random() * 1000); // past 32 bits: kept in the Map
        sets.push([oldId, Math.floor(random() * 2 ** 40)]);
      }
      checkAgainstMap(sets, [0, -0, 0.5, high + 1, 2 ** 33, Number.NaN]);
    });
  }

  it('keeps NaN apart: an id that is not a number matches only a NaN mapping', () => {
    checkAgainstMap(
      [
        [1, 10],
        [2, 20],
      ],
      [Number.NaN],
    );
    checkAgainstMap(
      [
        [1, 10],
        [Number.NaN, 99],
        [3, 30],
      ],
      [Number.NaN, 2],
    );
  });
});

describe('IdMap', () => {
  it('maps per item name, takes string ids and answers undefined for empty ones', () => {
    const ids = new IdMap();
    ids.set('user', 5, 105);
    ids.set('user', 7, 107);
    ids.set('group', 5, 900);
    ids.set('user', 6, 106); // out of order
    expect(ids.get('user', 5)).toBe(105);
    expect(ids.get('user', '6')).toBe(106);
    expect(ids.get('group', 5)).toBe(900);
    expect(ids.get('group', 6)).toBeUndefined();
    expect(ids.get('user', '')).toBeUndefined();
    expect(ids.get('user', null)).toBeUndefined();
    expect(ids.get('user', 'abc')).toBeUndefined();
    expect(ids.has('user', 7)).toBe(true);
    expect(ids.size('user')).toBe(3);
    expect([...ids.entries('user')]).toEqual([
      [5, 105],
      [7, 107],
      [6, 106],
    ]);
    expect(ids.entries('nothing').size).toBe(0);
  });
});

describe('CompactIdMap, ids past 32 bits', () => {
  it('keeps a mapping in its place when its new id widens past 32 bits and comes back', () => {
    checkAgainstMap(
      [
        [1, 10],
        [2, 20],
        [3, 30],
        [2, 2 ** 40], // widens: leaves the arrays, keeps its place
        [4, 2 ** 41], // a wide one placed after 3
        [2, 21], // back into the arrays, same place
        [3, 2 ** 42],
        [5, 50],
      ],
      [6, 2 ** 40],
    );
  });
});
