/** The seed of a fresh site: valid against MOODLE_TABLES, and the ids, paths and names Moodle's installer gives. */
import { describe, expect, it } from 'vitest';
import { MODULE_SPECS } from '../../src/modules/index.ts';
import { MOODLE_TABLES } from '../../src/schema/moodle-schema.ts';
import { createSiteIdentifier, createSiteSeed, SEED_MODULES } from '../../src/schema/site-seed.ts';
import type { Row } from '../../src/storage/storage-adapter.ts';

const NOW = 1_700_000_000;
const seed = createSiteSeed({ siteidentifier: 'abc123localhost', wwwroot: 'https://moodle.example', now: NOW });

function rows(table: string): Row[] {
  const found = seed[table];
  if (!found) throw new Error(`no seed rows for ${table}`);
  return found;
}

describe('createSiteSeed', () => {
  it('writes only known tables and columns, with every NOT NULL column that has no default', () => {
    for (const [table, tableRows] of Object.entries(seed)) {
      const spec = MOODLE_TABLES.find((t) => t.name === table);
      expect(spec, table).toBeDefined();
      const columns = new Map(spec!.columns.map((c) => [c.name, c]));
      for (const row of tableRows) {
        for (const key of Object.keys(row)) expect(columns.has(key), `${table}.${key}`).toBe(true);
        for (const c of spec!.columns) {
          // Moodle gives NOT NULL char columns without default the default '' (sql_generator $default_for_char).
          const hasDefault = c.default !== undefined || c.type === 'char';
          if (c.notnull && !hasDefault) expect(row[c.name], `${table}.${c.name} of row ${row.id}`).not.toBeNull();
          if (c.notnull && !hasDefault) expect(row[c.name], `${table}.${c.name} of row ${row.id}`).not.toBeUndefined();
        }
      }
    }
  });

  it('gives ids 1..n and respects every unique index', () => {
    for (const [table, tableRows] of Object.entries(seed)) {
      expect(
        tableRows.map((r) => r.id),
        table,
      ).toEqual(tableRows.map((_, i) => i + 1));
      const spec = MOODLE_TABLES.find((t) => t.name === table)!;
      for (const ix of spec.indexes.filter((i) => i.unique)) {
        const keys = tableRows.map((r) => JSON.stringify(ix.columns.map((c) => r[c] ?? null)));
        expect(new Set(keys).size, `${table} unique ${ix.columns.join(',')}`).toBe(keys.length);
      }
    }
  });

  it('stores the site identifier, the wwwroot when given, and the 4.3 version', () => {
    const config = Object.fromEntries(rows('config').map((r) => [r.name, r.value]));
    expect(config).toMatchObject({
      siteidentifier: 'abc123localhost',
      wwwroot: 'https://moodle.example',
      version: '2023100900',
    });
    const noUrl = createSiteSeed({ siteidentifier: 'x', now: NOW });
    expect(noUrl.config!.map((r) => r.name)).not.toContain('wwwroot');
  });

  it('has the site course and category 1 as Moodle installs them', () => {
    expect(rows('course')).toEqual([expect.objectContaining({ id: 1, category: 0, format: 'site', timecreated: NOW })]);
    expect(rows('course_categories')).toEqual([
      expect.objectContaining({ id: 1, name: 'Category 1', path: '/1', depth: 1, parent: 0 }),
    ]);
  });

  it('has contexts whose paths and depths follow their ids', () => {
    const ctx = rows('context');
    expect(ctx.map((c) => [c.id, c.contextlevel, c.instanceid])).toEqual([
      [1, 10, 0],
      [2, 50, 1],
      [3, 40, 1],
      [4, 30, 1],
      [5, 30, 2],
    ]);
    for (const c of ctx) {
      const path = String(c.path);
      expect(path.endsWith(`/${c.id}`)).toBe(true);
      expect(path.split('/').length - 1).toBe(c.depth);
      if (c.id !== 1) expect(path.startsWith('/1/')).toBe(true);
    }
  });

  it('installs the eight standard roles with Moodle ids, archetypes and sortorder', () => {
    expect(rows('role').map((r) => [r.id, r.shortname, r.archetype, r.sortorder])).toEqual([
      [1, 'manager', 'manager', 1],
      [2, 'coursecreator', 'coursecreator', 2],
      [3, 'editingteacher', 'editingteacher', 3],
      [4, 'teacher', 'teacher', 4],
      [5, 'student', 'student', 5],
      [6, 'guest', 'guest', 6],
      [7, 'user', 'user', 7],
      [8, 'frontpage', 'frontpage', 8],
    ]);
    const studentLevels = rows('role_context_levels')
      .filter((r) => r.roleid === 5)
      .map((r) => r.contextlevel);
    expect(studentLevels).toEqual([50, 70]);
  });

  it('has guest (id 1) and admin (id 2), manual, confirmed, on the local mnet host', () => {
    expect(rows('user').map((u) => [u.id, u.username, u.auth, u.confirmed, u.mnethostid])).toEqual([
      [1, 'guest', 'manual', 1, 1],
      [2, 'admin', 'manual', 1, 1],
    ]);
  });

  it('lists a modules row for every module the engine can restore', () => {
    const names = rows('modules').map((m) => m.name);
    for (const mod of Object.keys(MODULE_SPECS)) expect(names, mod).toContain(mod);
    expect(names).toEqual(SEED_MODULES);
  });

  it('refuses a now that is not Unix seconds', () => {
    expect(() => createSiteSeed({ siteidentifier: 'x', now: 1.5 })).toThrow(RangeError);
  });
});

describe('createSiteIdentifier', () => {
  it('is 32 random alphanumerics followed by the host', () => {
    const a = createSiteIdentifier('https://moodle.example/path');
    expect(a).toMatch(/^[A-Za-z0-9]{32}moodle\.example$/);
    expect(createSiteIdentifier()).not.toBe(createSiteIdentifier());
  });
});
