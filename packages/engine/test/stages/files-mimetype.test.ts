/**
 * `files.mimetype` as Moodle 4.3 computes it on restore (`file_storage::mimetype()`: the extension's type from
 * `core_filetypes`, else libmagic's type of the content when Moodle's table knows it, else `document/unknown`),
 * whatever mimetype the backup recorded; and `files.license` kept NULL when the backup has none.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { knownMimetype, mimetypeFromName, sniffMimetype } from '../../src/stages/files/mimetypes.ts';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { readEntryText } from './support/people-backup.ts';

/** Moodle 3.2 backup with an IMS content package whose .xsd files the backup typed application/xml. */
const DEADLOCK = 'hrsq1__backup-controller-tests-fixtures-deadlock.mbz';

interface BackupFile {
  filename: string;
  mimetype: string | null;
  license: string | null;
  contenthash: string;
}

function backupFiles(xml: string): BackupFile[] {
  const value = (block: string, name: string): string | null => {
    const v = new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)?.[1] ?? null;
    return v === '$@NULL@$' ? null : v;
  };
  return [...xml.matchAll(/<file id="\d+">([\s\S]*?)<\/file>/g)].map((m) => ({
    filename: value(m[1]!, 'filename')!,
    mimetype: value(m[1]!, 'mimetype'),
    license: value(m[1]!, 'license'),
    contenthash: value(m[1]!, 'contenthash')!,
  }));
}

describe.skipIf(!hasShared())('files: mimetype and license of a real 3.2 backup', () => {
  it('an extension Moodle does not know (.xsd) is typed from the content (text/xml); known ones by extension', async () => {
    const files = backupFiles(await readEntryText(mbzFixture(DEADLOCK), 'files.xml')).filter((f) => f.filename !== '.');
    const xsd = files.filter((f) => f.filename.endsWith('.xsd'));
    expect(xsd.length).toBeGreaterThan(0);
    for (const f of xsd) expect(f.mimetype).toBe('application/xml');
    const storage = createMemoryStorage();
    await storage.open();
    await restore(mbzFixture(DEADLOCK), { storage });
    const rows = (await storage.select('files')).filter((r) => r.filename !== '.');
    for (const f of files) {
      const row = rows.find((r) => r.filename === f.filename && r.contenthash === f.contenthash);
      expect(row, f.filename).toBeDefined();
      // Files of known extensions were typed by the same rule when the backup was made.
      expect(row!.mimetype, f.filename).toBe(f.filename.endsWith('.xsd') ? 'text/xml' : f.mimetype);
      expect(row!.license, f.filename).toBe(f.license);
    }
    expect(files.some((f) => f.license === null)).toBe(true);
  });
});

describe("files: Moodle's extension table", () => {
  it('is looked up by the lower-cased last extension; no extension or an unknown one is document/unknown', () => {
    expect(mimetypeFromName('Photo.JPG')).toBe('image/jpeg');
    expect(mimetypeFromName('archive.tar.gz')).toBe('application/g-zip');
    expect(mimetypeFromName('schema.xsd')).toBe('document/unknown');
    expect(mimetypeFromName('README')).toBe('document/unknown');
    expect(mimetypeFromName('manifest.xml')).toBe('application/xml');
    expect(knownMimetype('text/xml')).toBe('text/xml');
    expect(knownMimetype('application/zlib')).toBe('document/unknown');
  });
});

/** True when file(1) is installed (the libmagic PHP's finfo uses). */
function hasFileCommand(): boolean {
  try {
    execFileSync('file', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasFileCommand())('files: content sniffing agrees with libmagic on what Moodle keeps', () => {
  it('pseudo-random binary content (every first byte) and common text formats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbz-sniff-'));
    try {
      const samples: Array<[string, Buffer]> = [];
      for (let first = 0; first < 256; first++) {
        for (let k = 0; k < 4; k++) {
          // Deterministic pseudo-random bytes after the first one.
          let bytes = Buffer.alloc(0);
          for (let i = 0; bytes.length < 2048; i++)
            bytes = Buffer.concat([bytes, createHash('sha256').update(`${first}:${k}:${i}`).digest()]);
          bytes[0] = first;
          samples.push([`b${first}_${k}`, bytes]);
        }
      }
      const texts = [
        '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"></xs:schema>\n',
        '<!DOCTYPE html>\n<html><body>x</body></html>\n',
        'function f() {\n  document.write(\'<a href="x">x</a>\');\n}\n',
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
        '{"a": [1, 2, 3]}\n',
        'a,b,c\n1,2,3\n4,5,6\n',
        'Just some words.\nAnd more.\n',
        '  <?xml version="1.0"?><a/>\n',
        '',
      ];
      texts.forEach((t, i) => {
        samples.push([`t${i}`, Buffer.from(t)]);
      });
      for (const [name, bytes] of samples) writeFileSync(join(dir, name), bytes);
      const names = samples.map(([name]) => name);
      const magic = execFileSync('file', ['-b', '--mime-type', ...names], { cwd: dir, encoding: 'utf8' })
        .trim()
        .split('\n');
      const differing: string[] = [];
      samples.forEach(([name, bytes], i) => {
        const ours = knownMimetype(sniffMimetype(bytes, bytes.length));
        const theirs = knownMimetype(magic[i] === 'image/svg' ? 'image/svg+xml' : magic[i]!);
        if (ours !== theirs)
          differing.push(`${name}: ours ${sniffMimetype(bytes, bytes.length)}, libmagic ${magic[i]}`);
      });
      // Every text sample agrees; random binary may hit a rare libmagic rule that is not modelled.
      expect(differing.filter((d) => d.startsWith('t'))).toEqual([]);
      expect(differing.length, differing.join('\n')).toBeLessThanOrEqual(samples.length / 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
