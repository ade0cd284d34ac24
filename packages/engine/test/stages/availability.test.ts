/**
 * Availability JSON as Moodle 4.3 writes it on restore (`stages/activities/availability.ts`):
 * - the pre-2.7 fixture of Moodle's own `test_restore_legacy_availability` (backup/moodle2/tests/moodle2_test.php)
 *   gives, condition by condition, the exact text Moodle's test expects (profile conditions after the dates, then
 *   grade and completion conditions; `75.00000` written `75`);
 * - the 4.3 backup of ../shared/fixtures/generated re-serialised in `tree::save()` key order;
 * - `info::update_after_restore()` rules (unmapped ids, same course, groups setting, date offset, lax decoding,
 *   PHP's json_encode escaping) on the engine's function with a minimal restore context.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import type { RestoreContext } from '../../src/pipeline/context.ts';
import { remapAvailability, type CourseItems } from '../../src/stages/activities/availability.ts';
import { generatedFixture, hasShared, mbzFixture } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';

async function restoreIntoMemory(file: string) {
  const storage = createMemoryStorage();
  await storage.open();
  const result = await restore(file, { storage, options: { users: 1, groups: 1 } });
  const modules = new Map((await storage.select('modules')).map((m) => [Number(m.id), String(m.name)]));
  const cms = (await storage.select('course_modules', { course: result.courseid })).sort(
    (a, b) => Number(a.id) - Number(b.id),
  );
  const byType = (name: string) => cms.filter((cm) => modules.get(Number(cm.module)) === name);
  const sections = new Map(
    (await storage.select('course_sections', { course: result.courseid })).map((s) => [Number(s.section), s]),
  );
  return { storage, result, cms, byType, sections };
}

describe.skipIf(!hasShared())('availability after restore, as Moodle writes it', () => {
  it("converts a 2.6 backup exactly as Moodle's test_restore_legacy_availability expects", async () => {
    const { storage, result, byType, sections } = await restoreIntoMemory(
      mbzFixture('hrsq1__backup-moodle2-tests-fixtures-availability_26_format.mbz'),
    );
    // Moodle's test: $pages = array_values(get_instances_of('page')) (by instance), same for forums and quizzes.
    const pages = byType('page').sort((a, b) => Number(a.instance) - Number(b.instance));
    const [quiz] = byType('quiz');
    const [forum] = byType('forum');
    const items = await storage.select('grade_items', { courseid: result.courseid });
    const gradeid = Number(
      items.find((i) => i.itemmodule === 'quiz' && Number(i.iteminstance) === Number(quiz!.instance))!.id,
    );
    const coursegrade = Number(items.find((i) => i.itemtype === 'course')!.id);
    const [grouping] = await storage.select('groupings', { courseid: result.courseid });
    const page0 = Number(pages[0]!.id);
    const quiz0 = Number(quiz!.id);
    const g = Number(grouping!.id);
    const expected: Array<string | null> = [
      null,
      '{"op":"&","showc":[true],"c":[{"type":"date","d":">=","t":1893456000}]}',
      '{"op":"&","showc":[false],"c":[{"type":"date","d":"<","t":1393977600}]}',
      '{"op":"&","showc":[true,false],"c":[{"type":"date","d":">=","t":1449705600},{"type":"date","d":"<","t":1893456000}]}',
      `{"op":"&","showc":[true],"c":[{"type":"grade","id":${gradeid},"min":75}]}`,
      `{"op":"&","showc":[true],"c":[{"type":"grade","id":${gradeid},"max":25}]}`,
      `{"op":"&","showc":[true],"c":[{"type":"grade","id":${gradeid},"min":90,"max":100}]}`,
      '{"op":"&","showc":[true],"c":[{"type":"profile","op":"contains","sf":"email","v":"frog"}]}',
      `{"op":"&","showc":[true],"c":[{"type":"completion","cm":${page0},"e":1}]}`,
      `{"op":"&","showc":[true],"c":[{"type":"completion","cm":${quiz0},"e":3}]}`,
      `{"op":"&","showc":[true],"c":[{"type":"completion","cm":${quiz0},"e":2}]}`,
      `{"op":"&","showc":[true],"c":[{"type":"completion","cm":${quiz0},"e":0}]}`,
      `{"op":"&","showc":[false],"c":[{"type":"grouping","id":${g}}]}`,
      '{"op":"&","showc":[false,true,false,true,true,true,true,true,true],"c":[' +
        `{"type":"grouping","id":${g}},{"type":"date","d":">=","t":1488585600},{"type":"date","d":"<","t":1709510400},` +
        '{"type":"profile","op":"contains","sf":"email","v":"@"},{"type":"profile","op":"contains","sf":"city","v":"Frogtown"},' +
        `{"type":"grade","id":${gradeid},"min":30,"max":35},{"type":"grade","id":${coursegrade},"min":5,"max":10},` +
        `{"type":"completion","cm":${page0},"e":1},{"type":"completion","cm":${quiz0},"e":0}]}`,
    ];
    expect(pages.map((p) => p.availability ?? null)).toEqual(expected);
    expect(forum!.availability).toBe('{"op":"&","showc":[false],"c":[{"type":"group"}]}');
    expect(sections.get(3)!.availability).toBe(
      '{"op":"&","showc":[false,false,false,false],"c":[{"type":"date","d":">=","t":1417737600},' +
        `{"type":"profile","op":"contains","sf":"email","v":"@"},{"type":"grade","id":${gradeid},"min":20},{"type":"completion","cm":${page0},"e":1}]}`,
    );
    expect(sections.get(4)!.availability).toBe(`{"op":"&","showc":[false],"c":[{"type":"grouping","id":${g}}]}`);
    expect(sections.get(2)!.availability ?? null).toBeNull();
  }, 60_000);

  it("re-serialises a 4.3 backup's JSON in tree::save() order with restored ids", async () => {
    const { storage, result, cms, sections } = await restoreIntoMemory(generatedFixture('gen_allmods_users.mbz'));
    const pages = await storage.select('page', { course: result.courseid });
    const welcome = pages.find((p) => p.name === 'Welcome page')!;
    const pageModule = (await storage.select('modules', { name: 'page' }))[0]!;
    const welcomeCm = cms.find(
      (cm) => Number(cm.module) === Number(pageModule.id) && Number(cm.instance) === Number(welcome.id),
    )!;
    const restricted = pages.find((p) => p.name === 'Restricted page')!;
    const restrictedCm = cms.find(
      (cm) => Number(cm.module) === Number(pageModule.id) && Number(cm.instance) === Number(restricted.id),
    )!;
    // Backup: {"op":"&","c":[{"type":"completion","cm":2,"e":1}],"showc":[true]}
    expect(restrictedCm.availability).toBe(
      `{"op":"&","showc":[true],"c":[{"type":"completion","cm":${Number(welcomeCm.id)},"e":1}]}`,
    );
    // Backup: {"op":"|","c":[{"type":"group","id":1}],"show":true}
    const groups = await storage.select('groups', { courseid: result.courseid });
    const [groupA] = groups.sort((a, b) => Number(a.id) - Number(b.id));
    expect(sections.get(6)!.availability).toBe(
      `{"op":"|","show":true,"c":[{"type":"group","id":${Number(groupA!.id)}}]}`,
    );
    expect(cms.filter((cm) => cm.availability !== null && cm.availability !== undefined)).toHaveLength(1);
  }, 60_000);
});

describe.skipIf(!hasShared())('availability of a disabled module', () => {
  it('is left as the backup has it (bigbluebuttonbn is disabled on a fresh 4.3 site: "Module not fully restored")', async () => {
    const folder = await extractBackup(generatedFixture('gen_allmods_users.mbz'));
    try {
      const json = '{"op":"&","c":[{"type":"completion","cm":2,"e":1}],"showc":[true]}';
      const moduleXml = (await readdir(join(folder, 'activities'))).find((d) => d.startsWith('bigbluebuttonbn_'))!;
      const file = join(folder, 'activities', moduleXml, 'module.xml');
      const before = await readFile(file, 'utf8');
      await writeFile(
        file,
        before.replace(
          '<availability>$@NULL@$</availability>',
          `<availability>${json.replace(/&/g, '&amp;')}</availability>`,
        ),
      );
      const { storage, result, byType } = await restoreIntoMemory(folder);
      const [bbbModule] = await storage.select('modules', { name: 'bigbluebuttonbn' });
      expect(bbbModule!.visible).toBe(0);
      const [bbb] = byType('bigbluebuttonbn');
      expect(bbb!.availability).toBe(json);
      // The same JSON on an enabled module is rewritten (the page of the fixture).
      const restricted = byType('page').find((cm) => typeof cm.availability === 'string')!;
      expect(restricted.availability).not.toBe(json);
      expect(result.courseid).toBeGreaterThan(1);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('info::update_after_restore() rules', () => {
  const ids: Record<string, Record<number, number>> = {
    course_module: { 10: 110, 11: 111 },
    grade_item: { 20: 120 },
    group: { 30: 130 },
    grouping: { 40: 140 },
  };
  const fakeCtx = (options: { groups?: number; dateOffset?: number } = {}) => {
    const warnings: string[] = [];
    const ctx = {
      ids: { get: (item: string, old: number | string) => ids[item]?.[Number(old)] },
      settings: { root: (name: string) => (name === 'groups' ? (options.groups ?? 1) : 1) },
      state: { dateOffset: options.dateOffset ?? 0 },
      warn: (code: string) => warnings.push(code),
    } as unknown as RestoreContext;
    return { ctx, warnings };
  };
  const none: CourseItems = {
    course_modules: new Set(),
    grade_items: new Set(),
    groups: new Set(),
    groupings: new Set(),
  };

  it('maps ids, marks unmapped ones (0 for modules and grade items, -1 for groups and groupings) and keeps ids of the course itself', () => {
    const { ctx } = fakeCtx();
    const unmapped: string[] = [];
    const json =
      '{"op":"|","show":false,"c":[{"type":"completion","cm":10,"e":1},{"type":"completion","cm":99,"e":1},' +
      '{"type":"grade","id":20,"min":4,"max":94},{"type":"grade","id":98,"min":4,"max":94},{"type":"grouping","id":40},' +
      '{"type":"grouping","id":97},{"type":"group","id":30},{"type":"group"},{"type":"group","id":96},{"type":"completion","cm":-1,"e":1}]}';
    expect(remapAvailability(ctx, json, (kind, id) => unmapped.push(`${kind} ${id}`), none)).toBe(
      '{"op":"|","show":false,"c":[{"type":"completion","cm":110,"e":1},{"type":"completion","cm":0,"e":1},' +
        '{"type":"grade","id":120,"min":4,"max":94},{"type":"grade","id":0,"min":4,"max":94},{"type":"grouping","id":140},' +
        '{"type":"grouping","id":-1},{"type":"group","id":130},{"type":"group"},{"type":"group","id":-1},{"type":"completion","cm":-1,"e":1}]}',
    );
    expect(unmapped).toEqual(['activity 99', 'grade item 98', 'grouping 97', 'group 96']);
    // An unmapped id that names an item of the target course is kept (test_duplicate_availability).
    const same: CourseItems = { ...none, course_modules: new Set([99]), grade_items: new Set([98]) };
    expect(
      remapAvailability(
        ctx,
        '{"op":"&","showc":[true,true],"c":[{"type":"completion","cm":99,"e":1},{"type":"grade","id":98}]}',
        () => {},
        same,
      ),
    ).toBeUndefined();
  });

  it('keeps unchanged text byte for byte, and drops unknown condition types only when it rewrites', () => {
    const { ctx } = fakeCtx();
    const profileOnly = '{"op":"&","c":[{"type":"profile","sf":"email","op":"contains","v":"a/b"}],"showc":[true]}';
    expect(remapAvailability(ctx, profileOnly, () => {}, none)).toBeUndefined();
    expect(remapAvailability(ctx, '{"op":"&","c":[],"showc":[]}', () => {}, none)).toBeUndefined();
    const mixed =
      '{"op":"&","c":[{"type":"xyz","a":1},{"type":"profile","sf":"city","op":"isequalto","v":"Zürich/Ost"},{"type":"completion","cm":11,"e":1}],"showc":[false,true,true]}';
    expect(remapAvailability(ctx, mixed, () => {}, none)).toBe(
      '{"op":"&","showc":[true,true],"c":[{"type":"profile","op":"isequalto","sf":"city","v":"Z\\u00fcrich\\/Ost"},{"type":"completion","cm":111,"e":1}]}',
    );
  });

  it('shifts dates by the offset (nested trees too) and writes floats as PHP does', () => {
    const { ctx } = fakeCtx({ dateOffset: 100 });
    const json =
      '{"op":"&","showc":[true,true],"c":[{"op":"&","c":[{"type":"date","d":">=","t":1000}]},{"type":"grade","id":20,"min":7.00000,"max":50.5}]}';
    expect(remapAvailability(ctx, json, () => {}, none)).toBe(
      '{"op":"&","showc":[true,true],"c":[{"op":"&","c":[{"type":"date","d":">=","t":1100}]},{"type":"grade","id":120,"min":7,"max":50.5}]}',
    );
    expect(
      remapAvailability(
        fakeCtx().ctx,
        '{"op":"&","showc":[true],"c":[{"type":"date","d":">=","t":1000}]}',
        () => {},
        none,
      ),
    ).toBeUndefined();
  });

  it('removes group and grouping conditions without the groups setting; an emptied tree becomes NULL', () => {
    const { ctx } = fakeCtx({ groups: 0 });
    expect(
      remapAvailability(
        ctx,
        '{"op":"&","showc":[false,true],"c":[{"type":"group","id":30},{"type":"completion","cm":10,"e":1}]}',
        () => {},
        none,
      ),
    ).toBe('{"op":"&","showc":[true],"c":[{"type":"completion","cm":110,"e":1}]}');
    expect(
      remapAvailability(ctx, '{"op":"|","show":true,"c":[{"type":"grouping","id":40}]}', () => {}, none),
    ).toBeNull();
    // Without an id (any group / the activity's grouping) the condition stays.
    expect(remapAvailability(ctx, '{"op":"&","showc":[false],"c":[{"type":"group"}]}', () => {}, none)).toBeUndefined();
  });

  it('keeps text Moodle could not decode, with a warning', () => {
    const { ctx, warnings } = fakeCtx();
    expect(
      remapAvailability(ctx, '{"op":"&","c":[{"type":"completion","cm":10,"e":1}]}', () => {}, none),
    ).toBeUndefined();
    expect(remapAvailability(ctx, 'not json', () => {}, none)).toBeUndefined();
    expect(warnings).toEqual(['availability-invalid', 'availability-invalid']);
  });
});
