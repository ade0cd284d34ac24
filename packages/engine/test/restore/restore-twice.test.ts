/**
 * Restoring the same backup twice into one store gives two courses with Moodle's unique names
 * ("… copy 1", "…_1"), reuses the users the first restore created, and stores each blob once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { generateBackup } from '@mbz-restore/generator';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import { findDanglingReferences } from '@mbz-restore/test-support/integrity';

let dir: string;
let backup: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-twice-'));
  backup = join(dir, 'xs.mbz');
  await generateBackup({ size: 'xs', out: backup, seed: 2 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('restore the same backup twice into one store', () => {
  it('two courses, users matched, blobs once', async () => {
    const storage = createSqliteStorage({ path: join(dir, 'twice.sqlite') });
    await storage.open();
    try {
      const options = { users: 1, role_assignments: 1 };
      const first = await restore(backup, { storage, options });
      const users = await storage.count('user');
      const blobs = (await storage.listBlobs()).length;
      const files = await storage.count('files');
      const second = await restore(backup, { storage, options });
      expect(second.courseid).not.toBe(first.courseid);
      const [a] = await storage.select('course', { id: first.courseid });
      const [b] = await storage.select('course', { id: second.courseid });
      expect(b!.fullname).toBe(`${String(a!.fullname)} copy 1`);
      expect(b!.shortname).toBe(`${String(a!.shortname)}_1`);
      // Users of the second restore were matched, not created again.
      expect(await storage.count('user')).toBe(users);
      expect(second.counts.mdl_user ?? 0).toBe(0);
      // Every file row was written twice (one per course) but each blob is stored once.
      expect(await storage.count('files')).toBe(files * 2);
      expect((await storage.listBlobs()).length).toBe(blobs);
      expect(blobs).toBeGreaterThan(0);
      const third = await restore(backup, { storage, options });
      const [c] = await storage.select('course', { id: third.courseid });
      expect(c!.shortname).toBe(`${String(a!.shortname)}_2`);
      expect(await findDanglingReferences(storage)).toEqual([]);
    } finally {
      await storage.close();
    }
  });
});
