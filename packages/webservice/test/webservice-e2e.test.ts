/**
 * End to end over HTTP: the real server on a free loopback port, Node's fetch and FormData as the client,
 * the real restore service and a SQLite store. A client uploads a backup to upload.php, starts its restore
 * with MDL-64915 options through server.php, polls until 1000, and the course is in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_PATH } from '@mbz-restore/webservice';
import { hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { pollUntilEnded, rest, startRestore, startServer, upload, xsBackup } from './support/ws-server.ts';
import type { TestServer } from './support/ws-server.ts';

const shared = hasShared();
let server: TestServer;
let token: string;
let xs: string;

beforeAll(async () => {
  server = await startServer();
  token = await server.token({ name: 'e2e' });
  xs = await xsBackup();
});
afterAll(async () => {
  await server?.close();
});

describe('webservice end to end', () => {
  it('core_webservice_get_site_info answers the site, the token user and the functions served', async () => {
    const info = await rest(server.url, token, 'core_webservice_get_site_info');
    expect(info).toMatchObject({
      sitename: expect.any(String),
      username: 'admin',
      userid: 2,
      fullname: 'Admin User',
      siteurl: server.url,
      uploadfiles: 1,
      siteid: 1,
    });
    expect(info.functions.map((f: { name: string }) => f.name)).toEqual([
      'core_webservice_get_site_info',
      'core_course_restore_async',
      'core_course_restore_async_get_status',
      'core_backup_get_async_backup_progress',
    ]);
    expect(info.version).toMatch(/^\d{10}$/);
  });

  it("upload.php answers Moodle's file record for each file, in one new draft item", async () => {
    const answer = await upload(server.url, token, [xs], { filepath: '/backups/' });
    expect(Array.isArray(answer)).toBe(true);
    const [file] = answer as Array<Record<string, unknown>>;
    expect(Object.keys(file!).sort()).toEqual([
      'author',
      'component',
      'contextid',
      'filearea',
      'filename',
      'filepath',
      'itemid',
      'license',
      'source',
      'userid',
    ]);
    expect(file).toMatchObject({
      component: 'user',
      filearea: 'draft',
      filename: 'xs-1.mbz',
      filepath: '/backups/',
      userid: '2',
      author: 'Admin User',
    });
    expect(file!.source).toBe('O:8:"stdClass":1:{s:6:"source";s:8:"xs-1.mbz";}');
    const rows = await server.storage.select('files', { itemid: file!.itemid as number, filename: 'xs-1.mbz' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ component: 'user', filearea: 'draft', contextid: file!.contextid as number });
  });

  it('restores a generated backup with options, status climbs to 1000, and the course is in the store', async () => {
    const restoreid = await startRestore(server.url, token, xs, { users: 1, logs: 1 });
    expect(restoreid).toMatch(/^[0-9a-f]{32}$/);
    const seen = await pollUntilEnded(server.url, token, restoreid);
    expect(seen.at(-1)).toEqual({ status: 1000, progress: 1 });
    for (const s of seen) expect([700, 800, 1000]).toContain(s.status);
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const detail = await server.service.getRestore(restoreid);
    expect(detail.settings).toMatchObject({ users: 1, logs: 1 });
    const [course] = await server.storage.select('course', { id: detail.courseid! });
    expect(course).toMatchObject({ category: 1, shortname: expect.stringContaining('GEN_XS_1') });
    expect(await server.storage.count('user_enrolments')).toBeGreaterThan(0);
    expect(await server.storage.count('logstore_standard_log', { courseid: detail.courseid! })).toBeGreaterThan(0);
  });

  it.skipIf(!shared)('restores a real Moodle backup from the shared fixtures', async () => {
    const restoreid = await startRestore(
      server.url,
      token,
      mbzFixture('tool_s3wsrestore__tests-fixtures-validRestore.mbz'),
    );
    expect((await pollUntilEnded(server.url, token, restoreid)).at(-1)!.status).toBe(1000);
    const { courseid } = await server.service.getRestore(restoreid);
    expect((await server.storage.select('course', { id: courseid! }))[0]).toMatchObject({ fullname: 'Restore Target' });
  });

  it.skipIf(!shared)(
    'a file that is not a Moodle backup is refused at restore_async with errorinvalidformat, and no job is recorded',
    async () => {
      const jobs = (await server.storage.listJobs()).length;
      const [file] = (await upload(server.url, token, [
        mbzFixture('tool_s3wsrestore__tests-fixtures-invalidRestore.mbz'),
      ])) as Array<Record<string, number>>;
      const answer = await rest(server.url, token, 'core_course_restore_async', {
        categoryid: 1,
        'localfile[contextid]': file!.contextid!,
        'localfile[itemid]': file!.itemid!,
      });
      expect(answer).toMatchObject({
        exception: 'moodle_exception',
        errorcode: 'errorinvalidformat',
        message: 'Unknown backup format',
      });
      expect((await server.storage.listJobs()).length).toBe(jobs);
    },
  );

  it("answers Moodle's XML envelope with moodlewsrestformat=xml (and by default)", async () => {
    const restoreid = await startRestore(server.url, token, xs);
    await pollUntilEnded(server.url, token, restoreid);
    const xml = await rest(server.url, token, 'core_course_restore_async_get_status', { restoreid }, 'xml');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n<SINGLE>\n<KEY name="status"><VALUE>1000</VALUE>\n</KEY>\n<KEY name="progress"><VALUE>1</VALUE>\n</KEY>\n</SINGLE>\n</RESPONSE>\n',
    );
    const res = await fetch(
      `${server.url}${REST_PATH}?wstoken=${token}&wsfunction=core_course_restore_async_get_status&restoreid=${restoreid}`,
    );
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await res.text()).toBe(xml);
    const error = await rest(server.url, 'nope', 'core_course_restore_async_get_status', { restoreid }, 'xml');
    expect(error).toBe(
      '<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="moodle_exception">\n<ERRORCODE>invalidtoken</ERRORCODE>\n<MESSAGE>Invalid token - token not found</MESSAGE>\n</EXCEPTION>\n',
    );
  });

  it('core_backup_get_async_backup_progress reports several restores of the token at once', async () => {
    const a = await startRestore(server.url, token, xs);
    const b = await startRestore(server.url, token, xs, { blocks: 0 });
    await pollUntilEnded(server.url, token, a);
    await pollUntilEnded(server.url, token, b);
    const answer = await rest(server.url, token, 'core_backup_get_async_backup_progress', {
      'backupids[0]': a,
      'backupids[1]': b,
      contextid: 1,
    });
    expect(answer).toEqual([
      { status: 1000, progress: 1, backupid: a, operation: 'restore' },
      { status: 1000, progress: 1, backupid: b, operation: 'restore' },
    ]);
  });

  it('a token sees only its own restores, even another token of the same user', async () => {
    const restoreid = await startRestore(server.url, token, xs);
    const other = await server.token({ name: 'other' });
    const answer = await rest(server.url, other, 'core_course_restore_async_get_status', { restoreid });
    expect(answer).toMatchObject({
      exception: 'dml_missing_record_exception',
      errorcode: 'invalidrecord',
      message: "Can't find data record in database table backup_controllers.",
    });
    const bulk = await rest(server.url, other, 'core_backup_get_async_backup_progress', {
      'backupids[0]': restoreid,
      contextid: 1,
    });
    expect(bulk.errorcode).toBe('invalidrecord');
    await pollUntilEnded(server.url, token, restoreid);
  });

  it('a token limited to categories restores into them and is refused elsewhere with accessexception', async () => {
    const tx = await server.storage.begin();
    const id = await tx.allocateIds('course_categories', 1);
    await tx.insert('course_categories', [{ id, name: 'Limited', sortorder: 20000, path: `/${id}`, depth: 1 }]);
    await tx.commit();
    const limited = await server.token({ categories: [id] });
    const restoreid = await startRestore(server.url, limited, xs, {}, id);
    expect((await pollUntilEnded(server.url, limited, restoreid)).at(-1)!.status).toBe(1000);
    const { courseid } = await server.service.getRestore(restoreid);
    expect((await server.storage.select('course', { id: courseid! }))[0]!.category).toBe(id);
    const jobs = (await server.storage.listJobs()).length;
    await expect(startRestore(server.url, limited, xs, {}, 1)).rejects.toThrow(/"errorcode":"accessexception"/);
    expect((await server.storage.listJobs()).length).toBe(jobs);
  });
});
