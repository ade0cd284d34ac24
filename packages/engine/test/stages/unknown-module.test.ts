/**
 * An activity whose module the target cannot hold (here `customcert`) is kept as its raw records in
 * `mbz_module_records`, with an `unknown-module` warning, and no `course_modules` row; known modules are untouched.
 */
import { describe, expect, it } from 'vitest';
import { hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { readEntries, restoreFresh } from './support/course-structure.ts';

const FILE = 'mod_customcert__tests-fixtures-backup-moodle2-elements-v1-20260214-1413.mbz';

/** Elements with an `id` attribute, counted with a regex over the raw XML. */
function idElements(xml: string): number {
  return (xml.match(/<[A-Za-z_][\w.-]*\s[^>]*?\bid="/g) ?? []).length;
}

describe.skipIf(!hasShared())('unknown module kept as raw records', () => {
  it('customcert with userinfo: one row per element with an id, plus module.xml; known modules as before', async () => {
    const backup = mbzFixture(FILE);
    const texts = await readEntries(backup, /^activities\/customcert_\d+\/(customcert|module)\.xml$/);
    const [entry, xml] = [...texts].find(([name]) => name.endsWith('/customcert.xml'))!;
    const expected = idElements(xml) + 1;
    expect(expected).toBeGreaterThan(2);

    const { storage, result } = await restoreFresh(backup, { users: 1 });
    const rows = await storage.select('mbz_module_records');
    expect(rows).toHaveLength(expected);
    expect(rows.filter((r) => r.path === '/module')).toHaveLength(1);
    expect(rows.filter((r) => r.entry === entry)).toHaveLength(expected - 1);
    for (const r of rows) {
      expect(r).toMatchObject({ courseid: result.courseid, modulename: 'customcert' });
      expect(Number(r.oldid)).toBeGreaterThan(0);
      expect(() => JSON.parse(String(r.data))).not.toThrow();
    }
    const instance = rows.find((r) => r.path === '/activity/customcert')!;
    expect(JSON.parse(String(instance.data))).toMatchObject({ name: 'Custom certificate' });
    const sections = new Set(
      (await storage.select('course_sections', { course: result.courseid })).map((s) => Number(s.id)),
    );
    expect(sections.has(Number(rows[0]!.sectionid))).toBe(true);

    const warnings = result.warnings.filter((w) => w.code === 'unknown-module');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(`mdl_mbz_module_records (${expected} rows)`);

    const manifest = readManifest().find((e) => e.file === FILE)!;
    const known = Object.entries(manifest.counts!.modules).filter(([name]) => name !== 'customcert');
    const cms = await storage.select('course_modules', { course: result.courseid });
    expect(cms).toHaveLength(known.reduce((n, [, c]) => n + c, 0));
    for (const [name, count] of known) expect(await storage.count(name), name).toBe(count);
  }, 60_000);

  it('without user data only /activity/<mod> and module.xml are kept', async () => {
    const { storage, result } = await restoreFresh(mbzFixture(FILE), { users: 0 });
    const rows = await storage.select('mbz_module_records');
    expect(rows.map((r) => r.path).sort()).toEqual(['/activity/customcert', '/module']);
    expect(result.warnings.filter((w) => w.code === 'unknown-module')).toHaveLength(1);
  }, 60_000);
});
