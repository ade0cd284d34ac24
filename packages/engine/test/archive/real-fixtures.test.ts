/**
 * Real Moodle backups from `../shared/fixtures`: every fixture lists exactly what the system's
 * `tar`/`unzip` list (minus `.ARCHIVE_INDEX`), and for a handful of them the three forms of the same
 * backup — tar.gz, ZIP and extracted folder, built with tools independent of the engine
 * (`@mbz-restore/test-support/forms`) — give the same file names and the same bytes (SHA-1 per entry), which
 * also match the extracted files hashed straight from disk.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveReader } from '../../src/archive/archive-reader.ts';
import { openArchive } from '../../src/archive/open-archive.ts';
import { makeForms } from '@mbz-restore/test-support/forms';
import { generatedFixture, hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { digest, tempDir } from '@mbz-restore/test-support/archives';

const shared = hasShared();
const manifest = shared ? readManifest() : [];

/** Names the system tools list for `path`, normalised like entry names, without the root and `.ARCHIVE_INDEX`. */
async function systemListing(path: string, kind: 'zip' | 'tar.gz'): Promise<string[]> {
  const [tool, args] = kind === 'tar.gz' ? ['tar', ['-tzf', path]] : ['unzip', ['-Z1', path]];
  const { stdout } = await promisify(execFile)(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^(\.\/)+/u, '').replace(/\/$/u, ''))
    .filter((name) => name !== '' && name !== '.' && name !== '.ARCHIVE_INDEX');
}

async function withReader<T>(path: string, use: (reader: ArchiveReader) => Promise<T>): Promise<T> {
  const reader = await openArchive(path);
  try {
    return await use(reader);
  } finally {
    await reader.close();
  }
}

describe.skipIf(!shared)('real backups: listing matches tar/unzip for every fixture', () => {
  it('lists all 111 fixtures like the system tools do', async () => {
    expect(manifest.length).toBe(111);
    const check = async (entry: (typeof manifest)[number]): Promise<void> => {
      const path = mbzFixture(entry.file);
      const [names, expected] = await Promise.all([
        withReader(path, async (reader) => {
          expect(reader.kind).toBe(entry.archive);
          return (await reader.list()).map((e) => e.name);
        }),
        systemListing(path, entry.archive),
      ]);
      expect(names, entry.file).toEqual(expected);
    };
    for (let i = 0; i < manifest.length; i += 4) await Promise.all(manifest.slice(i, i + 4).map(check));
  }, 60_000);
});

describe.skipIf(!shared)('real backups: tar.gz, ZIP and folder forms read the same', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
  });

  const byName = (file: string) => {
    const found = manifest.find((m) => m.file === file);
    if (!found) throw new Error(`fixture ${file} is not in the manifest`);
    return found;
  };
  const picks = shared
    ? [
        // tar.gz with a consistent index and pool files.
        byName('format_tiles__tests-fixtures-mbz-moodle-43-late-beta.mbz'),
        // tar.gz edited after Moodle wrote it: .ARCHIVE_INDEX disagrees with the content (users, logs).
        byName('hrsq1__mod-quiz-tests-fixtures-question_attempts_missing_users.mbz'),
        byName('mod_studentquiz__tests-fixtures-backup-moodle2-course_moodle30_sq203_nofiles__va2f32e9.mbz'),
        // tar.gz re-packed outside Moodle (GNU headers, no .ARCHIVE_INDEX).
        byName('hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz'),
        // ZIP containers.
        byName('hrsq1__mod-quiz-tests-fixtures-moodle_28_quiz.mbz'),
        byName('qtype_gapfill__backup-gapfill_question_type_demo__v8a94ca9.mbz'),
      ]
    : [];

  it('covers both containers and an inconsistent .ARCHIVE_INDEX', () => {
    expect(picks.some((m) => m.archive === 'zip')).toBe(true);
    expect(picks.some((m) => m.archive_index?.consistent === false)).toBe(true);
  });

  const cases = [
    ...picks.map((m) => [m.file, mbzFixture(m.file)] as const),
    ...(shared ? [['gen_s_users.mbz', generatedFixture('gen_s_users.mbz')] as const] : []),
  ];

  it.each(cases)(
    '%s',
    async (_file, mbz) => {
      const { dir, cleanup } = await tempDir('mbz-forms-');
      cleanups.push(cleanup);
      const forms = await makeForms(mbz, dir);
      const [tarGz, zip, folder] = await Promise.all([
        withReader(forms.tarGz, async (r) => ({ kind: r.kind, list: await r.list(), ...(await digest(r)) })),
        withReader(forms.zip, async (r) => ({ kind: r.kind, list: await r.list(), ...(await digest(r)) })),
        withReader(forms.directory, async (r) => ({ kind: r.kind, list: await r.list(), ...(await digest(r)) })),
      ]);
      expect([tarGz.kind, zip.kind, folder.kind]).toEqual(['tar.gz', 'zip', 'directory']);
      expect(tarGz.files.size).toBeGreaterThan(0);

      // Same file names and the same bytes in all three forms.
      const sorted = (files: Map<string, string>) => [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      expect(sorted(zip.files)).toEqual(sorted(tarGz.files));
      expect(sorted(folder.files)).toEqual(sorted(tarGz.files));

      // The bytes match the extracted files hashed straight from disk (system tar/unzip wrote them).
      for (const [name, hash] of folder.files) {
        expect(
          createHash('sha1')
            .update(await readFile(join(forms.directory, name)))
            .digest('hex'),
          name,
        ).toBe(hash);
      }
      // Declared sizes agree across forms; directories reported by the containers exist in the folder.
      const sizes = (list: typeof tarGz.list) =>
        Object.fromEntries(list.filter((e) => e.type === 'file').map((e) => [e.name, e.size]));
      expect(sizes(zip.list)).toEqual(sizes(tarGz.list));
      expect(sizes(folder.list)).toEqual(sizes(tarGz.list));
      for (const name of [...tarGz.directories, ...zip.directories]) expect(folder.directories).toContain(name);

      // The tar.gz lists what `tar -tzf` lists, minus .ARCHIVE_INDEX and the root.
      expect(tarGz.list.map((e) => e.name)).toEqual(await systemListing(forms.tarGz, 'tar.gz'));
    },
    60_000,
  );

  it('ignores the .ARCHIVE_INDEX of an edited backup and reads its real content', async () => {
    const file = 'hrsq1__mod-quiz-tests-fixtures-question_attempts_missing_users.mbz';
    expect(byName(file).archive_index).toEqual({ present: true, consistent: false });
    const users = await withReader(mbzFixture(file), async (reader) => {
      expect(await reader.has('.ARCHIVE_INDEX')).toBe(false);
      const info = (await reader.list()).find((e) => e.name === 'users.xml');
      const expected = execFileSync('tar', ['-xzOf', mbzFixture(file), 'users.xml']);
      const bytes: Buffer[] = [];
      for await (const chunk of await reader.open('users.xml')) bytes.push(chunk as Buffer);
      return { info, bytes: Buffer.concat(bytes), expected };
    });
    expect(users.info?.size).toBe(users.expected.length);
    expect(users.bytes.equals(users.expected)).toBe(true);
  });
});
