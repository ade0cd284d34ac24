/**
 * Hostile and wrong input through `inspectBackup` and `mbz inspect --json`: each case gives a typed
 * error with a stable code, in bounded time, and writes nothing outside the caller's temp area. Link
 * entries inside the root are the exception: skipped (or read as their target) with a warning.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBackup, isMbzError } from '@mbz-restore/engine';
import { minimalManifest } from '@mbz-restore/test-support/minimal-manifest';
import {
  renameZipEntry,
  writeGzipBomb,
  writeTarGz,
  writeZip,
  zipBuffer,
  type TarMember,
} from '@mbz-restore/test-support/archives';
import { runCli } from '@mbz-restore/test-support/cli';

let root: string;
let work: string;
let marker: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mbz-hostile-'));
  work = join(root, 'work');
  marker = join(root, 'marker');
  await mkdir(work);
  await mkdir(marker);
});
afterAll(async () => {
  // Nothing may ever land next to the work area: a traversal entry would aim at ../marker.
  expect(await readdir(marker)).toEqual([]);
  await rm(root, { recursive: true, force: true });
});

const manifest: TarMember = { name: 'moodle_backup.xml', content: minimalManifest() };

/** Case name → how to build it → the error code it must give. */
const cases: Array<[string, (path: string) => Promise<unknown>, string]> = [
  [
    'path traversal (tar.gz)',
    (p) => writeTarGz(p, [manifest, { name: '../marker/evil.xml', content: 'x' }]),
    'archive.unsafe-entry-name',
  ],
  [
    'path traversal (zip)',
    async (p) => {
      // yazl refuses such names, so write a safe one of the same length and patch it.
      const zip = await zipBuffer([manifest, { name: 'a/xx/xx/marker/evil.xml', content: 'x' }]);
      await writeFile(p, renameZipEntry(zip, 'a/xx/xx/marker/evil.xml', 'a/../../marker/evil.xml'));
    },
    'archive.unsafe-entry-name',
  ],
  [
    'absolute name (tar.gz)',
    (p) => writeTarGz(p, [manifest, { name: '/etc/evil', content: 'x' }]),
    'archive.unsafe-entry-name',
  ],
  // Links are skipped with a warning (see below) unless they point out of the root, like a name that does.
  [
    'symlink out of the root (tar.gz)',
    (p) => writeTarGz(p, [manifest, { name: 'users.xml', typeflag: '2', linkname: '/etc/passwd' }]),
    'archive.unsafe-entry-name',
  ],
  [
    'hard link out of the root (tar.gz)',
    (p) => writeTarGz(p, [manifest, { name: 'users.xml', typeflag: '1', linkname: '../../etc/passwd' }]),
    'archive.unsafe-entry-name',
  ],
  [
    'symlink out of the root (zip)',
    (p) => writeZip(p, [manifest, { name: 'users.xml', content: '/etc/passwd', mode: 0o120777 }]),
    'archive.unsafe-entry-name',
  ],
  [
    'symlink climbing out of the root (zip)',
    (p) => writeZip(p, [manifest, { name: 'course/users.xml', content: '../../marker/evil.xml', mode: 0o120777 }]),
    'archive.unsafe-entry-name',
  ],
  [
    'DOCTYPE with entity expansion in moodle_backup.xml',
    (p) => writeTarGz(p, [{ name: 'moodle_backup.xml', content: billionLaughs('moodle_backup') }]),
    'xml.doctype-forbidden',
  ],
  [
    'DOCTYPE with entity expansion in users.xml (zip)',
    (p) => writeZip(p, [manifest, { name: 'users.xml', content: billionLaughs('users') }]),
    'xml.doctype-forbidden',
  ],
  [
    'external entity in users.xml',
    (p) =>
      writeTarGz(p, [
        manifest,
        {
          name: 'users.xml',
          content:
            '<?xml version="1.0" encoding="UTF-8"?>\n<users><user id="1"><username>&xxe;</username></user></users>',
        },
      ]),
    'xml.entity-forbidden',
  ],
  [
    'malformed users.xml',
    (p) =>
      writeTarGz(p, [
        manifest,
        {
          name: 'users.xml',
          content: '<?xml version="1.0" encoding="UTF-8"?>\n<users><user id="1"><username>a</user></users>',
        },
      ]),
    'xml.malformed',
  ],
  [
    'Moodle 1.9 backup',
    (p) =>
      writeZip(p, [
        { name: 'moodle.xml', content: '<?xml version="1.0" encoding="UTF-8"?>\n<MOODLE_BACKUP></MOODLE_BACKUP>' },
      ]),
    'backup.unsupported-format',
  ],
  [
    'IMS Common Cartridge',
    (p) => writeZip(p, [{ name: 'imsmanifest.xml', content: '<?xml version="1.0"?><manifest/>' }]),
    'backup.unsupported-format',
  ],
  [
    'a ZIP of something else',
    (p) => writeZip(p, [{ name: 'photo.jpg', content: 'not a backup' }]),
    'backup.unsupported-format',
  ],
  [
    'random bytes',
    (p) => writeFile(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))),
    'archive.unknown-format',
  ],
  ['empty file', (p) => writeFile(p, ''), 'archive.unknown-format'],
  [
    'truncated tar.gz',
    async (p) => {
      await writeTarGz(p, [manifest, { name: 'files.xml', content: 'x'.repeat(200_000) }]);
      const bytes = await readFile(p);
      await writeFile(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
    },
    'archive.truncated',
  ],
  ['gzip bomb (2 GiB of zeros in one entry)', (p) => writeGzipBomb(p, 2 * 1024 ** 3), 'archive.compression-ratio'],
  [
    'truncated zip',
    async (p) => {
      const zip = await zipBuffer([manifest, { name: 'files.xml', content: 'y'.repeat(10_000) }]);
      await writeFile(p, zip.subarray(0, zip.length - 30));
    },
    'archive.truncated',
  ],
];

