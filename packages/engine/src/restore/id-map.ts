/**
 * Old id → new id, per item name: the engine's `backup_ids_temp` (Moodle's
 * `restore_structure_step::set_mapping()` / `get_mappingid()`, see
 * `../shared/docs/moodle-backup-format.md` §5.1). Item names are Moodle's: `user`, `group`, `context`,
 * `course_module`, `forum_discussion` …
 *
 * Kept in memory: it holds one entry per restored record that something can refer to (users, grades,
 * posts, question attempt steps …), never per log row. A large course still maps hundreds of thousands of
 * records (an l backup: 460,000), so the entries of an item name are kept compact ({@link CompactIdMap}).
 */

/** The id map of one restore. */
export class IdMap {
  readonly #maps = new Map<string, CompactIdMap>();

  /** Records that `oldId` of `itemname` became `newId`. */
  set(itemname: string, oldId: number, newId: number): void {
    let map = this.#maps.get(itemname);
    if (!map) this.#maps.set(itemname, (map = new CompactIdMap()));
    map.set(oldId, newId);
  }

  /** The new id of `oldId`, or `undefined` when it was not restored. */
  get(itemname: string, oldId: number | string | null | undefined): number | undefined {
    if (oldId === null || oldId === undefined || oldId === '') return undefined;
    return this.#maps.get(itemname)?.get(typeof oldId === 'number' ? oldId : Number(oldId));
  }

  /** True when `oldId` of `itemname` was mapped. */
  has(itemname: string, oldId: number | string | null | undefined): boolean {
    return this.get(itemname, oldId) !== undefined;
  }

  /** Every mapping of one item name (old → new), in the order they were first set (a copy). */
  entries(itemname: string): ReadonlyMap<number, number> {
    return this.#maps.get(itemname)?.toMap() ?? new Map();
  }

  /** Number of mappings of one item name. */
  size(itemname: string): number {
    return this.#maps.get(itemname)?.size ?? 0;
  }
}

/**
 * The mappings of one item name, with `Map`'s behaviour (insertion order; a later `set` of a key replaces its
 * value and keeps its place) in less than half its memory. Old and new ids sit in two `Int32Array`s in the order
 * they were first set, found through an open-addressing hash table of positions (an `Int32Array`, at most 3/4
 * full): ~17 bytes a mapping against ~38 for a `Map<number, number>` (an l restore's 460,000 mappings: 7.8 MB,
 * outside the JS heap, against 17.2 MB in it). Records do not come in the order of their old ids (activities
 * are restored in the backup's order, not by id), so a sorted array would not do. The rare mapping whose ids do
 * not fit 32 bits goes to a `Map`, with its place among the others for {@link toMap}.
 */
export class CompactIdMap {
  #olds = new Int32Array(8);
  #news = new Int32Array(8);
  #count = 0;
  /** Array mappings whose new id moved to {@link #wide} (marked {@link WIDE} in the arrays). */
  #moved = 0;
  /** Hash table: position in the arrays + 1, or 0 for an empty slot. Its length is a power of two. */
  #slots = new Int32Array(16);
  /** Mappings whose ids do not fit 32 bits (or are not whole numbers). */
  readonly #wide = new Map<number, number>();
  /** For each of {@link #wide}: how many array mappings came before it. */
  readonly #widePlaces: Array<readonly [place: number, oldId: number]> = [];

  get size(): number {
    return this.#count - this.#moved + this.#wide.size;
  }

  set(oldId: number, newId: number): void {
    if (!isInt32(oldId) || !isInt32(newId)) {
      const at = isInt32(oldId) ? this.#find(oldId) : -1;
      if (at >= 0 && this.#news[at] !== WIDE) {
        // Moves to the wide mappings and keeps its place (that of its array position).
        this.#news[at] = WIDE;
        this.#moved++;
      }
      if (!this.#wide.has(oldId)) this.#widePlaces.push([at >= 0 ? at : this.#count, oldId]);
      this.#wide.set(oldId, newId);
      return;
    }
    const at = this.#find(oldId);
    if (at >= 0) {
      if (this.#news[at] === WIDE) {
        this.#wide.delete(oldId);
        this.#moved--;
      }
      this.#news[at] = newId;
      return;
    }
    if (this.#wide.has(oldId)) {
      this.#wide.set(oldId, newId);
      return;
    }
    this.#append(oldId, newId);
  }

  get(oldId: number): number | undefined {
    if (isInt32(oldId)) {
      const at = this.#find(oldId);
      if (at >= 0 && this.#news[at] !== WIDE) return this.#news[at];
    }
    return this.#wide.size === 0 ? undefined : this.#wide.get(oldId);
  }

  /** A `Map` of the mappings in the order they were first set. */
  toMap(): Map<number, number> {
    const map = new Map<number, number>();
    // A wide mapping placed at p came after the first p array mappings (sort is stable: same place, set order).
    const places = [...this.#widePlaces].sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (let i = 0; i <= this.#count; i++) {
      while (next < places.length && places[next]![0] === i) {
        const oldId = places[next++]![1];
        if (this.#wide.has(oldId)) map.set(oldId, this.#wide.get(oldId)!);
      }
      if (i < this.#count && this.#news[i] !== WIDE) map.set(this.#olds[i]!, this.#news[i]!);
    }
    return map;
  }

  /** Position of `oldId` in the arrays, or -1. */
  #find(oldId: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = hash(oldId) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) return -1;
      if (this.#olds[entry - 1] === oldId) return entry - 1;
    }
  }

  #append(oldId: number, newId: number): void {
    if (this.#count === this.#olds.length) {
      this.#olds = grown(this.#olds, this.#count * 2);
      this.#news = grown(this.#news, this.#count * 2);
    }
    this.#olds[this.#count] = oldId;
    this.#news[this.#count] = newId;
    this.#count++;
    if (this.#count * 4 > this.#slots.length * 3) this.#rehash(this.#slots.length * 2);
    else this.#place(this.#count - 1);
  }

  #rehash(length: number): void {
    this.#slots = new Int32Array(length);
    for (let at = 0; at < this.#count; at++) this.#place(at);
  }

  #place(at: number): void {
    const mask = this.#slots.length - 1;
    let slot = hash(this.#olds[at]!) & mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
    this.#slots[slot] = at + 1;
  }
}

// Internal helpers

/** A new id no mapping has (ids are positive): marks an array mapping that moved to the wide ones. */
const WIDE = -2147483648;

function isInt32(value: number): boolean {
  return (value | 0) === value && !Object.is(value, -0) && value !== WIDE;
}

/** Fibonacci hashing: spreads consecutive ids over the table (use the low bits after the multiply's mix). */
function hash(value: number): number {
  const h = Math.imul(value, 0x9e3779b1);
  return h ^ (h >>> 16);
}

function grown(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}
