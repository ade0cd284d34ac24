/**
 * The files stage: `files` rows and blobs as Moodle's `send_files_to_pool()` makes them. Checked against what Moodle
 * produced (gen_s_users), against the backup's own bytes, and on damaged copies of a real backup built here
 * (extracted, edited, repacked with `tar`): a blob whose bytes do not match its name fails the restore and leaves the
 * store untouched; a missing blob is a warning.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackupSource, restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import type { RestoreContext } from '../../src/pipeline/context.ts';
import { BackupBlobs } from '../../src/stages/files/backup-blobs.ts';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const EMPTY = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const GAPFILL = 'qtype_gapfill__examples-en-gapfill_example_course.mbz';
const APPLE = '4acef5a1fafa72860b16abde59c8a3814c4dc631';
const PEAR = '2cd3a2ecd9d5c2ceddae2e1aaed01a0c5bfb85ab';

const temp = mkdtempSync(join(tmpdir(), 'mbz-files-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe.skipIf(!hasShared())('files stage', () => {
  it('restores the files of gen_s_users as Moodle did, with blobs equal to the backup bytes', async () => {
    const path = generatedFixture('gen_s_users.mbz');
    const expected = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts;
    const storage = await openStore();
    const result = await restore(path, { storage });
    const files = await storage.select('files');
    const regular = files.filter((f) => f.filename !== '.');
    expect(files).toHaveLength(expected.files_rows);
    expect(regular).toHaveLength(expected.files_nondir);
    expect(new Set(regular.map((f) => f.contenthash)).size).toBe(expected.files_distinct_contenthash);
    expect(regular.reduce((sum, f) => sum + Number(f.filesize), 0)).toBe(expected.files_total_bytes);
    expect(tally(regular, (f) => `${f.component}/${f.filearea}`)).toEqual(expected.files_by_component_area);
    expect(result.warnings.filter((w) => w.code.startsWith('file'))).toEqual([]);

    // Against the backup: every non-directory record of files.xml came back.
    const filesXml = await entryText(path, 'files.xml');
    const records = [...filesXml.matchAll(/<file id="\d+">([\s\S]*?)<\/file>/g)].map((m) => m[1]!);
    expect(regular).toHaveLength(records.filter((r) => !r.includes('<filename>.</filename>')).length);

    // Rows: Moodle's path hash, in module contexts of the new course's resources.
    const contexts = new Map((await storage.select('context')).map((c) => [c.id, c]));
    const resources = new Set((await storage.select('course_modules', { course: result.courseid })).map((cm) => cm.id));
    for (const f of files) {
      expect(f.pathnamehash).toBe(
        sha1(`/${f.contextid}/${f.component}/${f.filearea}/${f.itemid}${f.filepath}${f.filename}`),
      );
      const context = contexts.get(f.contextid)!;
      expect(context.contextlevel).toBe(70);
      expect(resources.has(context.instanceid)).toBe(true);
      if (f.filename === '.') expect(f).toMatchObject({ contenthash: EMPTY, filesize: 0, filepath: '/' });
    }
    expect(new Set(files.map((f) => f.pathnamehash)).size).toBe(files.length);

    // Blobs: one per distinct content hash, each hashing to its name and equal to the backup's bytes.
    const blobs = await storage.listBlobs();
    expect(blobs).toEqual([...new Set(regular.map((f) => String(f.contenthash)))].sort());
    const source = await openBackupSource(path);
    try {
      for (const hash of blobs) {
        const stored = await readAll((await storage.readBlob(hash))!);
        expect(sha1(stored)).toBe(hash);
        expect(stored.equals(await readAll(await source.open(`files/${hash.slice(0, 2)}/${hash}`)))).toBe(true);
        for (const f of regular.filter((r) => r.contenthash === hash)) expect(f.filesize).toBe(stored.length);
      }
    } finally {
      await source.close();
    }
  });

  describe('on copies of a small backup with question files', () => {
    const good = join(temp, 'good.mbz');
    const corrupt = join(temp, 'corrupt.mbz');
    const corruptPear = join(temp, 'corrupt-pear.mbz');
    const missing = join(temp, 'missing.mbz');
    const withoutFiles = join(temp, 'without-files.mbz');

    beforeAll(() => {
      const dir = extract(mbzFixture(GAPFILL), 'gapfill');
      repack(dir, good);
      for (const [hash, out] of [
        [APPLE, corrupt],
        [PEAR, corruptPear],
      ] as const) {
        const blob = join(dir, 'files', hash.slice(0, 2), hash);
        const bytes = readFileSync(blob);
        const altered = Buffer.from(bytes);
        altered[100] = altered[100]! ^ 0xff;
        writeFileSync(blob, altered);
        repack(dir, out);
        writeFileSync(blob, bytes);
      }
      rmSync(join(dir, 'files', PEAR.slice(0, 2)), { recursive: true });
      repack(dir, missing);
      rmSync(join(dir, 'files'), { recursive: true });
      const manifest = join(dir, 'moodle_backup.xml');
      writeFileSync(
        manifest,
        readFileSync(manifest, 'utf8').replace('<include_files>1</include_files>', '<include_files>0</include_files>'),
      );
      repack(dir, withoutFiles);
    });

    it('restores question files into the question bank context with the new question ids', async () => {
      const storage = await openStore();
      const result = await restore(good, { storage });
      const files = await storage.select('files');
      expect(files).toHaveLength(3);
      const [course] = await storage.select('context', { contextlevel: 50, instanceid: result.courseid });
      const questionsXml = await entryText(mbzFixture(GAPFILL), 'questions.xml');
      const name = /<question id="6285">\s*<parent>\d+<\/parent>\s*<name>([^<]*)<\/name>/.exec(questionsXml)![1]!;
      const [question] = await storage.select('question', { name });
      for (const f of files)
        expect(f).toMatchObject({
          contextid: course!.id,
          component: 'question',
          filearea: 'questiontext',
          itemid: question!.id,
          filepath: '/',
        });
      expect(files.map((f) => f.filename).sort()).toEqual(['.', 'apple.png', 'pear.png']);
      expect(await storage.listBlobs()).toEqual([PEAR, APPLE].sort());
      // The backup has no license for it: Moodle keeps NULL (send_files_to_pool() sets the site default on `$file`,
      // not on the record it stores).
      expect(await entryText(mbzFixture(GAPFILL), 'files.xml')).toMatch(
        /<filename>apple\.png<\/filename>[\s\S]*?<license>\$@NULL@\$<\/license>/,
      );
      expect(files.find((f) => f.filename === 'apple.png')).toMatchObject({
        contenthash: APPLE,
        filesize: 6458,
        mimetype: 'image/png',
        license: null,
        userid: 2,
      });
    });

    it('fails on a blob whose bytes do not match its name and leaves the store as it was', async () => {
      const storage = await openStore();
      const before = await snapshot(storage);
      await expect(restore(corrupt, { storage })).rejects.toMatchObject({ code: 'backup.blob-mismatch' });
      expect(await snapshot(storage)).toEqual(before);
      expect(await storage.listBlobs()).toEqual([]);
    });

    it('fails the same way on a store that holds data, keeping that data as it was', async () => {
      const storage = await openStore();
      await restore(missing, { storage });
      const before = await snapshot(storage);
      expect(before.blobs).toEqual([APPLE]);
      await expect(restore(corruptPear, { storage })).rejects.toMatchObject({ code: 'backup.blob-mismatch' });
      expect(await snapshot(storage)).toEqual(before);
    });

    it('does not read a damaged blob whose content the store already has', async () => {
      const storage = await openStore();
      await restore(good, { storage });
      const result = await restore(corrupt, { storage });
      expect(result.warnings.filter((w) => w.code.startsWith('file'))).toEqual([]);
      expect(await storage.select('files')).toHaveLength(6);
      expect(await storage.listBlobs()).toEqual([PEAR, APPLE].sort());
    });

    it('warns about a blob missing from the backup and writes no row for it', async () => {
      const storage = await openStore();
      const result = await restore(missing, { storage });
      const warnings = result.warnings.filter((w) => w.code === 'file-missing-in-backup');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain('pear.png');
      expect((await storage.select('files')).map((f) => f.filename).sort()).toEqual(['.', 'apple.png']);
      expect(await storage.listBlobs()).toEqual([APPLE]);
    });

    it('stores each blob once when the same backup is restored twice', async () => {
      const storage = await openStore();
      await restore(good, { storage });
      await restore(good, { storage });
      expect(await storage.select('files')).toHaveLength(6);
      expect(await storage.listBlobs()).toEqual([PEAR, APPLE].sort());
    });

    it('takes content from the store when the backup was made without files', async () => {
      const empty = await openStore();
      const result = await restore(withoutFiles, { storage: empty });
      expect(result.warnings.filter((w) => w.code === 'file-missing-in-backup')).toHaveLength(2);
      expect(await empty.select('files')).toEqual([]);

      const storage = await openStore();
      await restore(good, { storage });
      const again = await restore(withoutFiles, { storage });
      expect(again.warnings.filter((w) => w.code === 'file-missing-in-backup')).toEqual([]);
      expect(await storage.select('files')).toHaveLength(6);
      expect(await storage.listBlobs()).toEqual([PEAR, APPLE].sort());
    });
  });

  // Regression: content that failed the check before a slow adapter began reading crashed the process (unhandled 'error').
  it('reports a damaged blob to an adapter that starts reading late', async () => {
    const bytes = Buffer.from('not what the name says');
    const stored: string[] = [];
    const ctx = {
      manifest: { includeFiles: true },
      source: {
        has: () => true,
        open: async () => Readable.from([bytes]),
        adoptable: () => undefined,
        taken: () => undefined,
      },
      tx: {
        hasBlob: async () => false,
        putBlob: async (hash: string, content: Readable) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await pipeline(content, new Writable({ write: (_chunk, _encoding, done) => done() }));
          stored.push(hash);
        },
      },
    } as unknown as RestoreContext;
    await expect(new BackupBlobs(ctx).ensure(APPLE)).rejects.toMatchObject({ code: 'backup.blob-mismatch' });
    expect(stored).toEqual([]);
    const good = {
      ...ctx,
      source: {
        has: () => true,
        open: async () => Readable.from([Buffer.from('x')]),
        adoptable: () => undefined,
        taken: () => undefined,
      },
    } as unknown as RestoreContext;
    await expect(new BackupBlobs(good).ensure(sha1('x'))).resolves.toEqual({ present: true, size: 1 });
  });

  it('moves the blobs it unpacked from a tar.gz into a SQLite store instead of copying them, and they hash right', async () => {
    const path = generatedFixture('gen_s_users.mbz');
    const real = createSqliteStorage({ path: join(temp, 'adopt.sqlite') });
    const adopted: string[] = [];
    const copied: string[] = [];
    // The same store, with its units of work watched.
    const begin = real.begin.bind(real);
    real.begin = async () => {
      const tx = await begin();
      const adopt = tx.adoptBlob!.bind(tx);
      const put = tx.putBlob.bind(tx);
      tx.adoptBlob = async (hash, from) => (await adopt(hash, from)) && adopted.push(hash) > 0;
      tx.putBlob = async (hash, content) => {
        copied.push(hash);
        return put(hash, content);
      };
      return tx;
    };
    await real.open();
    try {
      await restore(path, { storage: real, tempDir: temp });
      const blobs = await real.listBlobs();
      const big = new Set(
        blobs.filter((hash) => statSync(join(temp, 'adopt.sqlite.blobs', hash.slice(0, 2), hash)).size > 256 * 1024),
      );
      expect(big.size).toBeGreaterThan(0);
      // Blobs too big to be held in memory were on disk already: moved, not streamed again.
      expect(adopted.sort()).toEqual([...big].sort());
      expect(copied.filter((hash) => big.has(hash))).toEqual([]);
      for (const hash of blobs)
        expect(sha1(readFileSync(join(temp, 'adopt.sqlite.blobs', hash.slice(0, 2), hash)))).toBe(hash);
    } finally {
      await real.close();
    }
  });

  it('restores user pictures of created users only when users are restored', async () => {
    const path = mbzFixture('mod_studentquiz__tests-fixtures-backup-moodle2-aggregated-earlybefore__v9e16e88.mbz');
    const filesXml = await entryText(path, 'files.xml');
    const icons = [...filesXml.matchAll(/<file id="\d+">([\s\S]*?)<\/file>/g)]
      .map((m) => m[1]!)
      .filter((r) => r.includes('<component>user</component>'));
    const withUsers = await openStore();
    await restore(path, { storage: withUsers, options: { users: 1 } });
    const files = await withUsers.select('files', { component: 'user' });
    expect(files.filter((f) => f.filename !== '.')).toHaveLength(
      icons.filter((r) => !r.includes('<filename>.</filename>')).length,
    );
    const contexts = new Map((await withUsers.select('context')).map((c) => [c.id, c]));
    const users = new Set((await withUsers.select('user')).map((u) => u.id));
    for (const f of files) {
      expect(contexts.get(f.contextid)?.contextlevel).toBe(30);
      expect(users.has(contexts.get(f.contextid)!.instanceid)).toBe(true);
      expect(f.filearea).toBe('icon');
    }
    const withoutUsers = await openStore();
    await restore(path, { storage: withoutUsers, options: { users: 0 } });
    expect(await withoutUsers.select('files', { component: 'user' })).toEqual([]);
  });
});

// Internal helpers

async function openStore(): Promise<StorageAdapter> {
  const storage = createMemoryStorage();
  await storage.open();
  return storage;
}

/** Every row of every table and every blob. */
async function snapshot(storage: StorageAdapter): Promise<{ tables: Record<string, Row[]>; blobs: string[] }> {
  const tables: Record<string, Row[]> = {};
  for (const table of (await storage.tables()).sort()) tables[table] = await storage.select(table);
  return { tables, blobs: await storage.listBlobs() };
}

function extract(mbz: string, name: string): string {
  const dir = join(temp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', mbz, '-C', dir]);
  return dir;
}

function repack(dir: string, out: string): void {
  rmSync(out, { force: true });
  execFileSync('tar', ['-czf', out, '-C', dir, ...readdirSync(dir)]);
}

async function entryText(path: string, entry: string): Promise<string> {
  const source = await openBackupSource(path);
  try {
    return (await readAll(await source.open(entry))).toString('utf8');
  } finally {
    await source.close();
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sha1(value: string | Buffer): string {
  return createHash('sha1').update(value).digest('hex');
}

function tally(rows: readonly Row[], key: (row: Row) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[key(row)] = (out[key(row)] ?? 0) + 1;
  return out;
}
