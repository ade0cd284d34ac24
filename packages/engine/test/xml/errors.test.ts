/**
 * Every way the reader refuses a document, each with its stable code, the entry name and the element
 * path in the message and in `context`: DOCTYPE, entities, malformed XML (including truncation),
 * depth, record size, text size and encoding; and bad options.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { parseXmlDocument } from '../../src/xml/parse-document.ts';
import { countRecords, readRecords } from '../../src/xml/record-reader.ts';
import { collect, expectCode } from './support/collect.ts';

const read = (xml: string | Buffer, options: Partial<Parameters<typeof collect>[1]> = {}, size?: number) =>
  collect(xml, { paths: ['/a/b'], entry: 'test.xml', ...options }, size);
const count = (xml: string | Buffer) => countRecords([Buffer.from(xml)], ['/a/b'], { entry: 'test.xml' });

describe('refused documents', () => {
  it('refuses any DOCTYPE (xml.doctype-forbidden), before or inside the root, in every API', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;">]><a><b>&y;</b></a>';
    const error = await expectCode(read(bomb), ErrorCode.XmlDoctypeForbidden);
    expect(error.message).toContain('test.xml');
    expect(error.context).toEqual({ entry: 'test.xml', xmlPath: '/' });
    await expectCode(read('<a><!DOCTYPE a></a>'), ErrorCode.XmlDoctypeForbidden);
    await expectCode(read('<!doctype a><a/>'), ErrorCode.XmlDoctypeForbidden);
    await expectCode(count(bomb), ErrorCode.XmlDoctypeForbidden);
    expect(() => parseXmlDocument(bomb)).toThrow(expect.objectContaining({ code: ErrorCode.XmlDoctypeForbidden }));
  });

  it('refuses entity references other than the five predefined ones (xml.entity-forbidden)', async () => {
    const error = await expectCode(read('<a><b><c>&nbsp;</c></b></a>'), ErrorCode.XmlEntityForbidden);
    expect(error.message).toContain('&nbsp;');
    expect(error.context).toEqual({ entry: 'test.xml', xmlPath: '/a/b/c' });
    await expectCode(read('<a><b x="&ext;"/></a>'), ErrorCode.XmlEntityForbidden);
    await expectCode(read('<a><skipped>&copy;</skipped></a>'), ErrorCode.XmlEntityForbidden);
    await expectCode(count('<a><b>&quot;&copy;</b></a>'), ErrorCode.XmlEntityForbidden);
  });

  it.each([
    ['a mismatched end tag', '<a><b></c></a>', '/a/b'],
    ['an end tag for the wrong element', '<a><b><c></b></c></a>', '/a/b/c'],
    ['an unclosed element', '<a><b></b>', '/a'],
    ['an unquoted attribute', '<a><b x=1/></a>', '/a'],
    ['an attribute without a value', '<a><b x/></a>', '/a'],
    ['attributes without whitespace between', '<a><b x="1"y="2"/></a>', '/a'],
    ['a duplicate attribute', '<a><b x="1" x="2"/></a>', '/a'],
    ["'<' in an attribute value", '<a><b x="<"/></a>', '/a'],
    ['text after the root', '<a/>junk', '/'],
    ['text before the root', 'junk<a/>', '/'],
    ['a second root element', '<a/><a/>', '/'],
    ['an end tag after the root', '<a/></a>', '/'],
    ['a bare ampersand', '<a><b>fish & chips</b></a>', '/a/b'],
    ['an unterminated reference', '<a><b>&amp</b></a>', '/a/b'],
    ['a character reference to a forbidden character', '<a><b>&#0;</b></a>', '/a/b'],
    ["']]>' in text", '<a><b>x]]>y</b></a>', '/a/b'],
    ["'--' in a comment", '<a><!-- a -- b --></a>', '/a'],
    ['an XML declaration that is not first', ' <?xml version="1.0"?><a/>', '/'],
    ['a malformed XML declaration', '<?xml versio="1.0"?><a/>', '/'],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', '/'],
    ["'<' followed by a space", '<a>< b/></a>', '/a'],
    ['an empty document', '', '/'],
    ['only whitespace and comments', ' <!-- x --> ', '/'],
  ])('refuses %s (xml.malformed)', async (_what, xml, xmlPath) => {
    const error = await expectCode(read(xml), ErrorCode.XmlMalformed);
    expect(error.context).toEqual({ entry: 'test.xml', xmlPath });
    expect(error.message).toMatch(/^test\.xml at \//);
  });

  it('ends truncated input with xml.malformed wherever it is cut, never hangs', async () => {
    const doc = '<?xml version="1.0"?><a><b id="1"><c>x &amp; y</c><d><![CDATA[z]]></d><!-- c --></b></a>';
    for (let cut = 0; cut < doc.length; cut++) {
      await expectCode(read(doc.slice(0, cut)), ErrorCode.XmlMalformed);
      await expectCode(read(doc.slice(0, cut), {}, 1), ErrorCode.XmlMalformed);
      await expectCode(count(doc.slice(0, cut)), ErrorCode.XmlMalformed);
    }
    expect(await read(doc)).toHaveLength(1);
  });

  it('refuses nesting deeper than maxDepth (xml.too-deep)', async () => {
    const deep = (n: number) => `<a>${'<x>'.repeat(n)}${'</x>'.repeat(n)}</a>`;
    expect(await read(deep(3), { limits: { maxDepth: 4 } })).toEqual([]);
    const error = await expectCode(read(deep(4), { limits: { maxDepth: 4 } }), ErrorCode.XmlTooDeep);
    expect(error.message).toContain('maxDepth');
    expect(error.context.xmlPath).toBe('/a/x/x/x/x');
    await expectCode(read(`<a>${'<x>'.repeat(100)}leaf${'</x>'.repeat(100)}</a>`), ErrorCode.XmlTooDeep);
    await expectCode(read('<a><b><c><d>leaf</d></c></b></a>', { limits: { maxDepth: 3 } }), ErrorCode.XmlTooDeep);
  });

  it('refuses a record larger than maxRecordBytes (xml.record-too-large), even across chunks', async () => {
    const record = `<b id="1"><c>${'é'.repeat(300)}</c></b>`;
    const doc = `<a>${record}<b>small</b></a>`;
    const size = Buffer.byteLength(record);
    expect(await read(doc, { limits: { maxRecordBytes: size } })).toHaveLength(2);
    const error = await expectCode(read(doc, { limits: { maxRecordBytes: size - 1 } }), ErrorCode.XmlRecordTooLarge);
    expect(error.message).toContain('maxRecordBytes');
    expect(error.message).toContain('/a/b');
    await expectCode(read(doc, { limits: { maxRecordBytes: size - 1 } }, 7), ErrorCode.XmlRecordTooLarge);
    expect(await read(doc, { limits: { maxRecordBytes: size } }, 7)).toHaveLength(2);
    expect(() => parseXmlDocument(doc, { limits: { maxRecordBytes: 100 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.XmlRecordTooLarge }),
    );
  });

  it('refuses a text node or attribute larger than maxTextBytes (xml.text-too-large)', async () => {
    const limits = { maxTextBytes: 100 };
    expect(await read(`<a><b><c>${'x'.repeat(100)}</c></b></a>`, { limits })).toHaveLength(1);
    for (const xml of [
      `<a><b><c>${'x'.repeat(101)}</c></b></a>`,
      `<a><b><c>${'é'.repeat(51)}</c></b></a>`,
      `<a><b><c><![CDATA[${'x'.repeat(60)}]]>${'y'.repeat(41)}</c></b></a>`,
      `<a><b c="${'x'.repeat(101)}"/></a>`,
      `<a><outside>${'x'.repeat(101)}</outside></a>`,
    ]) {
      const error = await expectCode(read(xml, { limits }), ErrorCode.XmlTextTooLarge);
      expect(error.message).toContain('maxTextBytes');
      await expectCode(read(xml, { limits }, 3), ErrorCode.XmlTextTooLarge);
    }
  });

  it('fails a 300 MB text node while reading it, without buffering it (default limits)', async () => {
    for (const api of ['readRecords', 'countRecords'] as const) {
      let pulled = 0;
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      async function* hugeText(): AsyncGenerator<Buffer> {
        yield Buffer.from('<a><b><c>');
        for (let k = 0; k < 300; k++) {
          pulled += chunk.length;
          yield chunk;
        }
        yield Buffer.from('</c></b></a>');
      }
      const run =
        api === 'readRecords'
          ? (async () => {
              for await (const record of readRecords(hugeText(), { paths: ['/a/b'], entry: 'big.xml' })) void record;
            })()
          : countRecords(hugeText(), ['/a/b'], { entry: 'big.xml' });
      const error = await expectCode(run, ErrorCode.XmlTextTooLarge);
      expect(error.context).toEqual({ entry: 'big.xml', xmlPath: '/a/b/c' });
      expect(pulled, api).toBeGreaterThan(64 * 1024 * 1024);
      expect(pulled, api).toBeLessThan(70 * 1024 * 1024);
    }
  });

  it('refuses bytes that are not UTF-8 (xml.invalid-encoding)', async () => {
    const bad = [
      Buffer.concat([Buffer.from('<a><b>'), Buffer.from([0xff]), Buffer.from('</b></a>')]),
      Buffer.concat([Buffer.from('<a><b>'), Buffer.from([0xc0, 0xaf]), Buffer.from('</b></a>')]),
      Buffer.concat([Buffer.from('<a><b>'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('</b></a>')]),
      Buffer.concat([Buffer.from('<a><b>x</b></a>'), Buffer.from([0xe4, 0xbc])]),
      Buffer.from('<a><b>caf\u00e9</b></a>', 'latin1'),
      Buffer.from('\ufeff<a/>', 'utf16le'),
    ];
    for (const bytes of bad) {
      await expectCode(read(bytes), ErrorCode.XmlInvalidEncoding);
      await expectCode(read(bytes, {}, 1), ErrorCode.XmlInvalidEncoding);
    }
    await expectCode(read('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'), ErrorCode.XmlInvalidEncoding);
    expect(await read('<?xml version="1.0" encoding="utf-8" standalone="yes"?><a><b>é</b></a>')).toEqual([
      { path: '/a/b', data: { '#text': 'é' } },
    ]);
  });

  it('refuses bad options with input.invalid-argument at once, destroying the source', async () => {
    const { Readable } = await import('node:stream');
    const stream = Readable.from([Buffer.from('<a/>')]);
    expect(() => readRecords(stream, { paths: ['a/b'] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    expect(stream.destroyed).toBe(true);
    expect(() => readRecords([], { paths: [] })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    expect(() => readRecords([], { paths: ['/a//b'] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    expect(() => readRecords([], { paths: ['/a'], arrays: ['/abs'] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    expect(() => readRecords([], { paths: ['/a'], limits: { maxDepth: 0 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    expect(() => readRecords(42 as never, { paths: ['/a'] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    await expectCode(countRecords([], ['nope']), ErrorCode.InvalidArgument);
  });
});
