/**
 * The layout of questions.xml and how its records are read. Both layouts are read, as
 * `restore_questions_parser_processor` does (`CATEGORY_PATH`, `QUESTION_SUBPATH`, `LEGACY_QUESTION_SUBPATH`):
 * Moodle 4.0+ nests each question in a bank entry and a version; older backups list questions directly under
 * their category. A question is read as one record with its whole subtree (hints, tags, qtype plugin data),
 * like Moodle's grouped question path, so memory is bounded by the largest question.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject, XmlRecord } from '../../xml/types.ts';
import { num, text } from '../support.ts';

export const QUESTIONS_XML = 'questions.xml';
export const CATEGORY_PATH = '/question_categories/question_category';
export const ENTRY_PATH = `${CATEGORY_PATH}/question_bank_entries/question_bank_entry`;
export const VERSION_PATH = `${ENTRY_PATH}/question_version/question_versions`;
export const QUESTION_PATH = `${VERSION_PATH}/questions/question`;
export const LEGACY_QUESTION_PATH = `${CATEGORY_PATH}/questions/question`;

const PATHS = [CATEGORY_PATH, ENTRY_PATH, VERSION_PATH, QUESTION_PATH, LEGACY_QUESTION_PATH];

/** A question category as the backup has it. */
export interface BackupCategory {
  readonly oldId: number;
  readonly oldContextId: number;
  readonly contextLevel: number;
  readonly name: string;
  readonly info: string;
  readonly infoformat: number;
  readonly stamp: string;
  /** Old id of the parent category, 0 for a top-level one. */
  readonly parent: number;
  readonly sortorder: number;
  readonly idnumber: string | null;
}

/** One question of questions.xml with the bank entry and version around it (derived for pre-4.0 backups). */
export interface BackupQuestion {
  readonly oldId: number;
  /** Old id of its category. */
  readonly categoryOldId: number;
  /** The whole `<question>` element. */
  readonly data: XmlObject;
  /** Old bank entry id (the question id in pre-4.0 backups, where each question becomes its own entry). */
  readonly entryOldId: number;
  readonly entryIdnumber: string | null;
  readonly entryOwner: number | null;
  /** Old question_versions id (the question id in pre-4.0 backups). */
  readonly versionOldId: number;
  readonly version: number;
  readonly status: string;
}

/** Every record of questions.xml, in document order: categories and questions. */
export type QuestionsXmlItem =
  | { kind: 'category'; category: BackupCategory }
  | { kind: 'question'; question: BackupQuestion };

/** Streams questions.xml as categories and questions (nothing when the file is missing). */
export async function* readQuestionsXml(ctx: RestoreContext): AsyncGenerator<QuestionsXmlItem> {
  for await (const record of ctx.source.records(QUESTIONS_XML, { paths: PATHS })) {
    if (record.path === CATEGORY_PATH) yield { kind: 'category', category: toCategory(record.data) };
    else if (record.path === QUESTION_PATH || record.path === LEGACY_QUESTION_PATH) {
      const question = toQuestion(record);
      if (question) yield { kind: 'question', question };
    }
  }
}

// Internal helpers

function toCategory(d: XmlObject): BackupCategory {
  return {
    oldId: num(d.id),
    oldContextId: num(d.contextid),
    contextLevel: num(d.contextlevel),
    name: text(d.name),
    info: text(d.info),
    infoformat: num(d.infoformat),
    stamp: text(d.stamp),
    parent: num(d.parent),
    sortorder: num(d.sortorder, 999),
    idnumber: typeof d.idnumber === 'string' && d.idnumber !== '' ? d.idnumber : null,
  };
}

function toQuestion(record: XmlRecord): BackupQuestion | undefined {
  const d = record.data;
  const oldId = num(d.id);
  if (record.path === LEGACY_QUESTION_PATH) {
    const category = record.parent;
    if (!category) return undefined;
    // process_question_legacy_data(): one bank entry and version 1 per question; `hidden` becomes the status.
    return {
      oldId,
      categoryOldId: num(category.data.id),
      data: d,
      entryOldId: oldId,
      entryIdnumber: typeof d.idnumber === 'string' && d.idnumber !== '' ? d.idnumber : null,
      entryOwner: d.createdby === null || d.createdby === undefined ? null : num(d.createdby),
      versionOldId: oldId,
      version: 1,
      status: num(d.hidden) ? 'hidden' : 'ready',
    };
  }
  const version = record.parent;
  const entry = version?.parent;
  const category = entry?.parent;
  if (!version || !entry || !category) return undefined;
  return {
    oldId,
    categoryOldId: num(category.data.id),
    data: d,
    entryOldId: num(entry.data.id),
    entryIdnumber: typeof entry.data.idnumber === 'string' && entry.data.idnumber !== '' ? entry.data.idnumber : null,
    entryOwner: entry.data.ownerid === null || entry.data.ownerid === undefined ? null : num(entry.data.ownerid),
    versionOldId: num(version.data.id),
    version: num(version.data.version, 1),
    status: text(version.data.status) || 'ready',
  };
}
