/**
 * Types of the streaming, path-based XML record reader (in the spirit of Moodle's
 * progressive parser, `backup/util/xml/parser/progressive_parser.class.php`).
 *
 * A consumer declares the absolute element paths it wants (`/users/user`, `/logs/log`) and receives
 * one plain {@link XmlRecord} per matching element. Memory is bounded by the largest single record,
 * never by the file.
 */

/** A value inside a record: text (or `null` for Moodle's `$@NULL@$`), a nested element, or a list of them. */
export type XmlValue = string | null | XmlObject | XmlValue[];

/** An element turned into a plain object: attributes and child elements as properties. */
export interface XmlObject {
  [name: string]: XmlValue;
}

/** One record: an element at one of the selected paths. */
export interface XmlRecord {
  /** The selected path that matched, e.g. `/users/user`. */
  readonly path: string;
  /** The element's attributes and children (see {@link RecordReaderOptions} for the shape). */
  readonly data: XmlObject;
  /**
   * The record of the nearest enclosing selected path, when the selected paths nest
   * (e.g. a `/question_categories/question_category` around a question); `undefined` at top level.
   */
  readonly parent: XmlRecord | undefined;
}

/** Limits of the XML reader. Crossing one is an `XmlError` naming the limit. */
export interface XmlLimits {
  /** Deepest element nesting. Default is 64. */
  readonly maxDepth: number;
  /** Largest single record (bytes of its XML). Default is 256 MiB. */
  readonly maxRecordBytes: number;
  /** Largest single text node or attribute value (bytes). Default is 64 MiB. */
  readonly maxTextBytes: number;
}

/** Default XML limits. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxDepth: 64,
  maxRecordBytes: 256 * 1024 ** 2,
  maxTextBytes: 64 * 1024 ** 2,
});

/** Options of {@link readRecords}. */
export interface RecordReaderOptions {
  /**
   * Absolute element paths to emit as records. When one selected path lies inside another, the inner
   * elements are emitted as records of their own (after their enclosing record, which is emitted
   * without them, as in Moodle's non-grouped parser) and are left out of the outer record.
   */
  readonly paths: readonly string[];
  /**
   * Paths relative to a record (e.g. `preferences/preference`) whose elements are always arrays,
   * even when there is only one. Elsewhere an element becomes an array only when it repeats.
   */
  readonly arrays?: readonly string[];
  /** Limits; unspecified ones take {@link DEFAULT_XML_LIMITS}. */
  readonly limits?: Partial<XmlLimits>;
  /** Archive entry name, used in error messages and error context. */
  readonly entry?: string;
}
