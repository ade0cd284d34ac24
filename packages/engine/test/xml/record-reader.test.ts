/**
 * The streaming contract of `readRecords` / `countRecords` and the whole-document `parseXmlDocument`:
 * any byte source works, reading is lazy (back-pressure), and the source stream is destroyed when
 * the consumer stops early or reading fails.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRecords, parseXmlDocument, readRecords } from '../../src/index.ts';
import { ErrorCode } from '../../src/errors.ts';
import { chunksOf, expectCode, trackedStream } from './support/collect.ts';

const LOGS = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?>\n<logs>\n${Array.from({ length: 2000 }, (_, k) => `  <log id="${k + 1}">\n    <userid>${k}</userid>\n    <other>{&quot;k&quot;:${k}}</other>\n  </log>\n`).join('')}</logs>\n`,
);

describe('readRecords as a stream', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-xml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads from a file stream, an async generator of Uint8Array, an array of Buffers and a Buffer alike', async () => {
    const file = join(dir, 'logs.xml');
    await writeFile(file, LOGS);
    async function* generator(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunksOf(LOGS, 999)) yield new Uint8Array(chunk);
    }
    const sources = [createReadStream(file, { highWaterMark: 4096 }), generator(), chunksOf(LOGS, 10_000), LOGS];
    for (const source of sources) {
      const ids: string[] = [];
      for await (const record of readRecords(source, { paths: ['/logs/log'] })) ids.push(record.data.id as string);
      expect(ids).toHaveLength(2000);
      expect(ids[1999]).toBe('2000');
    }
    const last = [];
    for await (const record of readRecords(chunksOf(LOGS, 10_000), { paths: ['/logs/log'] })) last.push(record.data);
    expect(last[5]).toEqual({ id: '6', userid: '5', other: '{"k":5}' });
  });

  it('destroys the source stream when the consumer breaks early', async () => {
    const stream = trackedStream(chunksOf(LOGS, 1000));
    for await (const record of readRecords(stream, { paths: ['/logs/log'] })) {
      expect(record.data.id).toBe('1');
      break;
    }
    expect(stream.destroyed).toBe(true);
    expect(stream.pulled()).toBeLessThan(10);
  });

  it('destroys the source stream when the consumer throws or returns', async () => {
    const stream = trackedStream(chunksOf(LOGS, 1000));
    await expect(
      (async () => {
        for await (const record of readRecords(stream, { paths: ['/logs/log'] }))
          throw new Error(`stop at ${String(record.data.id)}`);
      })(),
    ).rejects.toThrow('stop at 1');
    expect(stream.destroyed).toBe(true);
    const other = trackedStream(chunksOf(LOGS, 1000));
    const iterator = readRecords(other, { paths: ['/logs/log'] });
    await iterator.next();
    await iterator.return();
    expect(other.destroyed).toBe(true);
  });

  it('closes a generator source when the consumer breaks early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        for (const chunk of chunksOf(LOGS, 1000)) yield chunk;
      } finally {
        closed = true;
      }
    }
    for await (const record of readRecords(source(), { paths: ['/logs/log'] })) if (record.data.id === '3') break;
    expect(closed).toBe(true);
  });

  it('destroys the source stream when the document is refused', async () => {
    const stream = trackedStream([Buffer.from('<logs><log>'), Buffer.from('&bad;</log>'), ...chunksOf(LOGS, 1000)]);
    await expectCode(
      (async () => {
        for await (const record of readRecords(stream, { paths: ['/logs/log'] })) void record;
      })(),
      ErrorCode.XmlEntityForbidden,
    );
    expect(stream.destroyed).toBe(true);
    expect(stream.pulled()).toBeLessThan(5);
    const counted = trackedStream([Buffer.from('<!DOCTYPE x>'), ...chunksOf(LOGS, 1000)]);
    await expectCode(countRecords(counted, ['/logs/log']), ErrorCode.XmlDoctypeForbidden);
    expect(counted.destroyed).toBe(true);
  });

  it('reads the source only as fast as records are consumed (back-pressure)', async () => {
    const stream = trackedStream(chunksOf(LOGS, 1000));
    const iterator = readRecords(stream, { paths: ['/logs/log'] });
    await iterator.next();
    const afterFirst = stream.pulled();
    expect(afterFirst).toBeLessThan(chunksOf(LOGS, 1000).length / 2);
    await iterator.return();
  });

  it('counts elements at several paths, including absent ones, without building records', async () => {
    expect(
      await countRecords(chunksOf(LOGS, 777), ['/logs/log', '/logs/log/userid', '/logs', '/nope/log'], {
        entry: 'logs.xml',
      }),
    ).toEqual({
      '/logs/log': 2000,
      '/logs/log/userid': 2000,
      '/logs': 1,
      '/nope/log': 0,
    });
  });
});

describe('parseXmlDocument', () => {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup>
  <information>
    <name>backup.mbz</name>
    <moodle_version>2023100900</moodle_version>
    <details><detail backup_id="abc"><type>course</type></detail></details>
    <settings>
      <setting><level>root</level><name>users</name><value>1</value></setting>
    </settings>
    <empty_contents>
    </empty_contents>
  </information>
</moodle_backup>`;

  it('returns the root element under its name, with the record value rules', () => {
    expect(
      parseXmlDocument(manifest, { arrays: ['information/settings/setting', 'information/details/detail'] }),
    ).toEqual({
      moodle_backup: {
        information: {
          name: 'backup.mbz',
          moodle_version: '2023100900',
          details: { detail: [{ backup_id: 'abc', type: 'course' }] },
          settings: { setting: [{ level: 'root', name: 'users', value: '1' }] },
          empty_contents: '\n    ',
        },
      },
    });
  });

  it('reads bytes (with a BOM) as well as text, and keeps the same refusals', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(manifest)]);
    expect(parseXmlDocument(bytes)).toEqual(parseXmlDocument(manifest));
    expect(parseXmlDocument('<r a="1"/>')).toEqual({ r: { a: '1' } });
    expect(() => parseXmlDocument('<r>&lol;</r>', { entry: 'moodle_backup.xml' })).toThrow(
      expect.objectContaining({
        code: ErrorCode.XmlEntityForbidden,
        context: { entry: 'moodle_backup.xml', xmlPath: '/r' },
      }),
    );
    expect(() => parseXmlDocument('<r>')).toThrow(expect.objectContaining({ code: ErrorCode.XmlMalformed }));
    expect(() => parseXmlDocument(Buffer.from([0x3c, 0x72, 0x3e, 0xff, 0x3c, 0x2f, 0x72, 0x3e]))).toThrow(
      expect.objectContaining({ code: ErrorCode.XmlInvalidEncoding }),
    );
  });
});
