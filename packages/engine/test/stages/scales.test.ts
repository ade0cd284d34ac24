/**
 * The scales stage: scales.xml and outcomes.xml → scale, grade_outcomes, grade_outcomes_courses
 * (see `packages/engine/src/stages/scales.ts`). The real backups in ../shared hold (almost) no scales
 * or outcomes, so a generated backup is given some, and the store a standard scale and outcome first.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBackup } from '@mbz-restore/generator';
import type { StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { gradebookStage } from '../../src/stages/gradebook.ts';
import { scalesStage } from '../../src/stages/scales.ts';
import { generatedFixture, hasShared } from '@mbz-restore/test-support/shared';
import { ALL_ON, extractBackup, restoreWithStandIns, type HarnessResult } from './support/grade-stages-harness.ts';

describe('scales and outcomes (generated backup, edited; store with a standard scale and outcome)', () => {
  let temp: string;
  let folder: string;
  let storage: StorageAdapter;
  let standardScale: number;
  let standardOutcome: number;
  let first: HarnessResult;
  let second: HarnessResult;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'mbz-scales-'));
    const generated = await generateBackup({ size: 'xs', out: join(temp, 'xs.zip'), container: 'zip' });
    folder = await extractBackup(generated.path);
    await writeFile(join(folder, 'scales.xml'), scalesXml());
    await writeFile(join(folder, 'outcomes.xml'), outcomesXml());
    const assign = (await readdir(join(folder, 'activities'))).find((d) => d.startsWith('assign_'))!;
    const grades = join(folder, 'activities', assign, 'grades.xml');
    // Graded with the scale (grade_item::load_scale() clears the scaleid of an item graded otherwise).
    await writeFile(
      grades,
      (await readFile(grades, 'utf8'))
        .replace('<scaleid>$@NULL@$</scaleid>', '<scaleid>103</scaleid>')
        .replace('<gradetype>1</gradetype>', '<gradetype>2</gradetype>'),
    );

    storage = createMemoryStorage();
    await storage.open();
    const tx = await storage.begin();
    standardScale = await tx.allocateIds('scale', 1);
    standardOutcome = await tx.allocateIds('grade_outcomes', 1);
    await tx.insert('scale', [
      {
        id: standardScale,
        courseid: 0,
        userid: 2,
        name: 'Standard',
        scale: 'Bad,Good',
        description: '',
        descriptionformat: 0,
        timemodified: 0,
      },
    ]);
    await tx.insert('grade_outcomes', [
      {
        id: standardOutcome,
        courseid: null,
        shortname: 'SITEOUT',
        fullname: 'Site outcome',
        scaleid: standardScale,
        descriptionformat: 0,
      },
    ]);
    await tx.commit();

    first = await restoreWithStandIns(folder, ALL_ON, [scalesStage, gradebookStage], storage);
    second = await restoreWithStandIns(folder, ALL_ON, [scalesStage, gradebookStage], storage);
  });

  afterAll(async () => {
    for (const dir of [folder, temp]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('matches a standard scale by its text, creates the others where the backup had them', async () => {
    const site = await storage.select('scale', { courseid: 0 });
    expect(first.ids.get('scale', '101')).toBe(standardScale);
    const created = site.find((s) => s.scale === 'Low,Mid,High')!;
    expect(created).toMatchObject({ courseid: 0, name: 'New site', userid: 2 });
    expect(first.ids.get('scale', '102')).toBe(created.id);
    const [course] = await storage.select('scale', { courseid: first.courseId });
    expect(course).toMatchObject({ scale: 'No,Yes', name: 'Course scale', userid: first.ids.get('user', '58') });
    // A second course scale with the same text maps to the first one (Moodle matches course scales too).
    expect(first.ids.get('scale', '103')).toBe(course!.id);
    expect(first.ids.get('scale', '104')).toBe(course!.id);
  });

  it('matches the standard scales again on a second restore, and gives the new course its own course scale', async () => {
    expect(await storage.count('scale', { courseid: 0 })).toBe(2);
    expect(second.ids.get('scale', '102')).toBe(first.ids.get('scale', '102'));
    const [course] = await storage.select('scale', { courseid: second.courseId });
    expect(second.ids.get('scale', '103')).toBe(course!.id);
    expect(course!.id).not.toBe(first.ids.get('scale', '103'));
  });

  it('matches a site outcome by shortname, creates the others, and links every outcome to the course', async () => {
    expect(first.ids.get('outcome', '201')).toBe(standardOutcome);
    const [newSite] = await storage.select('grade_outcomes', { shortname: 'NEWSITE' });
    expect(newSite).toMatchObject({
      courseid: null,
      scaleid: first.ids.get('scale', '102'),
      usermodified: first.ids.get('user', '58'),
    });
    const courseOutcomes = await storage.select('grade_outcomes', { shortname: 'COURSEOUT' });
    expect(courseOutcomes.map((o) => o.courseid).sort()).toEqual([first.courseId, second.courseId].sort());
    expect(courseOutcomes.find((o) => o.courseid === first.courseId)).toMatchObject({
      scaleid: first.ids.get('scale', '103'),
      usermodified: 2,
    });
    const links = await storage.select('grade_outcomes_courses', { courseid: first.courseId });
    expect(links.map((l) => l.outcomeid).sort()).toEqual(
      [standardOutcome, newSite!.id, courseOutcomes.find((o) => o.courseid === first.courseId)!.id].sort(),
    );
  });

  it('gives grade items the new scale ids', async () => {
    const [item] = await storage.select('grade_items', { courseid: first.courseId, itemmodule: 'assign' });
    expect(item!.scaleid).toBe(first.ids.get('scale', '103'));
  });
});

describe.skipIf(!hasShared())('scales: gen_s_users.mbz has none', () => {
  it('writes no scale or outcome, as Moodle', async () => {
    const run = await restoreWithStandIns(generatedFixture('gen_s_users.mbz'), ALL_ON, [scalesStage]);
    expect(run.counts.scale ?? 0).toBe(0);
    expect(run.counts.grade_outcomes ?? 0).toBe(0);
  });
});

// Internal helpers

function scalesXml(): string {
  const scale = (id: string, courseid: string, userid: string, name: string, text: string) =>
    `<scale id="${id}"><courseid>${courseid}</courseid><userid>${userid}</userid><name>${name}</name><scale>${text}</scale>` +
    '<description></description><descriptionformat>1</descriptionformat><timemodified>1712307630</timemodified></scale>';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<scales_definition>' +
    scale('101', '0', '58', 'Standard copy', 'Bad,Good') +
    scale('102', '0', '999999', 'New site', 'Low,Mid,High') +
    scale('103', '283', '58', 'Course scale', 'No,Yes') +
    scale('104', '283', '58', 'Course scale again', 'No,Yes') +
    '</scales_definition>'
  );
}

function outcomesXml(): string {
  const outcome = (id: string, courseid: string, shortname: string, scaleid: string, usermodified: string) =>
    `<outcome id="${id}"><courseid>${courseid}</courseid><userid>$@NULL@$</userid><shortname>${shortname}</shortname>` +
    `<fullname>${shortname} outcome</fullname><scaleid>${scaleid}</scaleid><description></description><descriptionformat>1</descriptionformat>` +
    `<timecreated>1712307630</timecreated><timemodified>1712307630</timemodified><usermodified>${usermodified}</usermodified></outcome>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<outcomes_definition>' +
    outcome('201', '$@NULL@$', 'SITEOUT', '101', '58') +
    outcome('202', '$@NULL@$', 'NEWSITE', '102', '58') +
    outcome('203', '283', 'COURSEOUT', '103', '999999') +
    '</outcomes_definition>'
  );
}
