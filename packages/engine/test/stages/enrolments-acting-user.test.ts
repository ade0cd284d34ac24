/**
 * Who Moodle records as the modifier of what a restore writes: `enrol_user()` (`user_enrolments.modifierid`),
 * `role_assign()` and `assign_capability()` stamp `$USER->id`, the user the restore runs as — nobody (0) in Moodle's
 * CLI restore, the requesting user in an asynchronous restore — not the restore controller's user (the admin).
 * Also the guest instance's password: `enrol_guest::add_instance()` makes a missing one ''. (The asynchronous service
 * passing the requesting user to restores in worker threads is tested with the service: packages/service/test.)
 */
import { describe, expect, it } from 'vitest';
import { restore, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { MOODLE_CLI_RESTORE, readOracleValues } from '@mbz-restore/test-support/oracle';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';

const ADVGRADE = 'report_advancedgrading__tests-fixtures-backup-advgrade.mbz';

async function modifiers(storage: StorageAdapter, courseid: number): Promise<{ ue: unknown[]; ra: unknown[] }> {
  const ue: unknown[] = [];
  for (const e of await storage.select('enrol', { courseid }))
    ue.push(...(await storage.select('user_enrolments', { enrolid: Number(e.id) })).map((r) => r.modifierid));
  const [context] = await storage.select('context', { contextlevel: 50, instanceid: courseid });
  const ra = (await storage.select('role_assignments', { contextid: Number(context!.id) })).map((r) => r.modifierid);
  return { ue, ra };
}

describe.skipIf(!hasShared())('the acting user of a restore', () => {
  it("Moodle's CLI restore (no acting user): modifier 0, as in Moodle 4.3's restore of the same backup", async () => {
    const oracle = readOracleValues('real-advgrade.values.json').queries.user_enrolments!;
    const modifier = oracle.columns.indexOf('modifier');
    expect(oracle.complete).toBe(true);
    expect(oracle.sample.map((row) => row[modifier])).toEqual(oracle.sample.map(() => null));
    const storage = createMemoryStorage();
    await storage.open();
    const { courseid } = await restore(mbzFixture(ADVGRADE), { storage, options: MOODLE_CLI_RESTORE });
    const { ue, ra } = await modifiers(storage, courseid);
    expect(ue).toHaveLength(oracle.rows);
    expect(new Set(ue)).toEqual(new Set([0]));
    expect(ra.length).toBeGreaterThan(0);
    expect(new Set(ra)).toEqual(new Set([0]));
  });

  it('actingUserId is stamped on user enrolments and role assignments', async () => {
    const storage = createMemoryStorage();
    await storage.open();
    const { courseid } = await restore(mbzFixture(ADVGRADE), { storage, options: MOODLE_CLI_RESTORE, actingUserId: 2 });
    const { ue, ra } = await modifiers(storage, courseid);
    expect(new Set(ue)).toEqual(new Set([2]));
    expect(new Set(ra)).toEqual(new Set([2]));
  });
});

describe.skipIf(!hasShared())("the guest instance's password", () => {
  it("is '' for the default instance of a restore without users (gen_s_nousers), as with users (Moodle 4.3)", async () => {
    const oracle = readOracleValues('gen_s_users.values.json').queries.enrol!;
    const guest = oracle.sample.find((row) => row[0] === 'guest')!;
    expect(guest[oracle.columns.indexOf('password')]).toBe('');
    const storage = createMemoryStorage();
    await storage.open();
    const { courseid } = await restore(generatedFixture('gen_s_nousers.mbz'), { storage });
    const [instance] = await storage.select('enrol', { courseid, enrol: 'guest' });
    expect(instance).toMatchObject({ password: '', status: 1 });
  });
});
