/**
 * The completion stage: completion defaults, course completion (root completion.xml) and activity
 * completion (activities' completion.xml) (see `packages/engine/src/stages/completion.ts`).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBackup } from '@mbz-restore/generator';
import { completionStage } from '../../src/stages/completion.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  ALL_ON,
  extractBackup,
  fullRestore,
  readEntries,
  restoreWithStandIns,
  upstreamReady,
  type HarnessResult,
} from './support/grade-stages-harness.ts';

const COMPLETION = '/completions/completion';

describe.skipIf(!hasShared())(
  'activity completion: gen_s_users.mbz, upstream stages stood in (support/grade-stages-harness.ts)',
  () => {
    const path = generatedFixture('gen_s_users.mbz');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    let run: HarnessResult;
    let xml: Map<string, { data: Record<string, unknown> }[]>;

    beforeAll(async () => {
      run = await restoreWithStandIns(path, ALL_ON, [completionStage]);
      xml = await readEntries(path, (n) => /^activities\/[^/]+\/completion\.xml$/.test(n), [COMPLETION]);
    });

    it('restores every completion row of the backup, as many as Moodle (334)', async () => {
      const inBackup = [...xml.values()].reduce((n, r) => n + r.length, 0);
      expect(inBackup).toBe(334);
      expect(await run.storage.count('course_modules_completion')).toBe(inBackup);
      expect(await run.storage.count('course_modules_completion')).toBe(moodle.course_modules_completion);
    });

    it('points coursemoduleid and userid at restored rows and keeps state and time', async () => {
      const cms = new Set((await run.storage.select('course_modules', { course: run.courseId })).map((c) => c.id));
      const users = new Set((await run.storage.select('user')).map((u) => u.id));
      const rows = await run.storage.select('course_modules_completion');
      for (const row of rows) {
        expect(cms.has(row.coursemoduleid)).toBe(true);
        expect(users.has(row.userid)).toBe(true);
      }
      for (const [entry, records] of xml) {
        const cmid = run.ids.get('course_module', entry.split('/')[1]!.split('_').pop()!);
        for (const { data } of records) {
          const row = rows.find(
            (r) => r.coursemoduleid === cmid && r.userid === run.ids.get('user', String(data.userid)),
          );
          expect(row).toMatchObject({
            completionstate: Number(data.completionstate),
            timemodified: Number(data.timemodified),
          });
        }
      }
    });

    it('restores no course completion: the backup has none, as Moodle (course_completions 0)', async () => {
      expect(await run.storage.count('course_completion_criteria')).toBe(0);
      expect(await run.storage.count('course_completions')).toBe(moodle.course_completions);
    });
  },
);

describe.skipIf(!hasShared())('activity completion: settings', () => {
  const path = generatedFixture('gen_s_users.mbz');

  it.each([
    ['userscompletion: 0', { userscompletion: 0 }],
    ['users: 0', { users: 0 }],
  ])('writes nothing with %s', async (_name, off) => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, ...off }, [completionStage]);
    expect(await run.storage.count('course_modules_completion')).toBe(0);
  });

  it('skips an activity whose user data is off (a departure: Moodle gates by userscompletion only)', async () => {
    const page = await readEntries(path, (n) => n === 'activities/page_737/completion.xml', [COMPLETION]);
    const run = await restoreWithStandIns(path, { ...ALL_ON, page_737_userinfo: 0 }, [completionStage]);
    expect(await run.storage.count('course_modules_completion')).toBe(
      334 - page.get('activities/page_737/completion.xml')!.length,
    );
  });

  it("stores no rows for users that were not restored: Moodle's 10 rows of gen_s_nousers have user id 0", async () => {
    // gen_s_nousers was backed up without users, but its completion.xml files still hold 334 rows. Moodle
    // restored them as one row per activity with user id 0 (its failed user mapping stored as 0); the
    // engine skips rows whose user was not restored (and, with users off, userscompletion is off too).
    const nousers = generatedFixture('gen_s_nousers.mbz');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_nousers.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    const run = await restoreWithStandIns(nousers, {}, [completionStage]);
    expect(moodle.course_modules_completion).toBe(10);
    expect(await run.storage.count('course_modules_completion')).toBe(0);
  });
});

describe('course completion, completion defaults, repeated rows (generated backup, edited)', () => {
  let temp: string;
  let folder: string;
  let run: HarnessResult;
  let pageKey: string;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'mbz-completion-'));
    const generated = await generateBackup({ size: 'xs', out: join(temp, 'xs.zip'), container: 'zip' });
    folder = await extractBackup(generated.path);
    pageKey = (await readdir(join(folder, 'activities'))).filter((d) => d.startsWith('page_')).sort()[0]!;
    const pageCmid = pageKey.split('_')[1]!;
    await writeFile(join(folder, 'completion.xml'), courseCompletionXml(pageCmid));
    await writeFile(join(folder, 'course', 'completiondefaults.xml'), completionDefaultsXml());
    const pageCompletion = join(folder, 'activities', pageKey, 'completion.xml');
    const text = await readFile(pageCompletion, 'utf8');
    // User 58 again, later and in another state (wins), then earlier (ignored); and two views of one user.
    const extra = completion('900001', '58', '2', '1900000000') + completion('900002', '58', '0', '1000000000');
    const views =
      '<completionviews><completionview id="1"><userid>58</userid><timecreated>1721444969</timecreated></completionview>' +
      '<completionview id="2"><userid>58</userid><timecreated>1721444970</timecreated></completionview></completionviews>';
    await writeFile(
      pageCompletion,
      text.replace(/<completionviews>\s*<\/completionviews>|<\/completions>/, (m) =>
        m === '</completions>' ? `${extra}${views}</completions>` : `${extra}${views}`,
      ),
    );
    run = await restoreWithStandIns(folder, ALL_ON, [completionStage]);
  });

  afterAll(async () => {
    for (const dir of [folder, temp]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restores the criteria it can match and skips the others with a warning', async () => {
    const criteria = await run.storage.select('course_completion_criteria', { course: run.courseId });
    const [editingteacher] = await run.storage.select('role', { shortname: 'editingteacher' });
    const pageCm = run.ids.get('course_module', pageKey.split('_')[1]!);
    expect(criteria).toEqual([
      expect.objectContaining({ criteriatype: 4, module: 'page', moduleinstance: pageCm, role: null }),
      expect.objectContaining({ criteriatype: 7, role: editingteacher!.id, module: null, moduleinstance: null }),
    ]);
    expect(run.warnings.filter((w) => w.code === 'completion-criterion-unmatched')).toHaveLength(3);
  });

  it("restores aggregation methods once per type, and users' completions of mapped users only", async () => {
    expect(
      (await run.storage.select('course_completion_aggr_methd', { course: run.courseId })).map((m) => [
        m.criteriatype,
        m.method,
      ]),
    ).toEqual([
      [null, 1],
      [4, 2],
    ]);
    const [criterion] = await run.storage.select('course_completion_criteria', { criteriatype: 4 });
    const user = run.ids.get('user', '58');
    expect(await run.storage.select('course_completion_crit_compl')).toEqual([
      expect.objectContaining({
        userid: user,
        course: run.courseId,
        criteriaid: criterion!.id,
        timecompleted: 1721444969,
      }),
    ]);
    expect(await run.storage.select('course_completions')).toEqual([
      expect.objectContaining({ userid: user, course: run.courseId, timecompleted: 1721444969 }),
    ]);
  });

  it('restores completion defaults of installed modules only', async () => {
    const [page] = await run.storage.select('modules', { name: 'page' });
    expect(await run.storage.select('course_completion_defaults', { course: run.courseId })).toEqual([
      expect.objectContaining({ module: page!.id, completion: 1, completionview: 1 }),
    ]);
  });

  it('keeps one completion per user and activity, the latest, and one view', async () => {
    const cmid = run.ids.get('course_module', pageKey.split('_')[1]!)!;
    const user = run.ids.get('user', '58')!;
    expect(await run.storage.select('course_modules_completion', { coursemoduleid: cmid, userid: user })).toEqual([
      expect.objectContaining({ completionstate: 2, timemodified: 1900000000 }),
    ]);
    expect(await run.storage.select('course_modules_viewed', { coursemoduleid: cmid })).toEqual([
      expect.objectContaining({ userid: user, timecreated: 1721444969 }),
    ]);
  });

  it('skips course completion when an activity is left out, as Moodle', async () => {
    const other = (await readdir(join(folder, 'activities'))).find((d) => d !== pageKey)!;
    const excluded = await restoreWithStandIns(folder, { ...ALL_ON, [`${other}_included`]: 0 }, [completionStage]);
    expect(await excluded.storage.count('course_completion_criteria')).toBe(0);
    expect(await excluded.storage.count('course_completion_defaults')).toBe(1);
  });
});

describe.skipIf(!hasShared())('completion: full restore() of gen_s_users.mbz against Moodle', () => {
  it("restores Moodle's activity completion rows", async (context) => {
    const { result } = await fullRestore(generatedFixture('gen_s_users.mbz'), ALL_ON);
    if (!upstreamReady(result)) context.skip('the users and activities stages are still placeholders');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    expect(result.counts.mdl_course_modules_completion).toBe(moodle.course_modules_completion);
    expect(result.counts.mdl_course_completions ?? 0).toBe(moodle.course_completions);
  });
});

// Internal helpers

function completion(id: string, userid: string, state: string, time: string): string {
  return `<completion id="${id}"><userid>${userid}</userid><completionstate>${state}</completionstate><timemodified>${time}</timemodified></completion>`;
}

function criterion(id: string, fields: Record<string, string>, children = ''): string {
  const values: Record<string, string> = {
    course: '283',
    criteriatype: '4',
    module: '$@NULL@$',
    moduleinstance: '$@NULL@$',
    courseinstanceshortname: '$@NULL@$',
    enrolperiod: '$@NULL@$',
    timeend: '$@NULL@$',
    gradepass: '$@NULL@$',
    role: '$@NULL@$',
    roleshortname: '$@NULL@$',
    ...fields,
  };
  const body = Object.entries(values)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<course_completion_criteria id="${id}">${body}<course_completion_crit_completions>${children}</course_completion_crit_completions></course_completion_criteria>`;
}

function courseCompletionXml(pageCmid: string): string {
  const critCompl = (id: string, userid: string) =>
    `<course_completion_crit_compl id="${id}"><criteriaid>11</criteriaid><userid>${userid}</userid><gradefinal>$@NULL@$</gradefinal>` +
    '<unenroled>$@NULL@$</unenroled><timecompleted>1721444969</timecompleted></course_completion_crit_compl>';
  const aggr = (id: string, type: string, method: string) =>
    `<course_completion_aggr_methd id="${id}"><course>283</course><criteriatype>${type}</criteriatype><method>${method}</method><value>$@NULL@$</value></course_completion_aggr_methd>`;
  const courseCompletion = (id: string, userid: string) =>
    `<course_completions id="${id}"><userid>${userid}</userid><course>283</course><timeenrolled>0</timeenrolled><timestarted>0</timestarted>` +
    '<timecompleted>1721444969</timecompleted><reaggregate>0</reaggregate></course_completions>';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<course_completion>' +
    criterion('11', { module: 'page', moduleinstance: pageCmid }, critCompl('1', '58') + critCompl('2', '999999')) +
    criterion('12', { criteriatype: '7', role: '3', roleshortname: 'editingteacher' }) +
    criterion('13', { criteriatype: '7', role: '77', roleshortname: 'nosuchrole' }) +
    criterion('14', { criteriatype: '8', courseinstanceshortname: 'NO_SUCH_COURSE' }) +
    criterion('15', { module: 'page', moduleinstance: '1' }) +
    aggr('1', '$@NULL@$', '1') +
    aggr('2', '4', '2') +
    aggr('3', '4', '1') +
    courseCompletion('1', '58') +
    courseCompletion('2', '999999') +
    '</course_completion>'
  );
}

function completionDefaultsXml(): string {
  const row = (id: string, modulename: string) =>
    `<course_completion_default id="${id}"><modulename>${modulename}</modulename><completion>1</completion><completionview>1</completionview>` +
    '<completionusegrade>0</completionusegrade><completionpassgrade>0</completionpassgrade><completionexpected>0</completionexpected>' +
    '<customrules>$@NULL@$</customrules></course_completion_default>';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<course_completion_defaults>${row('1', 'page')}${row('2', 'nosuchmod')}</course_completion_defaults>`;
}
