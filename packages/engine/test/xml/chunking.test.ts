/**
 * Chunk boundaries never change the result: the same document fed whole, cut in two at every byte
 * offset (inside tags, references, CDATA markers, `\r\n` and multi-byte UTF-8 characters), one byte
 * at a time and in a few other sizes gives identical records, counts and errors.
 */
import { describe, expect, it } from 'vitest';
import { isMbzError } from '../../src/errors.ts';
import { compileArrayPaths, compileSelectedPaths } from '../../src/xml/path-trie.ts';
import { RecordBuilder } from '../../src/xml/record-builder.ts';
import { XmlTokenizer } from '../../src/xml/tokenizer.ts';
import { resolveXmlLimits } from '../../src/xml/xml-error.ts';
import { collect, counts, errorOf, plain, type PlainRecord } from './support/collect.ts';

const DOC = Buffer.from(
  `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- header comment -->
<?xml-stylesheet type="text/xsl" href="x.xsl"?>
<question_categories>
  <question_category id="7">
    <name>Caf\u00e9 \u4f1f \ud83d\ude00 \u00a9</name>
    <info>&lt;p&gt;A &amp; B &quot;q&quot; &apos;s&apos; &#233;&#x4F1F;&#x1F600;&lt;/p&gt;</info>
    <stamp>$@NULL@$</stamp>
    <empty></empty><self/>
    <ws>  \r\n  </ws>
    <crlf>line1\r\nline2\rline3</crlf>
    <cdata><![CDATA[<b>]] ] ]]]></cdata>
    <brackets>a]]b ]</brackets>
    <mixed attr = 'single "quoted"'  other="double 'quoted' &#10;">text<!-- c -->more<?pi x?></mixed>
    <questions>
      <question id="29"><name>Q \u00fc\u00f1\u00ee</name><tags><tag>t1</tag><tag>t2</tag></tags></question>
      <question id="30">
        <name>Q2</name>
        <tags>
        </tags>
      </question>
    </questions>
  </question_category>
  <question_category id="8"><name>last</name></question_category>
</question_categories>
<!-- trailing comment -->
`,
  'utf8',
);
const OPTIONS = {
  paths: ['/question_categories/question_category', '/question_categories/question_category/questions/question'],
  arrays: ['tags/tag'],
};
const COUNT_PATHS = [...OPTIONS.paths, '/question_categories/question_category/questions/question/tags/tag'];

describe('chunk boundaries', () => {
  it('reads the reference document as expected', async () => {
    const records = await collect(DOC, OPTIONS);
    expect(records.map((r) => r.data)).toEqual([
      {
        id: '7',
        name: 'Café 伟 😀 ©',
        info: `<p>A & B "q" 's' é伟😀</p>`,
        stamp: null,
        empty: '',
        self: '',
        ws: '  \n  ',
        crlf: 'line1\nline2\nline3',
        cdata: '<b>]] ] ]',
        brackets: 'a]]b ]',
        mixed: { attr: 'single "quoted"', other: "double 'quoted' \n", '#text': 'textmore' },
      },
      { id: '29', name: 'Q üñî', tags: { tag: ['t1', 't2'] } },
      { id: '30', name: 'Q2', tags: { tag: [] } },
      { id: '8', name: 'last' },
    ]);
    expect(await counts(DOC, COUNT_PATHS)).toEqual({
      [COUNT_PATHS[0]!]: 2,
      [COUNT_PATHS[1]!]: 2,
      [COUNT_PATHS[2]!]: 2,
    });
  });

  it('gives identical records and counts for a cut at every byte offset', async () => {
    const expected = await collect(DOC, OPTIONS);
    const expectedCounts = await counts(DOC, COUNT_PATHS);
    for (let cut = 1; cut < DOC.length; cut++) {
      expect(await collect(DOC, OPTIONS, [cut]), `cut at byte ${cut}`).toEqual(expected);
    }
    for (let cut = 1; cut < DOC.length; cut += 7) {
      expect(await countsCut(cut), `count, cut at byte ${cut}`).toEqual(expectedCounts);
    }
  });

  it('gives identical records for 1-, 2-, 3-, 5- and 64-byte chunks and for two cuts', async () => {
    const expected = await collect(DOC, OPTIONS);
    for (const size of [1, 2, 3, 5, 64])
      expect(await collect(DOC, OPTIONS, size), `${size}-byte chunks`).toEqual(expected);
    for (let a = 1; a < DOC.length; a += 13) {
      for (let b = a + 1; b < DOC.length; b += 29)
        expect(await collect(DOC, OPTIONS, [a, b]), `cuts at ${a} and ${b}`).toEqual(expected);
    }
  });

  it('reports the same error code wherever a broken document is cut', async () => {
    const broken = [
      Buffer.from('<a><b>caf\u00e9</c></a>'),
      Buffer.from('<a><b x="1" x="2"/></a>'),
      Buffer.from('<a><b>&nbsp;</b></a>'),
      Buffer.from('<a><b>\u4f1f</b></a><a/>'),
      Buffer.concat([Buffer.from('<a><b>ok'), Buffer.from([0xe4, 0xbc]), Buffer.from('</b></a>')]),
      Buffer.from('<a><b>text]]>more</b></a>'),
      Buffer.from('<!DOCTYPE a><a/>'),
      Buffer.from('<a><b>unfinished'),
    ];
    for (const doc of broken) {
      const reference = await errorOf(doc, { paths: ['/a/b'] });
      expect(isMbzError(reference), doc.toString('latin1')).toBe(true);
      const code = (reference as { code: string }).code;
      for (let cut = 1; cut < doc.length; cut++) {
        const error = await errorOf(doc, { paths: ['/a/b'] }, [cut]);
        expect((error as { code?: string } | undefined)?.code, `${doc.toString('latin1')} cut at ${cut}`).toBe(code);
      }
      expect(((await errorOf(doc, { paths: ['/a/b'] }, 1)) as { code?: string } | undefined)?.code).toBe(code);
    }
  });
});

describe('chunk boundaries inside the tokenizer', () => {
  // The byte batcher cuts after '>' when it can; feeding the tokenizer strings directly exercises
  // what it does when a batch ends inside a tag, a reference, a CDATA marker or a comment.
  const text = new TextDecoder().decode(DOC).replace(/^\uFEFF/, '');

  it('gives identical records for a cut at every character offset and for 1-character batches', () => {
    const expected = parseInBatches([text]);
    expect(expected).toHaveLength(4);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseInBatches([text.slice(0, cut), text.slice(cut)]), `cut at character ${cut}`).toEqual(expected);
    }
    expect(parseInBatches([...text])).toEqual(expected);
  });
});

function parseInBatches(batches: string[]): PlainRecord[] {
  const builder = new RecordBuilder(
    compileSelectedPaths(OPTIONS.paths),
    compileArrayPaths(OPTIONS.arrays),
    1 << 20,
    'test.xml',
  );
  const tokenizer = new XmlTokenizer(builder, resolveXmlLimits({}), 'test.xml');
  for (const batch of batches) tokenizer.write(batch);
  tokenizer.end();
  return builder.take().map(plain);
}

async function countsCut(cut: number): Promise<Record<string, number>> {
  const { countRecords } = await import('../../src/xml/record-reader.ts');
  return countRecords([DOC.subarray(0, cut), DOC.subarray(cut)], COUNT_PATHS);
}
