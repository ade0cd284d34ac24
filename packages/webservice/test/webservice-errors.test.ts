/**
 * Every refusal of the webservice answers Moodle's error (HTTP 200, `exception`, `errorcode`, `message`) and
 * leaves nothing behind: no draft file, no job, no ownership row, nothing in the spool folder.
 */
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_PATH, UPLOAD_PATH } from '@mbz-restore/webservice';
import { entries, pollUntilEnded, rest, startRestore, startServer, upload, xsBackup } from './support/ws-server.ts';
import type { TestServer } from './support/ws-server.ts';

let server: TestServer;
let token: string;
let xs: string;

/** What a refused request must not have added to. */
async function snapshot(s: TestServer) {
  return {
    files: await s.storage.count('files'),
    jobs: (await s.storage.listJobs()).length,
    owners: await s.storage.count('mbz_token_restores'),
    spool: await entries(s.spoolDir),
  };
}

/** Runs `fn`, expects it to answer Moodle's error with `errorcode`, and the store to be unchanged. */
async function refused(s: TestServer, errorcode: string, fn: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const before = await snapshot(s);
  const answer = (await fn()) as Record<string, unknown>;
  expect(answer, JSON.stringify(answer)).toMatchObject({
    errorcode,
    exception: expect.any(String),
    message: expect.any(String),
  });
  expect(await snapshot(s)).toEqual(before);
  return answer;
}

beforeAll(async () => {
  server = await startServer({ limits: { maxUploadBytes: 512 * 1024, maxFilesPerUpload: 2 } });
  token = await server.token();
  xs = await xsBackup();
});
afterAll(async () => {
  await server?.close();
});