describe('inspect rejects hostile and wrong input with typed errors', () => {
  it.each(cases)(
    '%s',
    async (name, build, code) => {
      const path = join(work, `${name.replace(/\W+/g, '-')}.mbz`);
      await build(path);
      const started = Date.now();
      const error = await inspectBackup(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isMbzError(error), `expected an MbzError, got ${String(error)}`).toBe(true);
      expect((error as { code: string }).code).toBe(code);
      expect(Date.now() - started).toBeLessThan(20_000);
    },
    30_000,
  );

  it('a missing path is archive.not-found', async () => {
    await expect(inspectBackup(join(work, 'nope.mbz'))).rejects.toMatchObject({ code: 'archive.not-found' });
  });
});

describe('link entries inside the root are warnings, not errors (as in a restore)', () => {
  const linkCases: Array<[string, (path: string) => Promise<unknown>, string]> = [
    [
      'symlink (tar.gz)',
      (p) => writeTarGz(p, [manifest, { name: 'course/link.xml', typeflag: '2', linkname: '../moodle_backup.xml' }]),
      'archive-link-skipped course/link.xml',
    ],
    [
      'GNU tar .ARCHIVE_INDEX hard link (tar.gz)',
      (p) =>
        writeTarGz(p, [
          { name: './.ARCHIVE_INDEX', content: 'Moodle archive file index. Count: 1\n' },
          manifest,
          { name: '.ARCHIVE_INDEX', typeflag: '1', linkname: './.ARCHIVE_INDEX', magic: 'gnu' },
        ]),
      'archive-link-skipped .ARCHIVE_INDEX',
    ],
    [
      'hard link to an earlier file (tar.gz)',
      (p) =>
        writeTarGz(p, [
          manifest,
          { name: 'spare.xml', content: 'x' },
          { name: 'copy.xml', typeflag: '1', linkname: 'spare.xml' },
        ]),
      'archive-hard-link-read copy.xml',
    ],
    [
      'symlink (zip)',
      (p) => writeZip(p, [manifest, { name: 'course/link.xml', content: '../moodle_backup.xml', mode: 0o120777 }]),
      'archive-link-skipped course/link.xml',
    ],
  ];

  it.each(linkCases)('%s: inspectBackup() reports the warning', async (name, build, warning) => {
    const path = join(work, `link-${name.replace(/\W+/g, '-')}.mbz`);
    await build(path);
    const result = await inspectBackup(path);
    expect(result.warnings.filter((w) => w.code.startsWith('archive-')).map((w) => `${w.code} ${w.entry}`)).toEqual([
      warning,
    ]);
  });

  it('mbz inspect prints the warning and exits 0, in --json and in the summary', async () => {
    const path = join(work, 'cli-link.mbz');
    await linkCases[1]![1](path);
    const json = runCli(['inspect', '--json', path]);
    expect(json.status, json.stderr).toBe(0);
    const printed = JSON.parse(json.lines.at(-1)!) as { warnings: Array<{ code: string; entry?: string }> };
    expect(printed.warnings).toContainEqual(
      expect.objectContaining({ code: 'archive-link-skipped', entry: '.ARCHIVE_INDEX' }),
    );
    const human = runCli(['inspect', path]);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^\s+archive-link-skipped: \.ARCHIVE_INDEX is a hard link/mu);
  });
});

describe('mbz inspect --json error contract', () => {
  it('prints the error object on its line, exits 1, and no stack trace', async () => {
    const bad = join(work, 'cli-bad.mbz');
    await writeFile(bad, 'hello');
    const run = runCli(['inspect', '--json', bad]);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.lines.at(-1)!)).toEqual({
      path: bad,
      error: { code: 'archive.unknown-format', message: expect.any(String) },
    });
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a usage error exits 2', () => {
    expect(runCli(['inspect']).status).toBe(2);
    expect(runCli(['inspect', '--no-such-option', 'x']).status).toBe(2);
    expect(runCli(['no-such-command']).status).toBe(2);
  });
});

// Internal helpers

function billionLaughs(root: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<!DOCTYPE ${root} [`, '<!ENTITY lol "lol">'];
  for (let i = 1; i < 10; i++) lines.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  lines.push(']>', `<${root}><information>&lol9;</information></${root}>`);
  return lines.join('\n');
}
