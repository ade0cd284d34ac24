/** Sanity checks on the transcribed Moodle schema: shape, consistency and a handful of well-known columns. */
import { describe, expect, it } from 'vitest';
import { MOODLE_SCHEMA_VERSION, MOODLE_TABLES } from '../../src/schema/moodle-schema.ts';
import type { ColumnSpec, TableSpec } from '../../src/schema/types.ts';

function table(name: string): TableSpec {
  const found = MOODLE_TABLES.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
}

function column(tableName: string, columnName: string): ColumnSpec {
  const found = table(tableName).columns.find((c) => c.name === columnName);
  if (!found) throw new Error(`no column ${tableName}.${columnName}`);
  return found;
}

describe('MOODLE_TABLES', () => {
  it('names a Moodle release', () => {
    expect(MOODLE_SCHEMA_VERSION).toMatch(/^\d+\.\d+/);
  });

  it('has id first in every table (int, not null)', () => {
    for (const t of MOODLE_TABLES) {
      const id = t.columns[0];
      expect(id, t.name).toBeDefined();
      expect({ table: t.name, name: id?.name, type: id?.type, notnull: id?.notnull }).toEqual({
        table: t.name,
        name: 'id',
        type: 'int',
        notnull: true,
      });
    }
  });

  it('has no duplicate table names and no duplicate column names within a table', () => {
    const names = MOODLE_TABLES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of MOODLE_TABLES) {
      const cols = t.columns.map((c) => c.name);
      expect(new Set(cols).size, t.name).toBe(cols.length);
    }
  });

  it('uses lowercase names without the mdl_ prefix', () => {
    for (const t of MOODLE_TABLES) {
      expect(t.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(t.name.startsWith('mdl_')).toBe(false);
      for (const c of t.columns) expect(c.name, `${t.name}.${c.name}`).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('indexes only columns that exist, and no index repeats another', () => {
    for (const t of MOODLE_TABLES) {
      const cols = new Set(t.columns.map((c) => c.name));
      const seen = new Set<string>();
      for (const ix of t.indexes) {
        expect(ix.columns.length, t.name).toBeGreaterThan(0);
        for (const col of ix.columns) expect(cols.has(col), `${t.name} index column ${col}`).toBe(true);
        const key = `${ix.unique}:${ix.columns.join(',')}`;
        expect(seen.has(key), `${t.name} duplicate index ${key}`).toBe(false);
        seen.add(key);
      }
    }
  });

  it('types defaults like their columns and gives lengths where XMLDB requires them', () => {
    for (const t of MOODLE_TABLES) {
      for (const c of t.columns) {
        const where = `${t.name}.${c.name}`;
        if (c.default !== undefined) {
          if (c.type === 'int' || c.type === 'number') {
            expect(typeof c.default, where).toBe('number');
            if (c.type === 'int') expect(Number.isInteger(c.default), where).toBe(true);
          } else {
            expect(c.type === 'char' || c.type === 'text', where).toBe(true);
            expect(typeof c.default, where).toBe('string');
          }
        }
        if (c.type === 'int' || c.type === 'char') expect(c.length, where).toBeGreaterThan(0);
        if (c.type === 'text' || c.type === 'binary') expect(c.length, where).toBeUndefined();
        if (c.decimals !== undefined) expect(c.type, where).toBe('number');
        if (c.type === 'char' && typeof c.default === 'string') {
          expect(c.default.length, where).toBeLessThanOrEqual(c.length ?? 0);
        }
      }
    }
  });

  it('knows well-known columns', () => {
    expect(column('course', 'shortname')).toMatchObject({ type: 'char', length: 255, notnull: true });
    expect(column('course', 'fullname')).toMatchObject({ type: 'char', length: 254 });
    expect(column('course', 'format')).toMatchObject({ type: 'char', length: 21, default: 'topics' });
    expect(column('logstore_standard_log', 'other')).toMatchObject({ type: 'text', notnull: false });
    expect(column('grade_grades', 'finalgrade')).toMatchObject({
      type: 'number',
      length: 10,
      decimals: 5,
      notnull: false,
    });
    expect(column('grade_items', 'grademax')).toMatchObject({ type: 'number', length: 10, decimals: 5, default: 100 });
    expect(column('files', 'contenthash')).toMatchObject({ type: 'char', length: 40, notnull: true });
    expect(column('user', 'auth')).toMatchObject({ type: 'char', length: 20, default: 'manual' });
    expect(column('user_enrolments', 'timeend')).toMatchObject({ type: 'int', default: 2147483647 });
    expect(column('question', 'penalty')).toMatchObject({
      type: 'number',
      length: 12,
      decimals: 7,
      default: 0.3333333,
    });
    expect(column('backup_controllers', 'progress')).toMatchObject({
      type: 'number',
      length: 15,
      decimals: 14,
      default: 0,
    });
    expect(column('forum_discussions', 'groupid')).toMatchObject({ type: 'int', default: -1 });
    expect(column('lesson_grades', 'grade')).toMatchObject({ type: 'number', notnull: true, default: 0 });
    expect(table('files').indexes).toContainEqual({ columns: ['pathnamehash'], unique: true });
    expect(table('context').indexes).toContainEqual({ columns: ['contextlevel', 'instanceid'], unique: true });
  });

  it('covers the tables a course restore writes', () => {
    const names = new Set(MOODLE_TABLES.map((t) => t.name));
    const expected = [
      'course',
      'course_sections',
      'course_modules',
      'context',
      'user',
      'enrol',
      'user_enrolments',
      'role_assignments',
      'groups',
      'groupings',
      'grade_items',
      'grade_grades',
      'files',
      'question',
      'question_bank_entries',
      'question_versions',
      'question_references',
      'question_set_references',
      'question_usages',
      'question_attempts',
      'logstore_standard_log',
      'assign',
      'assign_submission',
      'assignsubmission_file',
      'forum_posts',
      'quiz',
      'quiz_slots',
      'quiz_attempts',
      'scorm_attempt',
      'scorm_scoes_value',
      'h5pactivity_attempts',
      'qtype_multichoice_options',
      'question_dataset_items',
    ];
    for (const n of expected) expect(names.has(n), n).toBe(true);
  });
});