describe('REST errors', () => {
  it('no token or an unknown one: invalidtoken, whatever the function', async () => {
    const res = await fetch(
      `${server.url}${REST_PATH}?wsfunction=core_webservice_get_site_info&moodlewsrestformat=json`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      exception: 'moodle_exception',
      errorcode: 'invalidtoken',
      message: 'Invalid token - token not found',
    });
    await refused(server, 'invalidtoken', () =>
      rest(server.url, '0123456789abcdef0123456789abcdef', 'core_course_restore_async', { categoryid: 1 }),
    );
    await refused(server, 'invalidtoken', () => rest(server.url, 'not-alphanumeric!', 'no_such_function'));
  });

  it('a token past its validuntil: invalidtimedtoken', async () => {
    const expired = await server.token({ validuntil: Math.floor(Date.now() / 1000) - 60 });
    await refused(server, 'invalidtimedtoken', () => rest(server.url, expired, 'core_webservice_get_site_info'));
  });

  it('an unknown or missing function: invalidrecord on external_functions', async () => {
    const answer = await refused(server, 'invalidrecord', () => rest(server.url, token, 'core_course_delete_courses'));
    expect(answer).toMatchObject({
      exception: 'dml_missing_record_exception',
      message: "Can't find data record in database table external_functions.",
    });
    expect(answer.debuginfo).toContain('core_course_restore_async');
    const res = await fetch(`${server.url}${REST_PATH}?wstoken=${token}&moodlewsrestformat=json`);
    expect(((await res.json()) as { errorcode: string }).errorcode).toBe('invalidrecord');
  });

  it('parameters are validated as external_api::validate_parameters() does, with its debuginfo', async () => {
    const call = (params: Record<string, string | number>) => () =>
      rest(server.url, token, 'core_course_restore_async', params);
    const base = { message: 'Invalid parameter value detected', exception: 'invalid_parameter_exception' };
    expect(await refused(server, 'invalidparameter', call({}))).toEqual({
      ...base,
      errorcode: 'invalidparameter',
      debuginfo: 'Missing required key in single structure: categoryid',
    });
    expect(
      (
        await refused(
          server,
          'invalidparameter',
          call({ categoryid: 'abc', 'localfile[contextid]': 5, 'localfile[itemid]': 1 }),
        )
      ).debuginfo,
    ).toBe(
      'categoryid => Invalid parameter value detected: Invalid external api parameter: the value is "abc", the server was expecting "int" type',
    );
    expect(
      (await refused(server, 'invalidparameter', call({ categoryid: 1, 'localfile[contextid]': 5 }))).debuginfo,
    ).toBe('localfile => Invalid parameter value detected: Missing required key in single structure: itemid');
    expect((await refused(server, 'invalidparameter', call({ categoryid: 1, localfile: 7 }))).debuginfo).toBe(
      "localfile => Invalid parameter value detected: Only arrays accepted. The bad value is: '7'",
    );
    expect(
      (
        await refused(
          server,
          'invalidparameter',
          call({ categoryid: 1, 'localfile[contextid]': 5, 'localfile[itemid]': 1, courseid: 3 }),
        )
      ).debuginfo,
    ).toBe('Unexpected keys (courseid) detected in parameter array.');
    expect(
      (
        await refused(
          server,
          'invalidparameter',
          call({ categoryid: 1, 'localfile[contextid]': 5, 'localfile[itemid]': 1, 'options[0][name]': 'users' }),
        )
      ).debuginfo,
    ).toBe('options => Invalid parameter value detected: Missing required key in single structure: value');
    await refused(server, 'invalidparameter', () =>
      rest(server.url, token, 'core_course_restore_async_get_status', { restoreid: '../etc' }),
    );
  });

  it('a category that does not exist: invalidrecord on course_categories, no job', async () => {
    const [file] = (await upload(server.url, token, [xs])) as Array<Record<string, number>>;
    const answer = await refused(server, 'invalidrecord', () =>
      rest(server.url, token, 'core_course_restore_async', {
        categoryid: 999,
        'localfile[contextid]': file!.contextid!,
        'localfile[itemid]': file!.itemid!,
      }),
    );
    expect(answer.message).toBe("Can't find data record in database table course_categories.");
  });

  it('a draft item the token user does not have: filenotfound', async () => {
    await refused(server, 'filenotfound', () =>
      rest(server.url, token, 'core_course_restore_async', {
        categoryid: 1,
        'localfile[contextid]': 5,
        'localfile[itemid]': 4242,
      }),
    );
  });

  it('an unknown restore option: invalidextparam, naming the option, no job', async () => {
    const [file] = (await upload(server.url, token, [xs])) as Array<Record<string, number>>;
    const answer = await refused(server, 'invalidextparam', () =>
      rest(server.url, token, 'core_course_restore_async', {
        categoryid: 1,
        'localfile[contextid]': file!.contextid!,
        'localfile[itemid]': file!.itemid!,
        'options[0][name]': 'userz',
        'options[0][value]': 1,
      }),
    );
    expect(answer.debuginfo).toContain('userz');
  });

  it('a restore id that does not exist: invalidrecord on backup_controllers', async () => {
    await refused(server, 'invalidrecord', () =>
      rest(server.url, token, 'core_course_restore_async_get_status', { restoreid: 'a'.repeat(32) }),
    );
  });

  it('more restores waiting or running than the token may have: toomanyrequests, and the refused ones record nothing', async () => {
    const limited = await startServer({ limits: { maxQueuedRestores: 1 }, concurrency: 1 });
    try {
      const t = await limited.token();
      const files = [];
      for (let i = 0; i < 4; i++)
        files.push(((await upload(limited.url, t, [xs])) as Array<Record<string, number>>)[0]!);
      const before = await snapshot(limited);
      const answers = await Promise.all(
        files.map((f) =>
          rest(limited.url, t, 'core_course_restore_async', {
            categoryid: 1,
            'localfile[contextid]': f.contextid!,
            'localfile[itemid]': f.itemid!,
          }),
        ),
      );
      const accepted = answers.filter((a) => typeof a.restoreid === 'string');
      const refusedAnswers = answers.filter((a) => a.errorcode !== undefined);
      expect(accepted.length + refusedAnswers.length).toBe(4);
      expect(refusedAnswers.length).toBeGreaterThan(0);
      for (const a of refusedAnswers)
        expect(a).toMatchObject({
          exception: 'moodle_exception',
          errorcode: 'toomanyrequests',
          message: 'Too many restores waiting or running for this token at once (at most 1).',
        });
      expect((await limited.storage.listJobs()).length).toBe(before.jobs + accepted.length);
      expect(await limited.storage.count('mbz_token_restores')).toBe(before.owners + accepted.length);
      for (const a of accepted) expect((await pollUntilEnded(limited.url, t, a.restoreid)).at(-1)!.status).toBe(1000);
      // Once they ended, the token may restore again.
      expect((await pollUntilEnded(limited.url, t, await startRestore(limited.url, t, xs))).at(-1)!.status).toBe(1000);
    } finally {
      await limited.close();
    }
  });
});

