/**
 * PHP's `json_decode()` and `json_encode()` as Moodle calls them (no flags), for the values Moodle's restore
 * re-serialises: availability trees (`availability/classes/tree.php`) and the `other` column of the log events it
 * writes (`admin/tool/log/classes/helper/buffered_writer.php`: `json_encode($entry['other'])`). Objects decode to
 * ordered maps and numbers keep their int/float kind, so a value round-trips as PHP writes it back: `/` escaped,
 * non-ASCII as `\uXXXX`, an integral float without its fraction (`75.00000` → `75`, no JSON_PRESERVE_ZERO_FRACTION).
 */

/** A JSON number as PHP decodes it: an int, or a float when written with `.`, `e` or `E` (or too large). */
export class PhpNumber {
  readonly value: number;
  readonly isFloat: boolean;
  constructor(raw: string | number, isFloat?: boolean) {
    this.value = Number(raw);
    this.isFloat =
      isFloat ??
      (typeof raw === 'string' ? /[.eE]/.test(raw) || !Number.isSafeInteger(this.value) : !Number.isInteger(raw));
  }
}

/** A JSON object as PHP decodes it with `json_decode($text)` (no assoc flag): keys in order. */
export type PhpObject = Map<string, PhpValue>;
/** A decoded PHP value. */
export type PhpValue = null | boolean | string | PhpNumber | PhpValue[] | PhpObject;

/** A PHP int. */
export function int(value: number): PhpNumber {
  return new PhpNumber(value, false);
}

/** `json_decode($text)` with objects as ordered maps and numbers keeping their int/float kind. */
export function phpJsonDecode(textIn: string): PhpValue {
  let i = 0;
  const s = textIn;
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at ${i}`);
  };
  const value = (depth: number): PhpValue => {
    if (depth > 512) fail();
    ws();
    const ch = s[i];
    if (ch === '{') {
      i++;
      const map: PhpObject = new Map();
      ws();
      if (s[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        const key = string();
        ws();
        if (s[i++] !== ':') fail();
        map.set(key, value(depth + 1));
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === '}') {
          i++;
          return map;
        } else fail();
      }
    }
    if (ch === '[') {
      i++;
      const arr: PhpValue[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') {
          i++;
          return arr;
        } else fail();
      }
    }
    if (ch === '"') return string();
    if (s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
    return new PhpNumber(m![0]);
  };
  const string = (): string => {
    // s[i] === '"'
    const start = i;
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i++;
      i++;
    }
    if (i >= s.length) fail();
    i++;
    try {
      return JSON.parse(s.slice(start, i)) as string;
    } catch {
      return fail();
    }
  };
  const result = value(0);
  ws();
  if (i !== s.length) fail();
  return result;
}

/** `json_encode($value)` with PHP's defaults: `/` escaped, non-ASCII as `\uXXXX`, floats with at least one decimal. */
export function phpJsonEncode(value: PhpEncodable | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return phpJsonString(value);
  if (typeof value === 'number') return phpNumber(new PhpNumber(value));
  if (value instanceof PhpNumber) return phpNumber(value);
  if (Array.isArray(value)) return `[${value.map((v) => phpJsonEncode(v)).join(',')}]`;
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return `{${entries.map(([k, v]) => `${phpJsonString(k)}:${phpJsonEncode(v)}`).join(',')}}`;
}

/** What {@link phpJsonEncode} takes: decoded PHP values, or plain JS values (a whole number is an int, else a float). */
export type PhpEncodable =
  | PhpValue
  | number
  | readonly PhpEncodable[]
  | ReadonlyMap<string, PhpEncodable>
  | { readonly [key: string]: PhpEncodable | undefined };

function phpNumber(n: PhpNumber): string {
  if (!n.isFloat) return String(n.value);
  if (!Number.isFinite(n.value)) return '0';
  // serialize_precision -1: the shortest text that reads back the same. Without JSON_PRESERVE_ZERO_FRACTION an
  // integral float loses its fraction (`75.00000` → `75`, as Moodle's test_restore_legacy_availability expects);
  // the exponent form keeps one (`1.0e+25`).
  const textOut = String(n.value);
  if (/e/.test(textOut)) {
    const [mantissa, exponent] = textOut.split('e');
    return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}e${exponent}`;
  }
  return textOut;
}

function phpJsonString(value: string): string {
  let out = '"';
  for (let k = 0; k < value.length; k++) {
    const code = value.charCodeAt(k);
    const ch = value[k]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '/') out += '\\/';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code > 0x7e) out += code === 0x7f ? ch : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
