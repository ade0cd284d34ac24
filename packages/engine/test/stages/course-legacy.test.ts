/**
 * The course row and course-level format options of older backups, as Moodle 4.3's
 * `restore_course_structure_step::process_course()` writes them: the `showactivitydates` /
 * `showcompletionconditions` site defaults for backups without those fields (< 3.11), the format options
 * `update_course_format_options($data)` derives from course.xml's flat fields, and the weeks format's automatic end
 * date (`format_weeks::update_end_date()` on `course_section_created`). Real backups of ../shared.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore, type Row, type StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { extractBackup } from './support/grade-stages-harness.ts';

/** Moodle 2.6, weeks format, ZIP. */
const WEEKS_26 = 'hrsq1__admin-tool-uploadcourse-tests-fixtures-backup.mbz';
/** Moodle 3.2, topics format, tar.gz. */
const TOPICS_32 = 'hrsq1__backup-controller-tests-fixtures-deadlock.mbz';
/** Moodle 4.0, topics, with showactivitydates and a courseformatoptions list. */
const ADVGRADE_40 = 'report_advancedgrading__tests-fixtures-backup-advgrade.mbz';
/** Moodle 3.11, format_tiles (not a core format). */
const TILES_311 = 'format_tiles__tests-fixtures-mbz-moodle-311-sample.mbz';
const WEEK = 7 * 24 * 3600;

async function restored(path: string): Promise<{ storage: StorageAdapter; course: Row; options: Row[] }> {
  const storage = createMemoryStorage();
  await storage.open();
  const result = await restore(path, { storage });
  const [course] = await storage.select('course', { id: result.courseid });
  const options = await storage.select('course_format_options', { courseid: result.courseid, sectionid: 0 });
  return { storage, course: course!, options };
}

/** `<name>` of the first `<course>` level: value, `null` for `$@NULL@$`, undefined when absent. */
function courseField(xml: string, name: string): string | null | undefined {
  const head = xml.slice(0, xml.search(/<(category|tags|courseformatoptions)\b/) >>> 0);
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(head);
  return m ? (m[1] === '$@NULL@$' ? null : m[1]) : undefined;
}

function optionMap(options: Row[]): Record<string, string> {
  return Object.fromEntries(options.map((o) => [`${String(o.format)}/${String(o.name)}`, String(o.value)]));
}

