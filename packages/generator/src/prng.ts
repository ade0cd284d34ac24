/**
 * Seeded pseudo-random numbers for the generator. Nothing in this package may use `Math.random()` or
 * the clock: every value in a generated backup comes from here, so the same seed gives a
 * byte-identical archive.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state),
 * seeded through a string hash of `(seed, ...keys)`. Keys name a *stream* (`'user', 17` or
 * `'logs', 'course/logstores.xml'`): every record family draws from its own stream, so a writer can
 * re-create any record from its key alone (needed because large files are rendered twice, see
 * `generate-backup.ts`) and adding a draw in one family never shifts the values of another.
 */

/** A seeded random source. All methods advance the stream. */
export interface Rng {
  /** Next unsigned 32-bit integer. */
  u32(): number;
  /** Float in [0, 1). */
  next(): number;
  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** Key parts that identify a random stream. */
export type StreamKey = string | number;

/** Creates the random stream named by `keys` under `seed`. Same arguments → same sequence. */
export function createRng(seed: number, ...keys: StreamKey[]): Rng {
  const state = seedState(seed, keys);
  const u32 = (): number => sfc32Step(state);
  const next = (): number => u32() / 4294967296;
  return {
    u32,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick() from an empty array');
      return item;
    },
  };
}

/**
 * A stateless coin: the same `(seed, keys)` always gives the same float in [0, 1). Used for
 * membership questions asked from several files ("did student 17 submit assignment 3?").
 */
export function hashUnit(seed: number, ...keys: StreamKey[]): number {
  const state = seedState(seed, keys);
  return sfc32Step(state) / 4294967296;
}

/**
 * A fast stateless hash of integers to [0, 1) (murmur3 finalizer). For hot paths that need the
 * same value in several files, e.g. the grade of student 17 in assignment 3: `hashInts(seed, 3, 17)`.
 */
export function hashInts(seed: number, a: number, b = 0, c = 0): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  h = mixInto(h, a);
  h = mixInto(h, b);
  h = mixInto(h, c);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * Fills `target` (length a multiple of 4) with the next bytes of the stream whose state is `state`
 * (from {@link streamState}) and advances the state, so a large blob can be produced chunk by chunk.
 * Bytes are the little-endian words of the generator (Node only runs on little-endian hosts).
 */
export function fillRandom(target: Uint8Array, state: Uint32Array): void {
  if (target.byteLength % 4 !== 0) throw new Error('fillRandom() needs a length divisible by 4');
  const words = new Uint32Array(target.buffer, target.byteOffset, target.byteLength / 4);
  let a = state[0]! | 0;
  let b = state[1]! | 0;
  let c = state[2]! | 0;
  let d = state[3]! | 0;
  for (let i = 0; i < words.length; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    words[i] = t;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

/** The 128-bit generator state for `(seed, keys)`, for {@link fillRandom}. */
export function streamState(seed: number, ...keys: StreamKey[]): Uint32Array {
  return seedState(seed, keys);
}

// Internal helpers

function mixInto(h: number, k: number): number {
  let x = Math.imul(k | 0, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  h ^= Math.imul(x, 0x1b873593);
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

function seedState(seed: number, keys: readonly StreamKey[]): Uint32Array {
  const text = `${seed}\u0000${keys.join('\u0000')}`;
  // Four independent 32-bit FNV-1a-style hashes with different offsets, then warm-up rounds.
  const state = new Uint32Array(4);
  for (let lane = 0; lane < 4; lane++) {
    let h = (0x811c9dc5 ^ Math.imul(lane + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    state[lane] = h >>> 0;
  }
  for (let i = 0; i < 12; i++) sfc32Step(state);
  return state;
}

function sfc32Step(s: Uint32Array): number {
  const a = s[0]! | 0;
  const b = s[1]! | 0;
  const c = s[2]! | 0;
  const d = s[3]! | 0;
  const t = (((a + b) | 0) + d) | 0;
  s[3] = (d + 1) | 0;
  s[0] = b ^ (b >>> 9);
  s[1] = (c + (c << 3)) | 0;
  s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  return t >>> 0;
}
