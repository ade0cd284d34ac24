/**
 * The failure corpus: one table of hostile and broken backups, each with the outcome it must produce.
 * `scripts/make-failure-corpus.ts` writes every case to `.cache/failure-corpus/` with `cases.json`;
 * the tests under `test/hostile/` build the same cases from the same table, so they cannot drift.
 */
import { ARCHIVE_CASES } from './cases-archive.ts';
import { BACKUP_CASES } from './cases-backup.ts';
import { XML_CASES } from './cases-xml.ts';
import type { CorpusCase } from './outcome.ts';

export type { CorpusCase, Outcome } from './outcome.ts';

/** Every case, in a stable order. */
export const CORPUS_CASES: readonly CorpusCase[] = [...ARCHIVE_CASES, ...XML_CASES, ...BACKUP_CASES];

/** What `cases.json` holds for one case. */
export function caseRecord(c: CorpusCase): Record<string, unknown> {
  return {
    id: c.id,
    file: `${c.id}.mbz`,
    title: c.title,
    inspect: c.inspect,
    restore: c.restore,
    service: c.service ?? c.restore,
    heavy: c.heavy ?? false,
  };
}