describe.skipIf(!hasShared())('course stage: backups older than 3.11', () => {
  let weeks: string;
  let topics: string;
  beforeAll(async () => {
    weeks = await extractBackup(mbzFixture(WEEKS_26));
    topics = await extractBackup(mbzFixture(TOPICS_32));
  });
  afterAll(async () => {
    await rm(weeks, { recursive: true, force: true });
    await rm(topics, { recursive: true, force: true });
  });

  it('the fixtures are what the tests say (release, format, no 3.11 fields)', async () => {
    const manifest = new Map(readManifest().map((e) => [e.file, e]));
    expect(manifest.get(WEEKS_26)).toMatchObject({ backup_release: '2.6', archive: 'zip' });
    expect(manifest.get(TOPICS_32)).toMatchObject({ backup_release: '3.2', archive: 'tar.gz' });
    for (const folder of [weeks, topics]) {
      const xml = await readFile(join(folder, 'course/course.xml'), 'utf8');
      expect(courseField(xml, 'showactivitydates')).toBeUndefined();
      expect(courseField(xml, 'showcompletionconditions')).toBeUndefined();
    }
  });

  it('showactivitydates and showcompletionconditions take the site defaults (1) when the backup has none', async () => {
    for (const folder of [weeks, topics]) {
      const { course } = await restored(folder);
      expect(course.showactivitydates).toBe(1);
      expect(course.showcompletionconditions).toBe(1);
    }
  });

  it('weeks (2.6): hiddensections/coursedisplay from course.xml, automaticenddate 1, end date = start + last section in weeks', async () => {
    const xml = await readFile(join(weeks, 'course/course.xml'), 'utf8');
    expect(courseField(xml, 'format')).toBe('weeks');
    const { storage, course, options } = await restored(weeks);
    expect(optionMap(options)).toEqual({
      'weeks/automaticenddate': '1',
      'weeks/coursedisplay': String(Number(courseField(xml, 'coursedisplay'))),
      'weeks/hiddensections': String(Number(courseField(xml, 'hiddensections') ?? 0)),
    });
    // The highest section number of the backup, read from its section.xml files.
    const moodleBackup = await readFile(join(weeks, 'moodle_backup.xml'), 'utf8');
    const dirs = [...moodleBackup.matchAll(/<directory>(sections\/section_\d+)<\/directory>/g)].map((m) => m[1]!);
    let last = 0;
    for (const dir of dirs) {
      const section = await readFile(join(weeks, dir, 'section.xml'), 'utf8');
      last = Math.max(last, Number(/<number>(\d+)<\/number>/.exec(section)![1]));
    }
    expect(last).toBeGreaterThan(0);
    expect(course.startdate).toBe(Number(courseField(xml, 'startdate')));
    expect(course.enddate).toBe(Number(courseField(xml, 'startdate')) + last * WEEK);
    expect(await storage.count('course_sections', { course: course.id as number })).toBe(last + 1);
  });

  it("topics (3.2): exactly coursedisplay and hiddensections, and the end date is the backup's", async () => {
    const xml = await readFile(join(topics, 'course/course.xml'), 'utf8');
    expect(courseField(xml, 'format')).toBe('topics');
    const { course, options } = await restored(topics);
    expect(optionMap(options)).toEqual({
      'topics/coursedisplay': String(Number(courseField(xml, 'coursedisplay') ?? 0)),
      'topics/hiddensections': String(Number(courseField(xml, 'hiddensections') ?? 0)),
    });
    expect(course.enddate).toBe(Number(courseField(xml, 'enddate') ?? 0));
  });

  it('a weeks course with automaticenddate 0 keeps its end date; explicit 0 display flags are kept', async () => {
    const folder = await extractBackup(mbzFixture(WEEKS_26));
    try {
      const path = join(folder, 'course/course.xml');
      const xml = await readFile(path, 'utf8');
      await writeFile(
        path,
        xml.replace(
          '<coursedisplay>',
          '<automaticenddate>0</automaticenddate><enddate>1380000000</enddate><showactivitydates>0</showactivitydates><showcompletionconditions>0</showcompletionconditions><coursedisplay>',
        ),
      );
      const { course, options } = await restored(folder);
      expect(optionMap(options)['weeks/automaticenddate']).toBe('0');
      expect(course.enddate).toBe(1380000000);
      expect(course.showactivitydates).toBe(0);
      expect(course.showcompletionconditions).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a select option outside its choices takes the default; a NULL hiddensections becomes 0', async () => {
    const folder = await extractBackup(mbzFixture(TOPICS_32));
    try {
      const path = join(folder, 'course/course.xml');
      const xml = await readFile(path, 'utf8');
      await writeFile(
        path,
        xml
          .replace(/<coursedisplay>[^<]*<\/coursedisplay>/, '<coursedisplay>7</coursedisplay>')
          .replace(/<hiddensections>[^<]*<\/hiddensections>/, '<hiddensections>$@NULL@$</hiddensections>'),
      );
      const { options } = await restored(folder);
      expect(optionMap(options)).toEqual({ 'topics/coursedisplay': '0', 'topics/hiddensections': '0' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasShared())('course stage: 3.11+ backups', () => {
  it("4.0: the backup's showactivitydates/showcompletionconditions and its courseformatoptions win", async () => {
    const { course, options } = await restored(mbzFixture(ADVGRADE_40));
    const folder = await extractBackup(mbzFixture(ADVGRADE_40));
    try {
      const xml = await readFile(join(folder, 'course/course.xml'), 'utf8');
      expect(course.showactivitydates).toBe(Number(courseField(xml, 'showactivitydates')));
      expect(course.showcompletionconditions).toBe(Number(courseField(xml, 'showcompletionconditions')));
      const listed = [
        ...xml.matchAll(
          /<courseformatoption>\s*<format>([^<]*)<\/format>\s*<sectionid>0<\/sectionid>\s*<name>([^<]*)<\/name>\s*<value>([^<]*)<\/value>/g,
        ),
      ];
      expect(listed.length).toBeGreaterThan(0);
      expect(optionMap(options)).toEqual(Object.fromEntries(listed.map((m) => [`${m[1]}/${m[2]}`, m[3]])));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('an activity backup (no course.xml) runs no process_course(): no format options, column defaults', async () => {
    const file = 'hrsq1__mod-quiz-tests-fixtures-moodle_311_quiz.mbz';
    expect(readManifest().find((e) => e.file === file)).toMatchObject({ type: 'activity' });
    const { course, options } = await restored(mbzFixture(file));
    expect(options).toEqual([]);
    expect(course.showactivitydates).toBe(0);
    expect(course.showcompletionconditions).toBeNull();
  });

  it("a format that is not a core format gets the default format's (topics) options; the course keeps its format", async () => {
    const { course, options } = await restored(mbzFixture(TILES_311));
    expect(course.format).toBe('tiles');
    const topics = options
      .filter((o) => o.format === 'topics')
      .map((o) => o.name)
      .sort();
    expect(topics).toEqual(['coursedisplay', 'hiddensections']);
  });
});
