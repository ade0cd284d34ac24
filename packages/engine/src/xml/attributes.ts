/**
 * Attributes of a start tag (`name="value"` or `name='value'`), checked as XML 1.0 requires: a
 * name, `=`, a quoted value without `<`, no attribute twice. Values are normalised (tab, newline
 * and carriage return become spaces, §3.3.3) and their references decoded. Moodle only writes
 * attributes for ids (`<user id="4" contextid="76">`), so this is not on the hot path.
 */
import { ErrorCode } from '../errors.ts';
import { decodeEntities, type FailFn } from './entities.ts';
import { INCOMPLETE } from './markup.ts';
import { limitMessage } from './xml-error.ts';

/** ASCII name table: {@link NAME_CHAR} when a character may continue a name, {@link NAME_START} when it may also start one. */
export const NAME = new Uint8Array(128);
/** Bit set in {@link NAME} for characters allowed inside a name. */
export const NAME_CHAR = 1;
/** Value in {@link NAME} for characters allowed at the start of a name. */
export const NAME_START = 3;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME[c] = NAME_START;
  else if (/[0-9.-]/.test(ch)) NAME[c] = NAME_CHAR;
}

/** True when the character code may continue an element or attribute name (any non-ASCII character is accepted). */
export function isNameChar(c: number): boolean {
  return c < 128 ? (NAME[c]! & NAME_CHAR) !== 0 : c >= 128;
}

/**
 * Reads one attribute at `j` (its first character) of the start tag `<tag …>` and pushes its name
 * and decoded value onto `attrs`. Returns the index after the closing quote, or {@link INCOMPLETE}
 * when `s` ends first.
 */
export function readAttribute(
  s: string,
  j: number,
  tag: string,
  attrs: string[],
  maxTextBytes: number,
  fail: FailFn,
): number {
  const n = s.length;
  const a = j;
  let c = s.charCodeAt(j);
  if (c < 128 && NAME[c] !== NAME_START)
    fail(ErrorCode.XmlMalformed, `unexpected "${s.charAt(j)}" in the start tag <${tag}>`);
  do c = s.charCodeAt(++j);
  while (isNameChar(c));
  const name = s.slice(a, j);
  while (c === 32 || c === 10 || c === 9 || c === 13) c = s.charCodeAt(++j);
  if (j >= n) return INCOMPLETE;
  if (c !== 61 /* = */)
    fail(ErrorCode.XmlMalformed, `attribute ${name} in <${tag}> has no value (expected ${name}="…")`);
  do c = s.charCodeAt(++j);
  while (c === 32 || c === 10 || c === 9 || c === 13);
  if (j >= n) return INCOMPLETE;
  if (c !== 34 && c !== 39) fail(ErrorCode.XmlMalformed, `the value of attribute ${name} in <${tag}> must be quoted`);
  const end = s.indexOf(c === 34 ? '"' : "'", j + 1);
  if (end === -1) return INCOMPLETE;
  const value = attributeValue(s.slice(j + 1, end), name, tag, maxTextBytes, fail);
  for (let k = 0; k < attrs.length; k += 2) {
    if (attrs[k] === name) fail(ErrorCode.XmlMalformed, `attribute ${name} appears twice in <${tag}>`);
  }
  attrs.push(name, value);
  return end + 1;
}

// Internal helpers

function attributeValue(raw: string, name: string, tag: string, maxTextBytes: number, fail: FailFn): string {
  if (raw.length * 3 > maxTextBytes && Buffer.byteLength(raw) > maxTextBytes) {
    fail(
      ErrorCode.XmlTextTooLarge,
      limitMessage(`attribute ${name} of <${tag}>`, Buffer.byteLength(raw), 'maxTextBytes', maxTextBytes),
    );
  }
  if (raw.indexOf('<') !== -1)
    fail(ErrorCode.XmlMalformed, `attribute ${name} of <${tag}> contains '<' (it must be written &lt;)`);
  let value = raw;
  if (/[\t\n\r]/.test(value)) value = value.replace(/\r\n|[\t\n\r]/g, ' ');
  if (value.indexOf('&') !== -1) value = decodeEntities(value, fail);
  return value;
}
