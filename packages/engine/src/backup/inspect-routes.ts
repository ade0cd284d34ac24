/**
 * Which backup entries inspection reads, and what it counts in each: a table from entry name to
 * record paths, so adding a count is one line. Paths follow `../shared/docs/moodle-backup-format.md` §3.
 */
import type { ArchiveEntry } from '../archive/archive-reader.ts';
import { ErrorCode, MbzError } from '../errors.ts';
import type { BackupCounts } from './counts.ts';

/** A count key of {@link BackupCounts} that is summed from XML records. */
type RecordCountKey = Exclude<
  keyof BackupCounts,
  'sections' | 'activities' | 'modules' | 'blobs' | 'blocks' | 'files' | 'filesNonDir' | 'logEntries'
>;

/** An entry whose records are counted: absolute record path → the count it adds to. */
export interface CountRoute {
  kind: 'count';
  paths: Record<string, RecordCountKey>;
}

/** How inspection treats one entry. */
export type Route =
  | CountRoute
  | { kind: 'manifest' }
  | { kind: 'files' }
  | { kind: 'block' }
  | { kind: 'blob'; hash: string };

const QUESTION_CATEGORY = '/question_categories/question_category';

/** Entry-name patterns and what they count, checked in order. */
const COUNT_ROUTES: ReadonlyArray<[RegExp, CountRoute['paths']]> = [
  [/^users\.xml$/, { '/users/user': 'users' }],
  [
    /^questions\.xml$/,
    {
      [QUESTION_CATEGORY]: 'questionCategories',
      // Before Moodle 4.0 questions sit directly in their category; from 4.0 inside bank entries and versions.
      [`${QUESTION_CATEGORY}/questions/question`]: 'questions',
      [`${QUESTION_CATEGORY}/question_bank_entries/question_bank_entry/question_version/question_versions/questions/question`]:
        'questions',
    },
  ],
  [/(^|\/)logs\.xml$/, { '/logs/log': 'logEntriesLegacy' }],
  [
    /(^|\/)logstores\.xml$/,
    { '/logstores/logstore/subplugin_logstore_standard_logstore/logstore_standard_log': 'logEntriesLogstore' },
  ],
  [/(^|\/)grade_history\.xml$/, { '/grade_history/grade_grades/grade_grade': 'gradeHistoryEntries' }],
  [/^gradebook\.xml$/, { '/gradebook/grade_items/grade_item/grade_grades/grade_grade': 'gradeGrades' }],
  [
    /^activities\/[^/]+\/grades\.xml$/,
    { '/activity_gradebook/grade_items/grade_item/grade_grades/grade_grade': 'gradeGrades' },
  ],
  [/^groups\.xml$/, { '/groups/group': 'groups' }],
  [/^course\/enrolments\.xml$/, { '/enrolments/enrols/enrol/user_enrolments/enrolment': 'userEnrolments' }],
  [/(^|\/)comments\.xml$/, { '/comments/comment': 'comments' }],
];

/** How to treat the entry with this (normalised) name; `undefined` = not read. */
export function routeEntry(name: string): Route | undefined {
  if (name === 'moodle_backup.xml') return { kind: 'manifest' };
  if (name === 'files.xml') return { kind: 'files' };
  if (name.startsWith('files/')) return { kind: 'blob', hash: name.slice(name.lastIndexOf('/') + 1) };
  if (/(^|\/)blocks\/[^/]+\/block\.xml$/.test(name)) return { kind: 'block' };
  for (const [pattern, paths] of COUNT_ROUTES) if (pattern.test(name)) return { kind: 'count', paths };
  return undefined;
}

/** Largest moodle_backup.xml read whole (real ones are KBs to a few MB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Reads moodle_backup.xml into memory, refusing one over {@link MAX_MANIFEST_BYTES}. */
export async function readManifestBytes(entry: ArchiveEntry): Promise<Buffer> {
  const stream = entry.open();
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > MAX_MANIFEST_BYTES) {
      stream.destroy();
      throw new MbzError(
        ErrorCode.XmlRecordTooLarge,
        `moodle_backup.xml is over ${MAX_MANIFEST_BYTES / 1024 ** 2} MiB; a real one is a few MB at most.`,
        { context: { entry: entry.name } },
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
