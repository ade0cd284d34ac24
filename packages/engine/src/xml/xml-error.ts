/**
 * Errors and limits of the XML reader. Every problem the reader finds is an `XmlError` whose message
 * names the archive entry, the element path and, for limits, the limit and the value found; the same
 * entry and path are set on `context` so callers can report them without parsing text.
 */
import { InvalidArgumentError, XmlError, type ErrorCode } from '../errors.ts';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './types.ts';

/** The entry name used in messages when the caller gave none. */
export const UNNAMED_ENTRY = '(xml)';

/** Where the reader is, for error messages: the archive entry and the current element path. */
export interface XmlPlace {
  /** Archive entry name, e.g. `users.xml`. */
  readonly entry: string;
  /** Element path, e.g. `/users/user/preferences`; `/` before the root element. */
  readonly xmlPath: string;
}

/** Builds an `XmlError` whose message starts with `<entry> at <path>:` and whose context holds both. */
export function xmlError(code: ErrorCode, what: string, place: XmlPlace, cause?: unknown): XmlError {
  return new XmlError(code, `${place.entry} at ${place.xmlPath}: ${what}`, {
    context: { entry: place.entry, xmlPath: place.xmlPath },
    cause,
  });
}

/** Fills unspecified limits with {@link DEFAULT_XML_LIMITS}; throws `input.invalid-argument` for a non-positive or non-integer limit. */
export function resolveXmlLimits(limits: Partial<XmlLimits> | undefined): XmlLimits {
  const resolved = { ...DEFAULT_XML_LIMITS, ...dropUndefined(limits ?? {}) };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`XML limit ${name} must be a positive integer, got ${String(value)}.`);
    }
  }
  return Object.freeze(resolved);
}

/** Formats a byte count for messages: `70000000 bytes (66.8 MiB)`. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${bytes} bytes (${(bytes / 1024 ** 2).toFixed(1)} MiB)`;
}

/** The message for a limit crossed: `<what> is <found>, more than the <limit> limit of <value>. …` */
export function limitMessage(what: string, found: number, limit: keyof XmlLimits, value: number): string {
  return `${what} is ${formatBytes(found)}, more than the ${limit} limit of ${formatBytes(value)}. Raise the limit if the backup is trusted.`;
}

// Internal helpers

function dropUndefined(limits: Partial<XmlLimits>): Partial<XmlLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
