/**
 * Old id → new id, per item name: the engine's `backup_ids_temp` (Moodle's
 * `restore_structure_step::set_mapping()` / `get_mappingid()`, see
 * `../shared/docs/moodle-backup-format.md` §5.1). Item names are Moodle's: `user`, `group`, `context`,
 * `course_module`, `forum_discussion` …
 *
 * Kept in memory: it holds one entry per restored record that something can refer to (users, grades,
 * posts …), never per log row, so it stays small next to the backup.
 */

/** The id map of one restore. */
export class IdMap {
  readonly #maps = new Map<string, Map<number, number>>();

  /** Records that `oldId` of `itemname` became `newId`. */
  set(itemname: string, oldId: number, newId: number): void {
    let map = this.#maps.get(itemname);
    if (!map) this.#maps.set(itemname, (map = new Map()));
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

  /** Every mapping of one item name (old → new). */
  entries(itemname: string): ReadonlyMap<number, number> {
    return this.#maps.get(itemname) ?? new Map();
  }

  /** Number of mappings of one item name. */
  size(itemname: string): number {
    return this.#maps.get(itemname)?.size ?? 0;
  }
}
