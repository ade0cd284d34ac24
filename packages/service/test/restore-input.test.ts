/**
 * What the service passes to every restore it runs in a worker thread: its `siteUrl` (links decoded into it, as the
 * decode-links stage does for `restore(…, { siteUrl })`) and the requesting user (`actingUserId`: Moodle stamps
 * `$USER->id` on user enrolments and role assignments, see the engine's `enrolments-acting-user.test.ts`). Moved here
 * from the engine's stage tests with the service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@mbz-restore/engine';
import { createRestoreService } from '@mbz-restore/service';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { MOODLE_CLI_RESTORE } from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const ALLMODS = generatedFixture('gen_allmods_users.mbz');
const ADVGRADE = 'report_advancedgrading__tests-fixtures-backup-advgrade.mbz';
const USER_OPTIONS = {
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
} as const;

async function modifiers(storage: StorageAdapter, courseid: number): Promise<{ ue: unknown[]; ra: unknown[] }> {
  const ue: unknown[] = [];
  for (const e of await storage.select('enrol', { courseid }))
    ue.push(...(await storage.select('user_enrolments', { enrolid: Number(e.id) })).map((r) => r.modifierid));
  const [context] = await storage.select('context', { contextlevel: 50, instanceid: courseid });
  const ra = (await storage.select('role_assignments', { contextid: Number(context!.id) })).map((r) => r.modifierid);
  return { ue, ra };
}

describe.skipIf(!hasShared())('decode-links through the asynchronous service', () => {
  it("passes the service's siteUrl to restores in worker threads", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbz-decode-svc-'));
    const storage = createSqliteStorage({ path: join(dir, 'store.sqlite') });
    await storage.open();
    const service = await createRestoreService({
      storage,
      workers: true,
      concurrency: 1,
      siteUrl: 'https://svc.example/moodle',
    });
    try {
      const { restoreid } = await service.restoreFile(ALLMODS, { options: USER_OPTIONS });
      await service.onIdle();
      const job = await service.getRestore(restoreid);
      expect(job.status).toBe(1000);
      const pages = await storage.select('wiki_pages');
      const text = pages.map((p) => String(p.cachedcontent)).join('\n');
      expect(text).toMatch(/href="https:\/\/svc\.example\/moodle\/mod\/wiki\/view\.php\?pageid=\d+"/);
      expect(text).not.toContain('$@');
    } finally {
      await service.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(!hasShared())('the acting user of a restore through the service', () => {
  it('the service passes the requesting user to restores in worker threads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbz-acting-'));
    const storage = createSqliteStorage({ path: join(dir, 'store.sqlite') });
    await storage.open();
    const service = await createRestoreService({ storage, workers: true, concurrency: 1 });
    try {
      const { restoreid } = await service.restoreFile(
        mbzFixture(ADVGRADE),
        { options: MOODLE_CLI_RESTORE },
        { userid: 7 },
      );
      await service.onIdle();
      const job = await service.getRestore(restoreid);
      expect(job.status).toBe(1000);
      const { ue, ra } = await modifiers(storage, Number(job.courseid));
      expect(ue.length).toBeGreaterThan(0);
      expect(new Set(ue)).toEqual(new Set([7]));
      expect(new Set(ra)).toEqual(new Set([7]));
    } finally {
      await service.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
