/**
 * Ten real Moodle backups restored at once through the service with a concurrency of 2, on both adapters:
 * all end 1000, never more than two run at a time (seen through the events and the queue state), they start
 * in the order they were accepted, and each course is complete (the manifest's activities, at least its
 * sections) and distinct.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MODULE_SPECS, type StorageAdapter, type JobStore } from '@mbz-restore/engine';
import { createRestoreService, type RestoreService } from '@mbz-restore/service';
import { hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { ADAPTERS, recordEvents } from './support/stores.ts';

const FIXTURES = [
  'hrsq1__mod-quiz-tests-fixtures-moodle_311_quiz.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_28_quiz.mbz',
  'hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz',
  'hrsq1__backup-moodle2-tests-fixtures-test_tags_backup.mbz',
  'hrsq1__completion-tests-fixtures-legacy_course_completion.mbz',
  'local_sandbox__tests-fixtures-sandbox-test.mbz',
  'format_tiles__tests-fixtures-mbz-moodle-43-late-beta.mbz',
  'tool_driprelease__tests-fixtures-multiple_mod_types__v725ab4c.mbz',
  'report_advancedgrading__tests-fixtures-backup-advgrade.mbz',
  'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz',
];

describe.skipIf(!hasShared())('ten concurrent restores of real backups', () => {
  describe.each(ADAPTERS)('%s, concurrency 2', (_name, createStorage) => {
    let storage: StorageAdapter & JobStore;
    let service: RestoreService;
    afterEach(async () => {
      await service.close();
      await storage.close();
    });

    it('ends all 1000, two at a time at most, first in first out, each course complete and distinct', async () => {
      storage = createStorage();
      service = await createRestoreService({ storage, concurrency: 2 });
      const events = recordEvents(service);
      let running = 0;
      let most = 0;
      service.on('started', () => {
        running += 1;
        most = Math.max(most, running, service.queueState().running.length);
      });
      for (const end of ['completed', 'failed', 'cancelled'] as const) service.on(end, () => (running -= 1));

      const manifest = new Map(readManifest().map((m) => [m.file, m]));
      const drafts = [];
      for (const file of FIXTURES) drafts.push(await service.saveDraftFile(mbzFixture(file), { filename: file }));
      let waiting = 0;
      service.on('queued', () => (waiting = Math.max(waiting, service.queueState().queued.length)));
      const submitted = (
        await Promise.all(
          drafts.map((d) =>
            service.restoreAsync({ categoryid: 1, localfile: { contextid: d.contextid, itemid: d.itemid } }),
          ),
        )
      ).map((r) => r.restoreid);
      await service.onIdle();

      expect(waiting).toBeGreaterThan(0);
      expect(most).toBe(2);
      const order = (name: string) => events.filter((e) => e.name === name).map((e) => e.restoreid);
      expect(order('started')).toEqual(order('queued'));
      expect([...order('queued')].sort()).toEqual([...submitted].sort());
      const jobs = await Promise.all(submitted.map((id) => service.getRestore(id)));
      expect(jobs.map((j) => [j.status, j.progress, j.error])).toEqual(submitted.map(() => [1000, 1, null]));
      const courseids = jobs.map((j) => j.courseid!);
      expect(new Set(courseids).size).toBe(10);

      const modules = new Map((await storage.select('modules')).map((row) => [Number(row.id), String(row.name)]));
      for (const [i, file] of FIXTURES.entries()) {
        const m = manifest.get(file)!;
        const [course] = await storage.select('course', { id: courseids[i]! });
        expect(String(course!.fullname).startsWith(m.original_course_fullname!), file).toBe(true);
        const restored: Record<string, number> = {};
        for (const cm of await storage.select('course_modules', { course: courseids[i]! })) {
          const name = modules.get(Number(cm.module))!;
          restored[name] = (restored[name] ?? 0) + 1;
        }
        expect(restored, file).toEqual(
          Object.fromEntries(Object.entries(m.counts!.modules).filter(([name]) => name in MODULE_SPECS)),
        );
        expect(await storage.count('course_sections', { course: courseids[i]! }), file).toBeGreaterThanOrEqual(
          m.counts!.sections,
        );
      }
      expect(new Set((await storage.select('course')).map((c) => c.shortname)).size).toBe(11);
    });
  });
});