describe('upload.php errors', () => {
  it("answers Moodle's AJAX error object: no token is missingparam, a bad one invalidtoken", async () => {
    const answer = await refused(server, 'missingparam', () => upload(server.url, undefined, [xs]));
    expect(answer).toEqual({
      error: 'A required parameter (token) was missing',
      errorcode: 'missingparam',
      stacktrace: null,
      debuginfo: null,
      reproductionlink: null,
      exception: 'moodle_exception',
      message: 'A required parameter (token) was missing',
    });
    await refused(server, 'invalidtoken', () => upload(server.url, 'ffffffffffffffffffffffffffffffff', [xs]));
  });

  it('filearea private is privatefilesupload; another area is a file error', async () => {
    await refused(server, 'privatefilesupload', () => upload(server.url, token, [xs], { filearea: 'private' }));
    expect(await refused(server, 'error', () => upload(server.url, token, [xs], { filearea: 'backup' }))).toMatchObject(
      { exception: 'file_exception' },
    );
  });

  it('a bad filepath or itemid is refused before anything is stored', async () => {
    expect(
      await refused(server, 'storedfileproblem', () => upload(server.url, token, [xs], { filepath: 'backups' })),
    ).toMatchObject({
      exception: 'file_exception',
      error: 'Unknown exception related to local files (Invalid file path)',
    });
    await refused(server, 'invalidparameter', () => upload(server.url, token, [xs], { itemid: 'abc' }));
  });

  it('files larger than the limit: upload_error_ini_size, nothing stored, nothing spooled', async () => {
    const big = join(dirname(xs), 'big.mbz');
    await writeFile(big, Buffer.alloc(600 * 1024, 1));
    const answer = await refused(server, 'upload_error_ini_size', () => upload(server.url, token, [xs, big]));
    expect(answer.debuginfo).toContain(`${512 * 1024} bytes`);
  });

  it('a body declared far larger than the limit is refused before any of it is read, and the connection closed', async () => {
    const before = await snapshot(server);
    const req = request(`${server.url}${UPLOAD_PATH}?token=${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(64 * 1024 * 1024) },
    });
    req.flushHeaders();
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      req.on('response', resolve).on('error', reject),
    );
    let text = '';
    for await (const chunk of res) text += String(chunk);
    req.destroy();
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(text)).toMatchObject({
      errorcode: 'upload_error_ini_size',
      error: 'The uploaded file exceeds the upload_max_filesize directive in php.ini.',
    });
    expect(await snapshot(server)).toEqual(before);
  });

  it('more files than the limit: invalidparameter, nothing stored', async () => {
    await refused(server, 'invalidparameter', () => upload(server.url, token, [xs, xs, xs]));
  });

  it("a name already in the draft item gets Moodle's per-file filenameexist entry", async () => {
    const [first] = (await upload(server.url, token, [xs])) as Array<Record<string, number>>;
    const files = await server.storage.count('files');
    const again = await upload(server.url, token, [xs], { itemid: String(first!.itemid) });
    expect(again).toEqual([
      { filename: 'xs-1.mbz', errortype: 'filenameexist', error: 'File name already exists: xs-1.mbz' },
    ]);
    expect(await server.storage.count('files')).toBe(files);
  });

  it('more uploads in flight than the token may have: toomanyrequests, and the first still completes', async () => {
    const limited = await startServer({ limits: { maxConcurrentUploads: 1 } });
    try {
      const t = await limited.token();
      const boundary = 'mbzboundary';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${t}\r\n--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="slow.mbz"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const tail = `\r\n--${boundary}--\r\n`;
      const first = request(`${limited.url}${UPLOAD_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      });
      const answered = new Promise<string>((resolve, reject) => {
        first.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        first.on('error', reject);
      });
      first.write(head);
      first.write(Buffer.alloc(1000, 7));
      // The first upload holds its slot once its file is being spooled.
      for (let i = 0; i < 500 && (await spooledFiles(limited)) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await spooledFiles(limited)).toBe(1);
      const second = await upload(limited.url, t, [xs]);
      expect(second).toMatchObject({ errorcode: 'toomanyrequests', exception: 'moodle_exception' });
      first.end(tail);
      const [record] = JSON.parse(await answered) as Array<Record<string, unknown>>;
      expect(record).toMatchObject({ filename: 'slow.mbz', component: 'user' });
      expect(await limited.storage.count('files', { filename: 'xs-1.mbz' })).toBe(0);
      expect(await entries(limited.spoolDir)).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('a request slower than the timeout: requesttimeout, nothing stored, nothing spooled', async () => {
    const slow = await startServer({ limits: { requestTimeoutMs: 500 } });
    try {
      const t = await slow.token();
      const before = await snapshot(slow);
      const boundary = 'b0undary';
      const req = request(`${slow.url}${UPLOAD_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      });
      const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        });
        req.on('error', reject);
      });
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${t}\r\n--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="x.mbz"\r\n\r\n`,
      );
      req.write(Buffer.alloc(100, 1));
      // …and never finishes.
      expect(await answer).toMatchObject({ errorcode: 'requesttimeout', exception: 'moodle_exception' });
      req.destroy();
      expect(await snapshot(slow)).toEqual(before);
      // The same for a REST call whose parameters never finish arriving.
      // The body never completes, so the answer's format comes from the query string.
      const call = request(`${slow.url}${REST_PATH}?moodlewsrestformat=json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '1000' },
      });
      const restAnswer = new Promise<Record<string, unknown>>((resolve, reject) => {
        call.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        });
        call.on('error', reject);
      });
      call.write(`wstoken=${t}&wsfunction=core_course_restore_async&categoryid=1`);
      expect(await restAnswer).toMatchObject({ errorcode: 'requesttimeout' });
      call.destroy();
      expect(await snapshot(slow)).toEqual(before);
    } finally {
      await slow.close();
    }
  });
});

describe('shutdown', () => {
  it('while shutting down, new work is refused with servershuttingdown, status is still answered, and running restores finish', async () => {
    const closing = await startServer();
    const t = await closing.token();
    const restoreid = await startRestore(closing.url, t, xs);
    const [file] = (await upload(closing.url, t, [xs])) as Array<Record<string, number>>;
    const closed = closing.webservice.close({ wait: true });
    const refusedRestore = await rest(closing.url, t, 'core_course_restore_async', {
      categoryid: 1,
      'localfile[contextid]': file!.contextid!,
      'localfile[itemid]': file!.itemid!,
    });
    expect(refusedRestore).toMatchObject({ errorcode: 'servershuttingdown' });
    expect(await upload(closing.url, t, [xs])).toMatchObject({ errorcode: 'servershuttingdown' });
    const status = await rest(closing.url, t, 'core_course_restore_async_get_status', { restoreid });
    expect([700, 800, 1000]).toContain(status.status);
    await closed;
    expect((await closing.service.getStatus(restoreid)).status).toBe(1000);
    await closing.close();
  });
});

describe('forced shutdown', () => {
  it('close({ wait: false }) during a graceful shutdown interrupts the running restore: 900 interrupted, nothing kept', async () => {
    const closing = await startServer();
    const t = await closing.token();
    const started = new Promise<string>((resolve) => closing.service.once('started', (e) => resolve(e.restoreid)));
    const restoreid = await startRestore(closing.url, t, xs);
    expect(await started).toBe(restoreid);
    const courses = await closing.storage.count('course');
    const graceful = closing.webservice.close({ wait: true });
    await closing.webservice.close({ wait: false });
    await graceful;
    expect(await closing.service.getRestore(restoreid)).toMatchObject({
      status: 900,
      courseid: null,
      error: { code: 'interrupted', message: expect.stringContaining('closed while this restore ran') },
    });
    expect(await closing.storage.count('course')).toBe(courses);
    await closing.close();
  });
});

async function spooledFiles(s: TestServer): Promise<number> {
  let n = 0;
  for (const dir of await entries(s.spoolDir)) n += (await entries(join(s.spoolDir, dir))).length;
  return n;
}
