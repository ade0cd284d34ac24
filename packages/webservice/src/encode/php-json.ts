/**
 * JSON as PHP's `json_encode()` writes it with Moodle's flags (none): `/` escaped as `\/`, every non-ASCII
 * character as `\uXXXX`, and a float-typed value that is whole written with `.0` (`1.0`, never `1`), so a
 * strictly typed client decodes what it would decode from Moodle. When a description is given, values are
 * first cast to their declared types as `external_api::clean_returnvalue()` does.
 */
import type { Description } from '../params/external-description.ts';

/** Encodes `value` (described by `description`, when given) as PHP would. */
export function phpJsonEncode(value: unknown, description?: Description): string {
  return encode(value, description);
}

// Internal helpers

function encode(value: unknown, description: Description | undefined): string {
  if (description?.kind === 'value') return encodeScalar(value, description.type);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const content = description?.kind === 'multiple' ? description.content : undefined;
    return `[${value.map((v) => encode(v, content)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries: string[] = [];
    if (description?.kind === 'single') {
      for (const [key, sub] of Object.entries(description.keys)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        entries.push(`${encodeString(key)}:${encode(v, sub)}`);
      }
    } else {
      for (const [key, v] of Object.entries(value))
        if (v !== undefined) entries.push(`${encodeString(key)}:${encode(v, undefined)}`);
    }
    return `{${entries.join(',')}}`;
  }
  return encodeScalar(value, undefined);
}

function encodeScalar(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (type === 'int') return String(Math.trunc(Number(value)));
  if (type === 'float') return encodeFloat(Number(value));
  if (type === 'bool') return value ? 'true' : 'false';
  if (type !== undefined) return encodeString(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return encodeString(String(value));
}

function encodeFloat(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const text = String(n);
  if (/^-?\d+$/.test(text)) return `${text}.0`;
  // JS writes 1e-7 where PHP writes 1.0e-7.
  return text.replace(/^(-?\d+)e/, '$1.0e');
}

function encodeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '/') out += '\\/';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) {
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
