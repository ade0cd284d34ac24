/**
 * The store's users as the user precheck looks them up (equality filters on `user`, Moodle's rules need
 * three to five per backup user). Asking the store each time costs a query per look-up, which dominated the
 * users stage of large backups (tens of thousands of users, most of them new). When the store holds at most
 * {@link PRELOAD_MAX} users they are read once and searched in memory through per-column maps; a larger
 * store is searched with one query per look-up as before, so memory stays bounded either way.
 *
 * Valid while the precheck runs: it writes nothing, so the users it reads cannot change under it.
 */
import type { RowWriter } from '../../restore/row-writer.ts';
import type { Row, SelectOptions, SqlValue, Where } from '../../storage/storage-adapter.ts';

/** Most users read into memory; beyond this the store is queried per look-up. */
export const PRELOAD_MAX = 20_000;

/** What the precheck needs of the store: `RowWriter.select` restricted to the user table. */
export interface UserFinder {
  select(table: 'user', where: Where, options?: SelectOptions): Promise<Row[]>;
}

/** Columns a look-up may be narrowed by. */
const KEYED = ['id', 'username', 'email', 'firstaccess', 'deleted'] as const;

/** A finder over the store's users (and this restore's own): in memory when there are few enough. */
export async function userFinder(rows: RowWriter): Promise<UserFinder> {
  const all = await rows.select('user', undefined, { limit: PRELOAD_MAX + 1 });
  return all.length > PRELOAD_MAX ? rows : new MemoryUserFinder(all);
}

// Internal helpers

class MemoryUserFinder implements UserFinder {
  readonly #rows: readonly Row[];
  readonly #maps = new Map<string, Map<string, Row[]>>();

  constructor(rows: readonly Row[]) {
    this.#rows = rows;
  }

  async select(_table: 'user', where: Where, options: SelectOptions = {}): Promise<Row[]> {
    // Narrow by whichever mapped column of the filter leaves the fewest rows.
    let candidates = this.#rows;
    for (const column of KEYED) {
      const value = where[column];
      if (value === undefined || value === null) continue;
      const list = this.#map(column).get(String(value)) ?? [];
      if (list.length < candidates.length) candidates = list;
    }
    const found = candidates.filter((row) =>
      Object.entries(where).every(([column, value]) => same(row[column], value)),
    );
    found.sort(byColumn(options.orderBy ?? 'id'));
    return options.limit === undefined ? found : found.slice(0, options.limit);
  }

  #map(column: string): Map<string, Row[]> {
    let map = this.#maps.get(column);
    if (!map) {
      map = new Map();
      for (const row of this.#rows) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const list = map.get(String(value));
        if (list) list.push(row);
        else map.set(String(value), [row]);
      }
      this.#maps.set(column, map);
    }
    return map;
  }
}

/** Equality as the store compares a column with a parameter: NULL only with NULL, numbers by value, else as text. */
function same(actual: SqlValue | undefined, wanted: SqlValue): boolean {
  if (wanted === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof actual === 'number')
    return (typeof wanted === 'number' || wanted.trim() !== '') && actual === Number(wanted);
  return actual === String(wanted);
}

function byColumn(column: string): (a: Row, b: Row) => number {
  return (a, b) => compare(a[column], b[column]) || compare(a.id, b.id);
}

function compare(a: SqlValue | undefined, b: SqlValue | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : 1;
}
