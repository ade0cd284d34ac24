/**
 * A streaming XML writer that produces text byte-for-byte the way Moodle's backup `xml_writer`
 * does (`backup/util/xml/xml_writer.class.php`, as seen in real 4.3 backups):
 *
 * - first line `<?xml version="1.0" encoding="UTF-8"?>`, no BOM;
 * - one element per line, two spaces of indentation per level, attributes in double quotes;
 * - a leaf is `<name>text</name>` on one line (text keeps its own newlines);
 * - an empty container is written open/close on two lines (`<tags>` / `</tags>`);
 * - SQL NULL is the text `$@NULL@$`;
 * - no newline after the closing root tag.
 *
 * Escaping: in text only `&`, `<` and `>` are escaped, as Moodle does (real `page.xml` keeps the
 * `"` of a PHP-serialized `displayoptions` raw); in attribute values `"` is escaped too. Characters
 * XML 1.0 forbids (C0 controls except tab/newline/CR, and DEL as Moodle strips it) are removed.
 * Output is buffered as a string and handed to a {@link TextSink} in chunks, so memory stays
 * bounded whatever the size of the document.
 */

/** Where rendered text goes. `write` may return a promise to apply back-pressure. */
export interface TextSink {
  write(text: string): void | Promise<void>;
}

/** A leaf value: `null` is written as Moodle's NULL sentinel. */
export type XmlLeafValue = string | number | boolean | null;

/** The text Moodle writes for SQL NULL. */
export const MOODLE_NULL = '$@NULL@$';

/** The exact XML declaration Moodle writes (its format detection compares it byte for byte). */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const FLUSH_AT = 256 * 1024;
const NEEDS_ESCAPE = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const INDENTS: string[] = [''];

/** Escapes element text the way Moodle does (`&`, `<`, `>`; forbidden control characters dropped). */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (`&`, `<`, `>` and `"`). */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** Writes one XML document into a {@link TextSink}. */
export class XmlWriter {
  readonly #sink: TextSink;
  readonly #stack: string[] = [];
  #pending = '';

  constructor(sink: TextSink) {
    this.#sink = sink;
    this.#pending = XML_DECLARATION;
  }

  /** Opens an element; `attrs` values are written in the given order. */
  open(name: string, attrs?: Readonly<Record<string, string | number>>): this {
    this.#pending += `${indent(this.#stack.length)}<${name}${formatAttrs(attrs)}>\n`;
    this.#stack.push(name);
    return this;
  }

  /** Closes the innermost open element. */
  close(): this {
    const name = this.#stack.pop();
    if (name === undefined) throw new Error('XmlWriter.close() without an open element');
    this.#pending += `${indent(this.#stack.length)}</${name}>${this.#stack.length > 0 ? '\n' : ''}`;
    return this;
  }

  /** Writes `<name>value</name>`; `null` becomes `$@NULL@$`. */
  leaf(name: string, value: XmlLeafValue): this {
    const text = value === null ? MOODLE_NULL : typeof value === 'string' ? escapeText(value) : String(value);
    this.#pending += `${indent(this.#stack.length)}<${name}>${text}</${name}>\n`;
    return this;
  }

  /** Writes one leaf per property, in property order. */
  leaves(fields: Readonly<Record<string, XmlLeafValue>>): this {
    for (const name in fields) this.leaf(name, fields[name] ?? null);
    return this;
  }

  /** Writes an empty container (`<name>` and `</name>` on two lines). */
  empty(name: string, attrs?: Readonly<Record<string, string | number>>): this {
    return this.open(name, attrs).close();
  }

  /** Hands buffered text to the sink once enough has accumulated. Await it inside record loops. */
  maybeFlush(): void | Promise<void> {
    if (this.#pending.length >= FLUSH_AT) return this.flush();
    return undefined;
  }

  /** Hands all buffered text to the sink. */
  flush(): void | Promise<void> {
    if (this.#pending.length === 0) return undefined;
    const text = this.#pending;
    this.#pending = '';
    return this.#sink.write(text);
  }

  /** Checks every element was closed and flushes the rest. */
  async end(): Promise<void> {
    if (this.#stack.length > 0) throw new Error(`XmlWriter.end() with <${this.#stack.join('><')}> still open`);
    await this.flush();
  }
}

// Internal helpers

function indent(depth: number): string {
  let text = INDENTS[depth];
  if (text === undefined) {
    text = '  '.repeat(depth);
    INDENTS[depth] = text;
  }
  return text;
}

function formatAttrs(attrs: Readonly<Record<string, string | number>> | undefined): string {
  if (attrs === undefined) return '';
  let out = '';
  for (const key in attrs) {
    const value = attrs[key];
    out += ` ${key}="${typeof value === 'number' ? String(value) : escapeAttribute(value ?? '')}"`;
  }
  return out;
}
