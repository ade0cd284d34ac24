/** XmlWriter writes Moodle's XML layout and escaping. */
import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText, XmlWriter } from '../src/index.ts';

async function render(build: (w: XmlWriter) => void): Promise<string> {
  let out = '';
  const w = new XmlWriter({ write: (text) => void (out += text) });
  build(w);
  await w.end();
  return out;
}

describe('XmlWriter', () => {
  it('writes the declaration, 2-space indentation, empty containers and no final newline', async () => {
    const xml = await render((w) =>
      w.open('users').open('user', { id: 4, contextid: 76 }).leaf('username', 'u1').empty('tags').close().close(),
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user id="4" contextid="76">\n    <username>u1</username>\n' +
        '    <tags>\n    </tags>\n  </user>\n</users>',
    );
  });

  it('writes null as $@NULL@$ and numbers and empty strings as text', async () => {
    const xml = await render((w) => w.open('r').leaves({ a: null, b: 0, c: '', d: 1.5 }).close());
    expect(xml).toContain('<a>$@NULL@$</a>\n  <b>0</b>\n  <c></c>\n  <d>1.5</d>');
  });

  it('escapes text like Moodle (quotes stay) and attributes fully', () => {
    expect(escapeText('a & b <p> "q" \'s\'')).toBe('a &amp; b &lt;p&gt; "q" \'s\'');
    expect(escapeText('a:1:{s:10:"printintro";i:0;}')).toBe('a:1:{s:10:"printintro";i:0;}');
    expect(escapeAttribute('x"y&z')).toBe('x&quot;y&amp;z');
    expect(escapeText('bad\u0001\u0008ctrl\tok\n')).toBe('badctrl\tok\n');
    expect(escapeText('日本語 Übung')).toBe('日本語 Übung');
  });

  it('refuses to end with open elements or close too often', async () => {
    await expect(render((w) => w.open('a'))).rejects.toThrow(/still open/);
    await expect(render((w) => w.close())).rejects.toThrow(/without an open element/);
  });

  it('hands large documents to the sink in chunks', async () => {
    const chunks: string[] = [];
    const w = new XmlWriter({ write: (text) => void chunks.push(text) });
    w.open('logs');
    for (let i = 0; i < 20_000; i++) {
      w.open('log', { id: i }).leaf('info', 'x'.repeat(20)).close();
      await w.maybeFlush();
    }
    w.close();
    await w.end();
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join('').split('<log id=').length - 1).toBe(20_000);
  });
});
