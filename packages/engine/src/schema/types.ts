/**
 * Moodle's database schema, as data: the tables a restore writes, with Moodle's own names, column
 * types and defaults (from each component's `db/install.xml`), so a storage adapter can create them and
 * anyone who knows Moodle's database can query a restored course. Table names have no prefix here;
 * adapters add `mdl_`.
 */

/** Moodle XMLDB column types, reduced to what storage needs. */
export type ColumnType =
  /** XMLDB `int` (any length). */
  | 'int'
  /** XMLDB `number` / `float` (decimal). */
  | 'number'
  /** XMLDB `char` (with `length`). */
  | 'char'
  /** XMLDB `text` (any size). */
  | 'text'
  /** XMLDB `binary`. */
  | 'binary';

/** One column. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** XMLDB NOTNULL. */
  readonly notnull: boolean;
  /** XMLDB DEFAULT, typed (string for char/text, number for int/number); absent when there is none. */
  readonly default?: string | number;
  /** char length or int/number precision, as in install.xml. */
  readonly length?: number;
  /** number decimals. */
  readonly decimals?: number;
}

/** One index (XMLDB KEY of type unique, or INDEX). Foreign keys are not enforced by Moodle and are not listed. */
export interface IndexSpec {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/** One table. Every table has `id` (int, primary key, sequence) as its first column, as in Moodle. */
export interface TableSpec {
  /** Name without prefix, e.g. `course_modules`. */
  readonly name: string;
  /** Component that defines it, e.g. `core`, `mod_forum`, `assignsubmission_file`. */
  readonly component: string;
  readonly columns: readonly ColumnSpec[];
  readonly indexes: readonly IndexSpec[];
}
