/**
 * The draft file area, as Moodle's `webservice/upload.php` fills it, on both adapters: the answer record, the
 * `files` rows (file and directories), the blob; a name taken twice is refused; a user's draft files and
 * restores are visible to that user only, and a user without a user context gets one. A batch of files is
 * stored all or none: a full disk on its second file keeps nothing of it; taken names are refused or skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, JobStore } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { dumpStore, errorOf, readAll, withFaults } from '@mbz-restore/storage-contract';
import { generated } from '@mbz-restore/test-support/backups';
import { ADAPTERS, nextEvent, withoutJobs } from './support/stores.ts';

describe.each(ADAPTERS)('draft files on %s', (_name, createStorage) => {
  let storage: StorageAdapter & JobStore;
  let service: RestoreService;
  afterEach(async () => {
    await service.close();
    await storage.close();
  });

  async function start() {
    storage = createStorage();
    service = await createRestoreService({ storage });
  }

  it('stores an upload the way upload.php does and answers its record', async () => {
    await start();
    const path = await generated('xs');
    const bytes = readFileSync(path);
    const record = await service.saveDraftFile(path, { filename: 'course.mbz', filepath: '/in/here/' });
    expect(record).toEqual({
      component: 'user',
      contextid: 5,
      userid: '2',
      filearea: 'draft',
      filename: 'course.mbz',
      filepath: '/in/here/',
      itemid: record.itemid,
      license: 'unknown',
      author: 'Admin User',
      source: 'O:8:"stdClass":1:{s:6:"source";s:10:"course.mbz";}',
    });
    expect(record.itemid).toBeGreaterThan(0);
    const contenthash = createHash('sha1').update(bytes).digest('hex');
    const rows = await storage.select('files', { component: 'user', filearea: 'draft', itemid: record.itemid });
    expect(rows.map((r) => `${String(r.filepath)}${String(r.filename)}`).sort()).toEqual([
      '/.',
      '/in/.',
      '/in/here/.',
      '/in/here/course.mbz',
    ]);
    const file = rows.find((r) => r.filename === 'course.mbz')!;
    expect(file).toMatchObject({
      contextid: 5,
      contenthash,
      filesize: bytes.length,
      mimetype: 'application/vnd.moodle.backup',
      userid: 2,
      author: 'Admin User',
      license: 'unknown',
      pathnamehash: createHash('sha1').update(`/5/user/draft/${record.itemid}/in/here/course.mbz`).digest('hex'),
    });
    expect(
      rows
        .filter((r) => r.filename === '.')
        .every((r) => r.contenthash === createHash('sha1').digest('hex') && r.filesize === 0),
    ).toBe(true);
    expect(await readAll((await storage.readBlob(contenthash))!)).toEqual(bytes);

    // A stream into the same item under another name; the same name again is refused.
    const second = await service.saveDraftFile(createReadStream(path), { filename: 'copy.mbz', itemid: record.itemid });
    expect(second).toMatchObject({ itemid: record.itemid, filepath: '/' });
    expect(await storage.count('files', { itemid: record.itemid, filename: 'copy.mbz', contenthash })).toBe(1);
    const again = await errorOf(() => service.saveDraftFile(path, { filename: 'copy.mbz', itemid: record.itemid }));
    expect(again).toMatchObject({ code: 'service.draft-file-exists', moodleErrorcode: 'filenameexist' });
    // Two files in one item: the restore cannot tell which one is meant.
    await expect(
      service.restoreAsync({ categoryid: 1, localfile: { contextid: 5, itemid: record.itemid } }),
    ).rejects.toMatchObject({ moodleErrorcode: 'invalidparameter' });
    for (const filename of ['', '.', 'a/b.mbz']) {
      await expect(service.saveDraftFile(path, { filename })).rejects.toMatchObject({
        code: 'input.invalid-argument',
        moodleErrorcode: 'invalidparameter',
      });
    }
  });

  it("keeps each user's draft files and restores to that user", async () => {
    await start();
    const tx = await storage.begin();
    const teacher = await tx.allocateIds('user', 1);
    await tx.insert('user', [
      {
        id: teacher,
        username: 'teacher',
        mnethostid: 1,
        confirmed: 1,
        firstname: 'Terry',
        lastname: 'Teacher',
        email: 't@example.org',
      },
    ]);
    await tx.commit();
    await expect(service.saveDraftFile(await generated('xs'), { filename: 'x.mbz', userid: 99 })).rejects.toMatchObject(
      { code: 'service.user-not-found', moodleErrorcode: 'invaliduser' },
    );

    const admins = await service.saveDraftFile(await generated('xs'), { filename: 'admin.mbz' });
    const theirs = await service.saveDraftFile(await generated('xs'), { filename: 'teacher.mbz', userid: teacher });
    const [context] = await storage.select('context', { contextlevel: 30, instanceid: teacher });
    expect(theirs).toMatchObject({ contextid: Number(context!.id), userid: String(teacher), author: 'Terry Teacher' });

    const as = { userid: teacher };
    await expect(
      service.restoreAsync({ categoryid: 1, localfile: { contextid: admins.contextid, itemid: admins.itemid } }, as),
    ).rejects.toMatchObject({
      code: 'service.draft-file-not-found',
      moodleErrorcode: 'filenotfound',
    });
    const completed = nextEvent(service, 'completed');
    const { restoreid } = await service.restoreAsync(
      { categoryid: 1, localfile: { contextid: theirs.contextid, itemid: theirs.itemid } },
      as,
    );
    await completed;
    expect(await service.getRestore(restoreid, as)).toMatchObject({ userid: teacher, status: 1000 });
    await expect(service.getStatus(restoreid, { userid: 2 })).rejects.toMatchObject({
      code: 'service.restore-not-found',
      moodleErrorcode: 'invalidrecord',
    });
    expect((await service.listRestores(as)).map((r) => r.restoreid)).toEqual([restoreid]);
    expect(await service.listRestores({ userid: 2 })).toEqual([]);
    expect((await service.listRestores()).map((r) => r.restoreid)).toEqual([restoreid]);
    if (storage.capabilities.durable)
      expect(await storage.select('backup_controllers', { backupid: restoreid })).toMatchObject([{ userid: teacher }]);
  });

  it('stores a batch all or none: a full disk on its second file keeps nothing of it', async () => {
    await start();
    const tx = await storage.begin();
    const userid = await tx.allocateIds('user', 1);
    await tx.insert('user', [
      {
        id: userid,
        username: 'uploader',
        mnethostid: 1,
        confirmed: 1,
        firstname: 'Uma',
        lastname: 'Loader',
        email: 'u@example.org',
      },
    ]);
    await tx.commit();
    const [xs, s] = [await generated('xs'), await generated('s')];
    const batch = () => [
      { content: xs, filename: 'a.mbz' },
      { content: createReadStream(s), filename: 'b.mbz', filepath: '/sub/' },
    ];

    const before = withoutJobs(await dumpStore(storage));
    const faulty = await createRestoreService({ storage: withFaults(storage, { failBlobAt: 2 }) });
    const error = await errorOf(() => faulty.saveDraftFiles(batch(), { userid }));
    await faulty.close();
    expect(error).toMatchObject({
      code: 'storage.no-space',
      message: expect.stringContaining('No file of this upload was stored'),
    });
    // Not the first file, not its blob, not the user context the batch created.
    expect(withoutJobs(await dumpStore(storage))).toEqual(before);

    const stored = await service.saveDraftFiles(batch(), { userid });
    const [a, b] = stored as Array<{ itemid: number; contextid: number; filepath: string; filename: string }>;
    expect([a, b]).toMatchObject([
      { filename: 'a.mbz', filepath: '/' },
      { filename: 'b.mbz', filepath: '/sub/', itemid: a!.itemid, contextid: a!.contextid },
    ]);
    const rows = await storage.select('files', { contextid: a!.contextid, itemid: a!.itemid });
    expect(rows.map((r) => `${String(r.filepath)}${String(r.filename)}`).sort()).toEqual([
      '/.',
      '/a.mbz',
      '/sub/.',
      '/sub/b.mbz',
    ]);

    // Taken names: refused with the whole batch by default, skipped on request (as upload.php's per-file entry).
    const into = { userid, itemid: a!.itemid };
    const refused = await errorOf(() =>
      service.saveDraftFiles(
        [
          { content: xs, filename: 'c.mbz' },
          { content: xs, filename: 'a.mbz' },
        ],
        into,
      ),
    );
    expect(refused).toMatchObject({ code: 'service.draft-file-exists', moodleErrorcode: 'filenameexist' });
    expect(await storage.count('files', { itemid: a!.itemid, filename: 'c.mbz' })).toBe(0);
    const skipped = await service.saveDraftFiles(
      [
        { content: xs, filename: 'a.mbz' },
        { content: xs, filename: 'c.mbz' },
        { content: s, filename: 'c.mbz' },
      ],
      { ...into, ifExists: 'skip' },
    );
    expect(skipped).toEqual([
      { skipped: 'exists', filename: 'a.mbz', filepath: '/' },
      expect.objectContaining({ component: 'user', filename: 'c.mbz', itemid: a!.itemid }),
      { skipped: 'exists', filename: 'c.mbz', filepath: '/' },
    ]);
    expect(await storage.count('files', { itemid: a!.itemid })).toBe(5);
  });
});
