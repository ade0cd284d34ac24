/**
 * Moodle 4.3's own restores of the two oracle backups (../shared/fixtures/generated/*.values.json), compared query by
 * query for the course-level tables: the course row, its format options and sections, course modules (NULL
 * idnumbers), enrolment methods and user enrolments (the acting user as modifier: none in Moodle's CLI restore),
 * role assignments, question categories and files (mimetype computed from name and content, NULL license kept).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '@mbz-restore/engine';
import { createSqliteStorage } from '@mbz-restore/storage-sqlite';
import {
  compareWithOracle,
  MOODLE_CLI_RESTORE,
  ORACLE_BACKUPS,
  readOracleValues,
  runOracleQueries,
  type OurResults,
} from '@mbz-restore/test-support/oracle';
import { hasShared } from '@mbz-restore/test-support/shared';

const QUERIES = [
  'course',
  'course_format_options',
  'course_sections',
  'course_modules',
  'enrol',
  'user_enrolments',
  'role_assignments',
  'question_categories',
  'files',
];

describe.skipIf(!hasShared()).each(Object.keys(ORACLE_BACKUPS))(
  "%s: course-level tables equal Moodle 4.3's restore",
  (name) => {
    let dir: string;
    let ours: OurResults;
    beforeAll(async () => {
      const oracle = ORACLE_BACKUPS[name]!;
      dir = await mkdtemp(join(tmpdir(), 'mbz-course-fidelity-'));
      const path = join(dir, 'store.sqlite');
      const storage = createSqliteStorage({ path });
      await storage.open();
      const result = await restore(oracle.backup(), { storage, options: MOODLE_CLI_RESTORE }).finally(() =>
        storage.close(),
      );
      ours = runOracleQueries(path, result.courseid);
    }, 120_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.each(QUERIES)('%s', (query) => {
      const moodle = readOracleValues(ORACLE_BACKUPS[name]!.values);
      const only = { ...moodle, queries: { [query]: moodle.queries[query]! } };
      expect(compareWithOracle(ours, only, 10)).toEqual([]);
    });
  },
);
