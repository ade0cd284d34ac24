/**
 * Every Moodle-made backup of ../shared/fixtures/mbz/MANIFEST.json restores with MDL-64915's default
 * options into every adapter (memory, SQLite, PostgreSQL): the course has the manifest's sections and
 * activities, no user data (users default to 0), and — in SQLite and PostgreSQL — no dangling reference anywhere.
 * Each PostgreSQL restore gets a new database cloned from a migrated and seeded template.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULE_SPECS, restore, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { createPostgresStorage } from '@mbz-restore/storage-postgres';
import { databaseFactory } from '@mbz-restore/test-support/postgres';
import { hasShared, mbzFixture, readManifest, type ManifestEntry } from '@mbz-restore/test-support/shared';
import { findDanglingReferences } from '@mbz-restore/test-support/integrity';

const fixtures = hasShared() ? readManifest().filter((m) => m.produced_by_moodle) : [];

describe.skipIf(!hasShared())('restore every real fixture with default options', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbz-restore-all-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const newDatabase = databaseFactory(async (connectionString) => {
    const store = createPostgresStorage({ connectionString });
    await store.open();
    await store.close();
  });
  const adapters: Array<[string, (name: string) => StorageAdapter | Promise<StorageAdapter>]> = [
    ['memory', () => createMemoryStorage()],
    ['sqlite', (name) => createSqliteStorage({ path: join(dir, `${name}.sqlite`) })],
    ['postgres', async () => createPostgresStorage({ connectionString: await newDatabase() })],
  ];

  describe.each(adapters)('%s', (adapterName, create) => {
    it.each(fixtures.map((m) => [m.file, m] as const))('%s', async (file, m: ManifestEntry) => {
      const storage = await create(file);
      await storage.open();
      try {
        const result = await restore(mbzFixture(file), { storage });
        const course = await storage.select('course', { id: result.courseid });
        expect(course).toHaveLength(1);
        expect(course[0]!.fullname).toBe(m.original_course_fullname);

        // Activities: every module the engine knows is restored, each as many times as the backup has it.
        const modules = new Map((await storage.select('modules')).map((row) => [Number(row.id), String(row.name)]));
        const restored: Record<string, number> = {};
        for (const cm of await storage.select('course_modules', { course: result.courseid })) {
          const name = modules.get(Number(cm.module))!;
          restored[name] = (restored[name] ?? 0) + 1;
        }
        const known = Object.fromEntries(Object.entries(m.counts!.modules).filter(([name]) => name in MODULE_SPECS));
        expect(restored).toEqual(known);
        const unknown = Object.keys(m.counts!.modules).filter((name) => !(name in MODULE_SPECS));
        if (unknown.length) expect(result.warnings.map((w) => w.code)).toContain('unknown-module');

        // Sections: at least the backup's (Moodle adds missing section numbers).
        const sections = await storage.count('course_sections', { course: result.courseid });
        expect(sections).toBeGreaterThanOrEqual(m.counts!.sections);

        // Defaults leave users out: the store still has only its guest and admin.
        expect(result.settings.users).toBe(0);
        expect(await storage.count('user')).toBe(2);
        for (const table of [
          'user_enrolments',
          'role_assignments',
          'grade_grades_history',
          'comments',
          'course_modules_completion',
        ]) {
          expect(await storage.count(table), table).toBe(0);
        }
        // Only the events Moodle's restore logs itself (origin `restore`), none of the backup's log rows.
        expect((await storage.select('logstore_standard_log')).filter((r) => r.origin !== 'restore')).toEqual([]);
        if (adapterName !== 'memory') expect(await findDanglingReferences(storage)).toEqual([]);
      } finally {
        await storage.close();
      }
    });
  });
});
