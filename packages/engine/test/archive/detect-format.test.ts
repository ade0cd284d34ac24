/** detectArchiveKind: container kind from magic bytes, and the errors for everything else. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectArchiveKind } from '../../src/archive/detect-format.ts';
import { expectCode, tempDir, zipBuffer } from '@mbz-restore/test-support/archives';

describe('detectArchiveKind', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  const file = async (name: string, bytes: Buffer | string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  it('reads the kind from the bytes, never from the extension', async () => {
    expect(await detectArchiveKind(await file('a.zip', gzipSync('x')))).toBe('tar.gz');
    expect(await detectArchiveKind(await file('b.tar.gz', await zipBuffer([{ name: 'x', content: 'y' }])))).toBe('zip');
    expect(await detectArchiveKind(await file('empty-zip.mbz', await zipBuffer([])))).toBe('zip');
    const folder = join(dir, 'folder.mbz');
    await mkdir(folder);
    expect(await detectArchiveKind(folder)).toBe('directory');
  });

  it.each([
    ['empty', Buffer.alloc(0), /empty file/u],
    ['text', 'hello, this is not a backup\n', /plain text/u],
    ['xml', '<?xml version="1.0"?><moodle_backup/>', /XML/u],
    ['json', '{"a": 1}', /JSON/u],
    ['bzip2', Buffer.from('BZh91AY&SY'), /bzip2/u],
    ['random', Buffer.concat([Buffer.from([0x00, 0x01]), randomBytes(4094)]), /binary data/u],
    ['tar', Buffer.concat([Buffer.alloc(257), Buffer.from('ustar\u000000'), Buffer.alloc(246)]), /uncompressed tar/u],
  ])('refuses %s with archive.unknown-format and says what the bytes look like', async (name, bytes, says) => {
    const error = await expectCode(detectArchiveKind(await file(`${name}.mbz`, bytes)), 'archive.unknown-format');
    expect(error.message).toMatch(says);
  });

  it('reports a missing path as archive.not-found', async () => {
    await expectCode(detectArchiveKind(join(dir, 'nope.mbz')), 'archive.not-found');
    await expectCode(detectArchiveKind(join(dir, 'nope', 'deeper.mbz')), 'archive.not-found');
  });

  it('reports a special file as archive.unknown-format', async () => {
    await expectCode(detectArchiveKind('/dev/null'), 'archive.unknown-format');
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as archive.unreadable', async () => {
    const path = await file('locked.mbz', gzipSync('x'));
    await chmod(path, 0o000);
    await expectCode(detectArchiveKind(path), 'archive.unreadable');
  });
});
