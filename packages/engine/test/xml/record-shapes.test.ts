/**
 * The shape of records (`readRecords` TSDoc): attributes, leaves, `$@NULL@$`, repeats, `arrays`,
 * `#text`, CDATA, references, comments, nested selected paths with `parent`, and the fast
 * shape-based construction giving exactly what the plain construction gives.
 */
import { describe, expect, it } from 'vitest';
import { MOODLE_NULL } from '../../src/xml/record-builder.ts';
import { collect, counts, dataOf } from './support/collect.ts';

describe('record shapes', () => {
  it('turns attributes into strings and leaf elements into their text', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<users>
  <user id="4" contextid='76'>
    <username>tool_generator_000002</username>
    <phone1></phone1>
    <phone2/>
    <description>$@NULL@$</description>
    <imagealt> $@NULL@$</imagealt>
    <city>  Paris  </city>
    <address>   </address>
  </user>
</users>`;
    expect(await dataOf(xml, ['/users/user'])).toEqual([
      {
        id: '4',
        contextid: '76',
        username: 'tool_generator_000002',
        phone1: '',
        phone2: '',
        description: null,
        imagealt: ' $@NULL@$',
        city: '  Paris  ',
        address: '   ',
      },
    ]);
    expect(MOODLE_NULL).toBe('$@NULL@$');
  });

  it('makes objects of elements with attributes or children, with non-whitespace text under #text', async () => {
    const xml = `<r><rec>
      <setting name="x" level="root">value</setting>
      <empty name="y"> </empty>
      <nil name="z">$@NULL@$</nil>
      <nested><a>1</a><b><c>2</c></b></nested>
      <mixed>before<i>x</i>after</mixed>
    </rec></r>`;
    expect(await dataOf(xml, ['/r/rec'])).toEqual([
      {
        setting: { name: 'x', level: 'root', '#text': 'value' },
        empty: { name: 'y' },
        nil: { name: 'z', '#text': null },
        nested: { a: '1', b: { c: '2' } },
        mixed: { i: 'x', '#text': 'beforeafter' },
      },
    ]);
  });

  it('always makes the record element itself an object', async () => {
    expect(await dataOf('<a><b>text</b><b/><b x="1">t</b><b>  </b></a>', ['/a/b'])).toEqual([
      { '#text': 'text' },
      {},
      { x: '1', '#text': 't' },
      {},
    ]);
  });

  it('turns repeated names into arrays, in document order, and keeps single ones scalar', async () => {
    const xml =
      '<r><rec><tag>a</tag><other>o</other><tag>b</tag><one>1</one><obj><k>1</k></obj><obj><k>2</k></obj></rec></r>';
    expect(await dataOf(xml, ['/r/rec'])).toEqual([
      { tag: ['a', 'b'], other: 'o', one: '1', obj: [{ k: '1' }, { k: '2' }] },
    ]);
  });

  it('always makes `arrays` paths arrays, relative to the record, and their parents objects', async () => {
    const xml = `<users>
  <user id="1"><preferences><preference><name>a</name><value>1</value></preference></preferences><tags><tag>t</tag></tags></user>
  <user id="2"><preferences>
    </preferences></user>
  <user id="3"/>
</users>`;
    const arrays = ['preferences/preference', 'tags/tag'];
    expect(await dataOf(xml, ['/users/user'], { arrays })).toEqual([
      { id: '1', preferences: { preference: [{ name: 'a', value: '1' }] }, tags: { tag: ['t'] } },
      { id: '2', preferences: { preference: [] } },
      { id: '3' },
    ]);
  });

  it('lets a child element win over an attribute of the same name', async () => {
    expect(
      await dataOf('<r><rec id="1" name="n"><id>2</id></rec><rec id="1"><id>2</id><id>3</id></rec></r>', ['/r/rec']),
    ).toEqual([{ id: '2', name: 'n' }, { id: ['2', '3'] }]);
  });

  it('reads CDATA as text and skips comments and processing instructions', async () => {
    const xml = `<r><rec>
      <html><![CDATA[<p>x < y & </log></p>]]></html>
      <joined>foo<![CDATA[<b>]]>bar<!-- gone -->baz<?pi skipped?></joined>
      <only><!-- nothing --></only>
      <nul><![CDATA[$@NULL@$]]></nul>
    </rec></r>`;
    expect(await dataOf(xml, ['/r/rec'])).toEqual([
      { html: '<p>x < y & </log></p>', joined: 'foo<b>barbaz', only: '', nul: null },
    ]);
  });

  it('decodes the predefined entities and character references, in text and attributes', async () => {
    const xml =
      '<r><rec a="&lt;&#65;&#x42;&quot;&apos;"><t>&lt;p&gt; &amp;amp; &quot;q&quot; &apos;s&apos; &#233;&#x4F1F;&#x1F600;</t></rec></r>';
    expect(await dataOf(xml, ['/r/rec'])).toEqual([{ a: `<AB"'`, t: `<p> &amp; "q" 's' é伟😀` }]);
  });

  it('normalises line ends in text and whitespace in attribute values (XML 1.0 §2.11, §3.3.3)', async () => {
    expect(
      await dataOf('<r><rec a="x\ty\r\nz&#10;"><t>a\r\nb\rc</t><u><![CDATA[d\r\ne]]></u></rec></r>', ['/r/rec']),
    ).toEqual([{ a: 'x y z\n', t: 'a\nb\nc', u: 'd\ne' }]);
  });

  it('gives names such as __proto__ and constructor own properties without touching prototypes', async () => {
    const [data] = await dataOf(
      '<r><rec __proto__="a" constructor="b"><toString>c</toString><__proto__>d</__proto__><hasOwnProperty><x>1</x></hasOwnProperty></rec></r>',
      ['/r/rec'],
    );
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data!)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('d');
    expect(data!.constructor).toBe('b');
    expect(data!.hasOwnProperty).toEqual({ x: '1' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('emits records of several paths in document order and nothing outside them', async () => {
    const xml = '<g><a><x>1</x></a><skip><x>no</x></skip><b><y>2</y></b><a><x>3</x></a></g>';
    expect((await collect(xml, { paths: ['/g/a', '/g/b', '/g/missing'] })).map((r) => [r.path, r.data])).toEqual([
      ['/g/a', { x: '1' }],
      ['/g/b', { y: '2' }],
      ['/g/a', { x: '3' }],
    ]);
    expect(await counts(xml, ['/g/a', '/g/b', '/g/missing', '/g'])).toEqual({
      '/g/a': 2,
      '/g/b': 1,
      '/g/missing': 0,
      '/g': 1,
    });
  });

  it('reads the root element as a record when asked', async () => {
    expect(await dataOf('<course id="7" contextid="9"><shortname>S</shortname></course>', ['/course'])).toEqual([
      { id: '7', contextid: '9', shortname: 'S' },
    ]);
  });
});

describe('nested selected paths', () => {
  const xml = `<question_categories>
  <question_category id="7">
    <name>top</name>
    <questions>
      <question id="29"><name>TF 1</name><hints><hint id="1"><text>h</text></hint></hints></question>
      <question id="30"><name>TF 2</name></question>
    </questions>
    <late>read after the nested records: not part of the record</late>
  </question_category>
  <question_category id="8">
    <name>empty</name>
    <questions>
    </questions>
  </question_category>
</question_categories>`;
  const paths = ['/question_categories/question_category', '/question_categories/question_category/questions/question'];

  it('emits the outer record first, without the nested elements, and links each inner record to it', async () => {
    const records = await collect(xml, { paths });
    expect(records).toEqual([
      { path: paths[0], data: { id: '7', name: 'top' } },
      {
        path: paths[1],
        data: { id: '29', name: 'TF 1', hints: { hint: { id: '1', text: 'h' } } },
        parent: { path: paths[0], id: '7' },
      },
      { path: paths[1], data: { id: '30', name: 'TF 2' }, parent: { path: paths[0], id: '7' } },
      { path: paths[0], data: { id: '8', name: 'empty' } },
    ]);
  });

  it('points parent at the very record object emitted before, through several levels', async () => {
    const seen = [];
    for await (const record of (await import('../../src/xml/record-reader.ts')).readRecords([Buffer.from(xml)], {
      paths: [...paths, '/question_categories/question_category/questions/question/hints/hint'],
    })) {
      seen.push(record);
    }
    const [category, question, hint] = seen;
    expect(question!.parent).toBe(category);
    expect(hint!.parent).toBe(question);
    expect(hint!.parent!.parent).toBe(category);
    expect(category!.parent).toBeUndefined();
    expect(question!.data).toEqual({ id: '29', name: 'TF 1' });
  });
});

describe('shape-based construction', () => {
  it('builds exactly what the plain construction builds, whatever the mix of shapes', async () => {
    const rows = [
      '<log id="1"><a>1</a><b>$@NULL@$</b><c/></log>',
      '<log id="2"><a>2</a><b>x</b><c/></log>',
      '<log id="3"><a>3</a><b>y</b><c>z</c></log>',
      '<log id="4"><a>4</a><b>y</b><c>z</c><d>extra</d></log>',
      '<log id="5"><a>5</a><a>5b</a><c>z</c></log>',
      '<log id="6"><id>6b</id><b>y</b><c>z</c></log>',
      '<log id="7"><a>7</a><b>y</b><c>z</c></log>',
      '<log><a>8</a><b>y</b><c>z</c></log>',
      '<log id="9"><a><n>1</n></a><b>y</b><c>z</c></log>',
      '<log id="10">t<a>10</a><b>y</b><c>z</c></log>',
    ];
    const expected = [
      { id: '1', a: '1', b: null, c: '' },
      { id: '2', a: '2', b: 'x', c: '' },
      { id: '3', a: '3', b: 'y', c: 'z' },
      { id: '4', a: '4', b: 'y', c: 'z', d: 'extra' },
      { id: '5', a: ['5', '5b'], c: 'z' },
      { id: '6b', b: 'y', c: 'z' },
      { id: '7', a: '7', b: 'y', c: 'z' },
      { a: '8', b: 'y', c: 'z' },
      { id: '9', a: { n: '1' }, b: 'y', c: 'z' },
      { id: '10', a: '10', b: 'y', c: 'z', '#text': 't' },
    ];
    const xml = `<logs>${rows.join('')}${rows.join('')}${rows.join('')}</logs>`;
    const data = await dataOf(xml, ['/logs/log']);
    expect(data).toEqual([...expected, ...expected, ...expected]);
    for (const record of data)
      expect(Object.keys(record)).toEqual(Object.keys(expected[data.indexOf(record) % expected.length]!));
  });
});

describe('shape-based construction of nested objects', () => {
  it('builds nested objects and `arrays` children exactly as the plain construction does', async () => {
    const users = [
      '<user id="1"><name>a</name><prefs><pref><n>x</n><v>1</v></pref><pref><n>y</n><v>2</v></pref></prefs><box k="1"><w>1</w></box></user>',
      '<user id="2"><name>b</name><prefs></prefs><box k="2"><w>2</w></box></user>',
      '<user id="3"><name>c</name><prefs><pref><n>z</n><v>3</v><extra>e</extra></pref></prefs><box><w>3</w><w>4</w></box></user>',
      '<user id="4"><name>d</name><prefs><pref><v>4</v><n>w</n></pref></prefs><box k="4" w="attr"><w>5</w></box></user>',
      '<user id="5"><name>e</name><prefs><pref><n>u</n><v>$@NULL@$</v></pref></prefs><box k="5">t<w>6</w></box></user>',
    ];
    const expected = [
      {
        id: '1',
        name: 'a',
        prefs: {
          pref: [
            { n: 'x', v: '1' },
            { n: 'y', v: '2' },
          ],
        },
        box: { k: '1', w: '1' },
      },
      { id: '2', name: 'b', prefs: { pref: [] }, box: { k: '2', w: '2' } },
      { id: '3', name: 'c', prefs: { pref: [{ n: 'z', v: '3', extra: 'e' }] }, box: { w: ['3', '4'] } },
      { id: '4', name: 'd', prefs: { pref: [{ v: '4', n: 'w' }] }, box: { k: '4', w: '5' } },
      { id: '5', name: 'e', prefs: { pref: [{ n: 'u', v: null }] }, box: { k: '5', w: '6', '#text': 't' } },
    ];
    const xml = `<users>${users.join('')}${users.join('')}${users.join('')}${users.join('')}</users>`;
    const data = await dataOf(xml, ['/users/user'], { arrays: ['prefs/pref'] });
    expect(data).toEqual([...expected, ...expected, ...expected, ...expected]);
    data.forEach((record, k) => {
      expect(JSON.stringify(record)).toBe(JSON.stringify(expected[k % expected.length]));
    });
  });
});
