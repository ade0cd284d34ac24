/**
 * The comments stage: comments.xml of the course, activities and blocks → comments
 * (see `packages/engine/src/stages/comments.ts`).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { XmlObject } from '@mbz-restore/engine';
import { commentsStage } from '../../src/stages/comments.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import {
  ALL_ON,
  fullRestore,
  readEntries,
  restoreWithStandIns,
  upstreamReady,
  type HarnessResult,
} from './support/grade-stages-harness.ts';

const COMMENT = '/comments/comment';

/** The comments of the backup per file, and how many remain after Moodle's (context, user, timecreated) rule, counted from the archive. */
async function backupComments(
  path: string,
): Promise<{ all: Map<string, XmlObject[]>; total: number; distinct: number }> {
  const files = await readEntries(path, (n) => /(^|\/)comments\.xml$/.test(n), [COMMENT]);
  const all = new Map([...files].map(([name, records]) => [name, records.map((r) => r.data)]));
  let total = 0;
  let distinct = 0;
  for (const comments of all.values()) {
    total += comments.length;
    // One file = one context.
    distinct += new Set(comments.map((c) => `${c.userid}/${c.timecreated}`)).size;
  }
  return { all, total, distinct };
}

describe.skipIf(!hasShared())(
  'comments: gen_s_users.mbz, upstream stages stood in (support/grade-stages-harness.ts)',
  () => {
    const path = generatedFixture('gen_s_users.mbz');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    let run: HarnessResult;
    let backup: Awaited<ReturnType<typeof backupComments>>;

    beforeAll(async () => {
      run = await restoreWithStandIns(path, ALL_ON, [commentsStage]);
      backup = await backupComments(path);
    });

    it('keeps one comment per context, user and second: 72 of 200, as Moodle', async () => {
      // The 200 submission comments were written by one teacher within a few seconds of each other.
      expect(backup.total).toBe(200);
      expect(backup.distinct).toBe(72);
      expect(await run.storage.count('comments')).toBe(backup.distinct);
      expect(await run.storage.count('comments')).toBe(moodle.comments);
    });

    it("maps itemid through the area's item (assign submission_comments → submission), context and user", async () => {
      const submissions = new Set((await run.storage.select('assign_submission')).map((s) => s.id));
      const contexts = new Map((await run.storage.select('context', { contextlevel: 70 })).map((c) => [c.id, c]));
      const users = new Set((await run.storage.select('user')).map((u) => u.id));
      const rows = await run.storage.select('comments');
      for (const row of rows) {
        expect(row).toMatchObject({ component: 'assignsubmission_comments', commentarea: 'submission_comments' });
        expect(submissions.has(row.itemid)).toBe(true);
        expect(contexts.has(row.contextid)).toBe(true);
        expect(users.has(row.userid)).toBe(true);
      }
      // The first comment of each (user, second) in each file is the one kept.
      for (const [entry, comments] of backup.all) {
        if (comments.length === 0) continue;
        const cmid = run.ids.get('course_module', entry.split('/')[1]!.split('_').pop()!);
        const [context] = await run.storage.select('context', { contextlevel: 70, instanceid: cmid! });
        const first = new Map<string, XmlObject>();
        for (const c of comments)
          if (!first.has(`${c.userid}/${c.timecreated}`)) first.set(`${c.userid}/${c.timecreated}`, c);
        const kept = rows.filter((r) => r.contextid === context!.id);
        expect(kept.map((r) => r.content).sort()).toEqual([...first.values()].map((c) => c.content).sort());
        expect(kept.map((r) => r.itemid).sort()).toEqual(
          [...first.values()].map((c) => run.ids.get('submission', String(c.itemid))).sort(),
        );
      }
    });
  },
);

describe.skipIf(!hasShared())('comments: settings', () => {
  const path = generatedFixture('gen_s_users.mbz');

  it.each([
    ['comments: 0', { comments: 0 }],
    ['users: 0', { users: 0 }],
  ])('writes nothing with %s', async (_name, off) => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, ...off }, [commentsStage]);
    expect(await run.storage.count('comments')).toBe(0);
  });

  it('keeps no comment whose item was not restored (activity user data off)', async () => {
    const run = await restoreWithStandIns(path, { ...ALL_ON, assign_727_userinfo: 0 }, [commentsStage]);
    const backup = await backupComments(path);
    const assign727 = backup.all.get('activities/assign_727/comments.xml')!;
    expect(await run.storage.count('comments')).toBe(
      72 - new Set(assign727.map((c) => `${c.userid}/${c.timecreated}`)).size,
    );
  });
});

describe.skipIf(!hasShared())('comments: full restore() of gen_s_users.mbz against Moodle', () => {
  it("restores Moodle's 72 comments, each on a restored submission", async (context) => {
    const { storage, result } = await fullRestore(generatedFixture('gen_s_users.mbz'), ALL_ON);
    if (!upstreamReady(result)) context.skip('the users and activities stages are still placeholders');
    const moodle = JSON.parse(readFileSync(generatedFixture('gen_s_users.expected.json'), 'utf8')).counts as Record<
      string,
      number
    >;
    expect(result.counts.mdl_comments).toBe(moodle.comments);
    const submissions = new Set((await storage.select('assign_submission')).map((s) => s.id));
    expect((await storage.select('comments')).every((c) => submissions.has(c.itemid))).toBe(true);
  });
});
