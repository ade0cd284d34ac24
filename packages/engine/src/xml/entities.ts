/**
 * Character and entity references in text and attribute values. XML's five predefined entities and
 * numeric character references are decoded; any other named entity is `xml.entity-forbidden` (the
 * reader never reads a DTD, so there is nothing it could legitimately refer to, and refusing it rules
 * out entity-expansion attacks). A bare `&` or a reference to a character XML does not allow is
 * `xml.malformed`. Moodle escapes `& < > "` in every value it writes (`xml_writer::xml_safe_text_content()`).
 */
import { ErrorCode } from '../errors.ts';

/** Reports a problem; throws (the caller adds the entry and element path). */
export type FailFn = (code: ErrorCode, what: string) => never;

/** The five entities every XML processor knows. */
const PREDEFINED: Readonly<Record<string, string>> = Object.freeze({
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});

/** An `&` that does not start one of the five predefined entities. */
const OTHER_REFERENCE = /&(?!(?:quot|amp|lt|gt|apos);)/;

/** Longest reference the reader accepts (`&#x0010FFFF;` with leading zeros is still far below). */
const MAX_REFERENCE_LENGTH = 40;

/**
 * Decodes every reference in `raw` (which contains at least one `&`).
 * @param fail - called for a forbidden or malformed reference
 */
export function decodeEntities(raw: string, fail: FailFn): string {
  if (!OTHER_REFERENCE.test(raw)) {
    // Only the predefined entities (the common case, e.g. JSON in a log's `other`): native replaces.
    let text = raw.replace(/&quot;/g, '"');
    if (text.indexOf('&') !== -1)
      text = text
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&');
    return text;
  }
  let out = '';
  let from = 0;
  let amp = raw.indexOf('&');
  while (amp !== -1) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > MAX_REFERENCE_LENGTH) {
      fail(
        ErrorCode.XmlMalformed,
        `'&' is not the start of a reference ending in ';' (near "${preview(raw, amp)}"); a literal & must be written &amp;`,
      );
    }
    out += raw.slice(from, amp) + resolveReference(raw.slice(amp + 1, semi), fail);
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/** Checks every reference in `raw` without building the decoded text (for text that is not kept). */
export function checkReferences(raw: string, fail: FailFn): void {
  if (OTHER_REFERENCE.test(raw)) decodeEntities(raw, fail);
}

/** XML end-of-line handling: `\r\n` and a lone `\r` become `\n` (XML 1.0 §2.11). */
export function normalizeNewlines(raw: string): string {
  return raw.replace(/\r\n?/g, '\n');
}

/** True when `code` is a character XML 1.0 allows (the `Char` production). */
export function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

// Internal helpers

function resolveReference(body: string, fail: FailFn): string {
  const predefined = PREDEFINED[body];
  if (predefined !== undefined && Object.hasOwn(PREDEFINED, body)) return predefined;
  if (body.charCodeAt(0) === 35 /* # */) {
    const hex = body.charCodeAt(1) === 120; /* x */
    const digits = body.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
      fail(ErrorCode.XmlMalformed, `"&${body};" is not a valid character reference`);
    }
    const code = parseInt(digits, hex ? 16 : 10);
    if (!isXmlChar(code))
      fail(
        ErrorCode.XmlMalformed,
        `"&${body};" refers to a character XML does not allow (U+${code.toString(16).toUpperCase()})`,
      );
    return String.fromCodePoint(code);
  }
  if (/^[A-Za-z_:\u0080-\uffff][\w.:\-\u0080-\uffff]*$/.test(body)) {
    fail(
      ErrorCode.XmlEntityForbidden,
      `entity reference "&${body};" is not allowed: only &lt; &gt; &amp; &quot; &apos; and numeric references are read (the reader never expands entities)`,
    );
  }
  return fail(ErrorCode.XmlMalformed, `"&${body};" is not a valid reference`);
}

function preview(raw: string, at: number): string {
  return raw.slice(at, at + 20).replace(/\s+/g, ' ');
}
