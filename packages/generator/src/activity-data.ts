/**
 * Per-participant facts that several backup files must agree on — a student's assignment grade
 * appears in `assign.xml`, the activity `grades.xml`, `grade_history.xml` and a `user_graded` log
 * row. They are not stored: each is a pure function of `(seed, activity, student)` computed with
 * the stateless {@link hashInts}, so every writer (and both rendering passes) gets the same value.
 */
import { hashInts } from './prng.ts';
import type { ActivityInfo, CourseModel, UserInfo } from './model-types.ts';

const DAY = 86400;

/** Fraction a student scores on a quiz slot, and the response they gave. */
export interface SlotResult {
  readonly fraction: number;
  /** Index of the chosen answer (truefalse/multichoice) or response text (shortanswer). */
  readonly response: string;
  readonly summary: string;
}

/** The teacher who grades participant `k` of an activity. */
export function graderOf(model: CourseModel, activity: ActivityInfo, k: number): UserInfo {
  const teachers = model.teachers;
  return teachers[Math.floor(hashInts(model.seed, 0x6ade, activity.cmid, k) * teachers.length)] ?? model.admin;
}

/** Assignment grade (integer 0–100) of a student. */
export function assignGrade(model: CourseModel, activity: ActivityInfo, student: number): number {
  return 35 + Math.floor(hashInts(model.seed, 0xa551, activity.cmid, student) * 66);
}

/** Whether a grade was changed once after the first grading (adds a grade-history row). */
export function isRegraded(model: CourseModel, activity: ActivityInfo, student: number): boolean {
  return hashInts(model.seed, 0x4e64, activity.cmid, student) < 0.3;
}

/** Time an activity "opens": spread over the term by its position among activities. */
export function activityOpens(model: CourseModel, activity: ActivityInfo): number {
  const term = model.time.enddate - model.time.startdate;
  return model.time.startdate + Math.floor(hashInts(model.seed, 0x0de5, activity.cmid) * term * 0.8);
}

/** Submission time of participant `k` (within 10 days after the activity opens). */
export function submissionTime(model: CourseModel, activity: ActivityInfo, k: number): number {
  return activityOpens(model, activity) + Math.floor(hashInts(model.seed, 0x5b7, activity.cmid, k) * 10 * DAY);
}

/** Grading time of participant `k` (1–4 days after submission). */
export function gradedTime(model: CourseModel, activity: ActivityInfo, k: number): number {
  return submissionTime(model, activity, k) + DAY + Math.floor(hashInts(model.seed, 0x9ad, activity.cmid, k) * 3 * DAY);
}

/** Start and finish of quiz attempt `k`. */
export function attemptTimes(model: CourseModel, activity: ActivityInfo, k: number): { start: number; finish: number } {
  const start = activityOpens(model, activity) + Math.floor(hashInts(model.seed, 0xa77, activity.cmid, k) * 14 * DAY);
  return { start, finish: start + 300 + Math.floor(hashInts(model.seed, 0xf1a, activity.cmid, k) * 2400) };
}

/** What a student answered on one quiz slot. */
export function slotResult(model: CourseModel, activity: ActivityInfo, student: number, slot: number): SlotResult {
  const question = activity.slots[slot];
  const u = hashInts(model.seed, 0x5107 + slot, activity.cmid, student);
  switch (question?.qtype) {
    case 'shortanswer':
      if (u < 0.55) return { fraction: 1, response: 'frog', summary: 'frog' };
      if (u < 0.8) return { fraction: 0.8, response: 'toad', summary: 'toad' };
      return { fraction: 0, response: 'newt', summary: 'newt' };
    case 'multichoice':
      return u < 0.6 ? { fraction: 1, response: '0', summary: 'One' } : { fraction: 0, response: '1', summary: 'Two' };
    default:
      return u < 0.7
        ? { fraction: 1, response: '1', summary: 'True' }
        : { fraction: 0, response: '0', summary: 'False' };
  }
}

/** Sum of slot fractions (quiz `sumgrades` of the attempt; each slot has mark 1). */
export function attemptSumGrades(model: CourseModel, activity: ActivityInfo, student: number): number {
  let sum = 0;
  for (let s = 0; s < activity.slots.length; s++) sum += slotResult(model, activity, student, s).fraction;
  return Math.round(sum * 100000) / 100000;
}

/** Quiz grade out of the quiz's `grade` (10). */
export function quizGrade(model: CourseModel, activity: ActivityInfo, student: number): number {
  const slots = Math.max(1, activity.slots.length);
  return Math.round((attemptSumGrades(model, activity, student) / slots) * 10 * 100000) / 100000;
}

/** Time a student marked a completion-tracked page done. */
export function completionTime(model: CourseModel, activity: ActivityInfo, k: number): number {
  return activityOpens(model, activity) + Math.floor(hashInts(model.seed, 0xc0de, activity.cmid, k) * 20 * DAY);
}

/** Author of post `r` (0 = first post) of discussion `d` in a forum. */
export function postAuthor(model: CourseModel, activity: ActivityInfo, d: number, r: number): UserInfo {
  const pool = model.students.length > 0 ? model.students : model.teachers;
  return pool[Math.floor(hashInts(model.seed, 0xf0, activity.cmid, d * 64 + r) * pool.length)] ?? model.admin;
}

/** Time of post `r` of discussion `d`. */
export function postTime(model: CourseModel, activity: ActivityInfo, d: number, r: number): number {
  return (
    activityOpens(model, activity) +
    d * 3600 +
    r * 1800 +
    Math.floor(hashInts(model.seed, 0xf1, activity.cmid, d * 64 + r) * 1700)
  );
}

/** Course total (out of the course item's maximum) shown in gradebook.xml. */
export function courseTotal(model: CourseModel, student: number, grademax: number): number {
  return Math.round(grademax * (0.4 + 0.6 * hashInts(model.seed, 0x707a1, student)));
}

/** Formats a number like Moodle's decimal(10,5) columns (`64.00000`). */
export function decimal5(value: number): string {
  return value.toFixed(5);
}

/** Formats a number like Moodle's decimal(12,7) columns (`1.0000000`). */
export function decimal7(value: number): string {
  return value.toFixed(7);
}
