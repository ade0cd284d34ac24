/**
 * Id sequences, one per Moodle table, like the auto-increment columns of a real site. Each starts
 * at a seeded offset in its own range, so that (a) ids of different tables rarely coincide — an
 * engine that confuses, say, a question id with a question-bank-entry id fails visibly — and
 * (b) different seeds give different ids.
 */
import type { Rng } from './prng.ts';

/** An auto-increment column. */
export class IdSequence {
  #next: number;

  constructor(start: number) {
    this.#next = start;
  }

  /** The next id. */
  next(): number {
    return this.#next++;
  }

  /** Reserves `count` consecutive ids and returns the first. */
  take(count: number): number {
    const first = this.#next;
    this.#next += count;
    return first;
  }

  /** The id the next call to {@link next} will return. */
  peek(): number {
    return this.#next;
  }
}

/** The tables the generator allocates ids in. */
export const ID_TABLES = [
  'course',
  'context',
  'user',
  'enrol',
  'userEnrolment',
  'roleAssignment',
  'group',
  'groupMember',
  'grouping',
  'groupingGroup',
  'section',
  'courseModule',
  'assign',
  'forum',
  'label',
  'page',
  'quiz',
  'resource',
  'url',
  'gradeCategory',
  'gradeItem',
  'gradeGrade',
  'gradeHistory',
  'questionCategory',
  'questionBankEntry',
  'questionVersion',
  'question',
  'questionAnswer',
  'qtypeOptions',
  'questionHint',
  'quizSlot',
  'quizSection',
  'quizGrade',
  'quizAttempt',
  'questionUsage',
  'questionAttempt',
  'questionStep',
  'forumDiscussion',
  'forumPost',
  'assignSubmission',
  'assignGrade',
  'assignPluginConfig',
  'comment',
  'completion',
  'file',
  'block',
  'log',
] as const;

/** Name of one id table. */
export type IdTable = (typeof ID_TABLES)[number];

/** Creates every table's sequence at a seeded start (the course gets a small id, as on real sites). */
export function createIdSequences(rng: Rng): Record<IdTable, IdSequence> {
  const sequences = {} as Record<IdTable, IdSequence>;
  ID_TABLES.forEach((table, i) => {
    let start: number;
    if (table === 'course') start = rng.int(2, 400);
    else if (table === 'user') start = rng.int(3, 900);
    else if (table === 'context') start = rng.int(100, 4000);
    // Spread the other tables over disjoint-ish ranges: table i starts near i * 10,000.
    else start = 10_000 * (i + 1) + rng.int(1, 9_000);
    sequences[table] = new IdSequence(start);
  });
  return sequences;
}
