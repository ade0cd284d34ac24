/**
 * `block_instances.configdata` of an html block, the way `restore_html_block_decode_content`
 * (`blocks/html/backup/moodle2/restore_html_block_task.class.php`) decodes it: base64 of a PHP-serialized object whose
 * `text` property holds the encoded links; `preprocess_field()` hands `text` to the decoder and `postprocess_field()`
 * serializes the object again with the decoded text. Here only the bytes of that one string change (and its length
 * prefix): PHP's serialize() of the unserialized object gives back the same bytes for everything else.
 */

/** Decodes the `text` of a serialized block config with `decode`; the new base64, or `undefined` when nothing changed. */
export function decodeBlockConfigdata(
  configdata: string | null | undefined,
  decode: (text: string) => string | undefined,
): string | undefined {
  if (typeof configdata !== 'string' || configdata === '') return undefined;
  const bytes = Buffer.from(configdata, 'base64');
  const range = topLevelTextRange(bytes);
  if (!range) return undefined;
  // PHP strings are bytes: decode as latin1 so any byte survives; links and site URLs are ASCII.
  const text = bytes.subarray(range.start, range.end).toString('latin1');
  const decoded = decode(text);
  if (decoded === undefined) return undefined;
  const value = Buffer.from(decoded, 'latin1');
  const head = Buffer.from(`s:${value.length}:"`, 'latin1');
  return Buffer.concat([bytes.subarray(0, range.header), head, value, bytes.subarray(range.end)]).toString('base64');
}

/** Where the string value of the top-level `text` property is: its `s:` header and its bytes. */
function topLevelTextRange(buf: Buffer): { header: number; start: number; end: number } | undefined {
  try {
    const kind = String.fromCharCode(buf[0] ?? 0);
    let pos: number;
    let count: number;
    if (kind === 'O') {
      // O:<len>:"<class>":<count>:{
      const nameLen = readInt(buf, 2, ':');
      const n = readInt(buf, nameLen.next + nameLen.value + 4, ':');
      count = n.value;
      pos = n.next + 2;
    } else if (kind === 'a') {
      const n = readInt(buf, 2, ':');
      count = n.value;
      pos = n.next + 2;
    } else return undefined;
    for (let i = 0; i < count; i++) {
      const key = buf[pos] === 0x73 /* s */ ? readString(buf, pos) : undefined;
      const keyEnd = key ? key.next : skipValue(buf, pos);
      const valueAt = keyEnd;
      const valueEnd = skipValue(buf, valueAt);
      if (key && buf.subarray(key.start, key.end).toString('latin1') === 'text' && buf[valueAt] === 0x73) {
        const value = readString(buf, valueAt);
        return { header: valueAt, start: value.start, end: value.end };
      }
      pos = valueEnd;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** `s:<len>:"<bytes>";` at `pos`. */
function readString(buf: Buffer, pos: number): { start: number; end: number; next: number } {
  const len = readInt(buf, pos + 2, ':');
  const start = len.next + 2;
  const end = start + len.value;
  if (buf[start - 1] !== 0x22 || buf[end] !== 0x22 || buf[end + 1] !== 0x3b) throw new Error('bad string');
  return { start, end, next: end + 2 };
}

/** Position after the serialized value at `pos`. */
function skipValue(buf: Buffer, pos: number): number {
  const kind = String.fromCharCode(buf[pos] ?? 0);
  switch (kind) {
    case 'N':
      return pos + 2;
    case 'b':
    case 'i':
    case 'd':
    case 'r':
    case 'R':
      return until(buf, pos, 0x3b) + 1;
    case 's':
      return readString(buf, pos).next;
    case 'a': {
      const n = readInt(buf, pos + 2, ':');
      let p = n.next + 2;
      for (let i = 0; i < n.value * 2; i++) p = skipValue(buf, p);
      return p + 1;
    }
    case 'O': {
      const nameLen = readInt(buf, pos + 2, ':');
      const n = readInt(buf, nameLen.next + nameLen.value + 4, ':');
      let p = n.next + 2;
      for (let i = 0; i < n.value * 2; i++) p = skipValue(buf, p);
      return p + 1;
    }
    case 'C': {
      // C:<len>:"<class>":<len>:{<data>}
      const nameLen = readInt(buf, pos + 2, ':');
      const dataLen = readInt(buf, nameLen.next + nameLen.value + 4, ':');
      return dataLen.next + dataLen.value + 3;
    }
    default:
      throw new Error('bad value');
  }
}

function readInt(buf: Buffer, pos: number, terminator: string): { value: number; next: number } {
  const end = until(buf, pos, terminator.charCodeAt(0));
  const value = Number(buf.subarray(pos, end).toString('latin1'));
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('bad length');
  return { value, next: end };
}

function until(buf: Buffer, pos: number, byte: number): number {
  const at = buf.indexOf(byte, pos);
  if (at < 0) throw new Error('truncated');
  return at;
}
