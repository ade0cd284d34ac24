/**
 * Builds the deterministic course model for `(size, seed)`: site and course identity, the
 * timeline, people, question bank, activities, gradebook, files and blocks.
 *
 * Timeline: the course is created at a seeded date in 2023–2024 (00:00 UTC + 9 h); it starts a
 * week later on a midnight, runs 15 weeks, and the backup is taken three days after it ends.
 * Every timestamp in the backup falls between creation and backup time. Nothing reads the clock.
 */
import { createHash } from 'node:crypto';
import { createIdSequences } from './ids.ts';
import { buildActivities } from './model-activities.ts';
import { buildQuestionBank } from './model-questions.ts';
import { buildPeople } from './model-users.ts';
import type { BlockInfo, CourseModel } from './model-types.ts';
import { loremParagraph } from './names.ts';
import { createRng } from './prng.ts';
import { SIZE_TABLE, type BackupSize } from './sizes.ts';

const DAY = 86400;
/** 2023-01-02 00:00:00 UTC: the earliest possible creation day. */
const EPOCH = 1672617600;

/** Builds the model. Same arguments → identical model. */
export function buildCourseModel(size: BackupSize, seed: number): CourseModel {
  const profile = SIZE_TABLE[size];
  const rng = createRng(seed, 'course');
  const ids = createIdSequences(createRng(seed, 'ids'));

  const created = EPOCH + rng.int(0, 600) * DAY + 9 * 3600;
  const startdate = created - (created % DAY) + 7 * DAY;
  const enddate = startdate + 15 * 7 * DAY;
  const backup = enddate + 3 * DAY + rng.int(0, 8 * 3600);

  const courseId = ids.course.next();
  const upper = size.toUpperCase();
  const course = {
    id: courseId,
    contextId: ids.context.next(),
    fullname: `Generated course ${upper} (seed ${seed})`,
    shortname: `GEN_${upper}_${seed}`,
    format: 'topics',
    summary: `<p>Generated test course ${upper}.</p>\n<p>${loremParagraph(rng, 4)}</p>`,
    categoryId: 1,
  };
  const people = buildPeople(seed, profile, ids, created);
  const bank = buildQuestionBank(seed, profile.questions, course.shortname, ids, created);
  const acts = buildActivities({ seed, profile, ids, created, questions: bank.questions });

  const blocks: BlockInfo[] = [
    {
      id: ids.block.next(),
      contextId: ids.context.next(),
      name: 'html',
      weight: 0,
      configdata: htmlBlockConfig(course.fullname),
    },
    { id: ids.block.next(), contextId: ids.context.next(), name: 'online_users', weight: 1, configdata: null },
  ];
  const gradeItems = 1 + acts.activities.filter((a) => a.gradeItem !== undefined).length;
  return {
    size,
    seed,
    profile,
    site: {
      wwwroot: 'https://moodle.example.org',
      siteHash: md5(`mbz-restore-generator-site-${seed}`),
      backupId: md5(`mbz-restore-generator-backup-${size}-${seed}`),
      systemContextId: 1,
    },
    time: { created, startdate, enddate, backup },
    course,
    admin: people.admin,
    students: people.students,
    teachers: people.teachers,
    users: [people.admin, ...people.students, ...people.teachers],
    enrols: people.enrols,
    groups: people.groups,
    groupings: people.groupings,
    sections: acts.sections,
    activities: acts.activities,
    gradebook: {
      categoryId: ids.gradeCategory.next(),
      courseItem: acts.courseItem,
      gradeGradeBase: ids.gradeGrade.take(gradeItems * profile.students),
      historyBase: ids.gradeHistory.take(gradeItems * profile.students * 3),
    },
    questionCategories: bank.categories,
    questions: bank.questions,
    files: acts.activities.flatMap((a) => a.files),
    blobs: acts.blobs,
    blocks,
    idBase: { log: ids.log.peek() },
  };
}

/** `grade_grades` id of student `studentIndex` for the grade item with `ordinal`. */
export function gradeGradeId(model: CourseModel, ordinal: number, studentIndex: number): number {
  return model.gradebook.gradeGradeBase + ordinal * model.profile.students + studentIndex;
}

/** `grade_grades_history` id of row `row` (0–2) for a student and grade item. */
export function gradeHistoryId(model: CourseModel, ordinal: number, studentIndex: number, row: number): number {
  return model.gradebook.historyBase + (ordinal * model.profile.students + studentIndex) * 3 + row;
}

// Internal helpers

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** base64 of a PHP-serialized stdClass with title/format/text, as block_html stores its config. */
function htmlBlockConfig(fullname: string): string {
  const title = 'Welcome';
  const text = `<p>Welcome to ${fullname} &amp; have fun!</p>`;
  const s = (v: string): string => `s:${Buffer.byteLength(v)}:"${v}";`;
  const php = `O:8:"stdClass":3:{${s('title')}${s(title)}${s('format')}s:1:"1";${s('text')}${s(text)}}`;
  return Buffer.from(php, 'utf8').toString('base64');
}
