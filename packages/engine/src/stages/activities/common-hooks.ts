/**
 * Behaviour several modules share, keyed by table, which the specs describe in `notes` (read from each
 * `restore_<mod>_stepslib.php`):
 * - renamed XML fields (`gradeval` → `grade`, `attemptnum` → `attempt`, `alias_text` → `alias` …);
 * - scales stored as negative ids (`forum.scale`, `assign.grade` … `-(scale mapping of |value|)`, 0 when unmapped);
 * - ratings (`process_<mod>_rating()`): `contextid` = the new module context, `rating` = the XML `value`,
 *   empty component/ratingarea defaulted;
 * - question usages (`restore_question_usage_worker()`): `contextid` = the new module context;
 * - feedback answers: `courseid` / `course_id` kept only on a same-site restore, else 0;
 * - overrides (`process_<mod>_override()`): user overrides only with userinfo, assign group overrides only with
 *   the `groups` setting, quiz/lesson overrides skipped when neither user nor group remains after mapping.
 */
import { num } from '../support.ts';
import type { RecordEvent } from './module-run.ts';

/** XML field → column, per table. */
const RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  quiz_grades: { gradeval: 'grade' },
  quiz_attempts: { attemptnum: 'attempt' },
  rating: { value: 'rating' },
  glossary_alias: { alias_text: 'alias' },
  chat_messages: { message_text: 'message', system: 'issystem' },
  lesson_answers: { answer_text: 'answer' },
};

/** Columns holding a scale as a negative id, per table. */
const NEGATIVE_SCALES: Readonly<Record<string, string>> = {
  assign: 'grade',
  data: 'scale',
  forum: 'scale',
  glossary: 'scale',
  workshopform_accumulative: 'grade',
  rating: 'scaleid',
};

/** Default rating area per module, when a (very old) rating has none. */
const RATING_AREAS: Readonly<Record<string, string>> = { forum: 'post', glossary: 'entry', data: 'entry' };

/** Applies the shared behaviour; `false` skips the record. */
export function commonPrepare(event: RecordEvent): boolean {
  const { run, spec, record, row } = event;
  const table = spec.table;
  for (const [field, column] of Object.entries(RENAMES[table] ?? {})) {
    if (record.data[field] !== undefined && (row[column] === undefined || row[column] === null || row[column] === '')) {
      row[column] = record.data[field];
    }
  }
  const scaleColumn = NEGATIVE_SCALES[table];
  if (scaleColumn !== undefined && num(row[scaleColumn]) < 0) {
    const scale = run.ctx.ids.get('scale', -num(row[scaleColumn]));
    row[scaleColumn] = scale === undefined ? 0 : -scale;
  }
  if (table === 'rating') {
    row.contextid = run.contextId;
    if (!row.component) row.component = run.spec.component;
    if (!row.ratingarea) row.ratingarea = RATING_AREAS[run.spec.name] ?? 'entry';
  }
  if (table === 'question_usages') row.contextid = run.contextId;
  // Feedback answers keep the course they were given in only on the same site (else 0).
  if (table === 'feedback_completed' && !run.ctx.state.sameSite) row.courseid = 0;
  if (table === 'feedback_value' && !run.ctx.state.sameSite) row.course_id = 0;
  if (table.endsWith('_overrides')) return keepOverride(event);
  return true;
}

// Internal helpers

function keepOverride({ run, spec, record, row }: RecordEvent): boolean {
  const userSet = record.data.userid !== undefined && record.data.userid !== null;
  const groupSet = record.data.groupid !== undefined && record.data.groupid !== null;
  if (userSet && !run.userinfo) return false;
  if (spec.table === 'assign_overrides') return !(groupSet && run.ctx.settings.root('groups') === 0);
  return num(row.userid) !== 0 || num(row.groupid) !== 0;
}
