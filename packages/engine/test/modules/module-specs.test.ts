/**
 * The module specs (`src/modules`): each is self-consistent, and every element with an `id` attribute in
 * the `activities/<mod>_*\/<mod>.xml` of real backups is covered by a spec path (nothing with an id is
 * dropped silently). Backups: `gen_s_users.mbz` (Moodle 4.3 with user data), a few chosen ones from
 * `../shared/fixtures/mbz` (assign user data, pre-4.0 quiz slot tags and attempts) and, for each module,
 * the oldest and newest backup there that has it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { afterAll, describe, expect, it } from 'vitest';
import { MODULE_SPECS, NO_TABLE } from '../../src/modules/index.ts';
import type { ModuleSpec, RecordSpec } from '../../src/modules/types.ts';
import {
  generatedFixture,
  hasShared,
  mbzFixture,
  readManifest,
  type ManifestEntry,
} from '@mbz-restore/test-support/shared';

/** Item names registered outside the module's own XML (course, users, groups, question bank, …). */
const GLOBAL_ITEMS = new Set([
  'user',
  'group',
  'grouping',
  'course',
  'context',
  'scale',
  'question',
  'question_category',
  'question_bank_entry',
]);

const isAncestor = (ancestor: string, path: string) => path.startsWith(`${ancestor}/`);

function problems(spec: ModuleSpec): string[] {
  const out: string[] = [];
  const [first] = spec.records;
  if (
    !first ||
    first.path !== `/activity/${spec.name}` ||
    first.table !== spec.name ||
    first.itemname !== spec.name ||
    !first.course?.includes('course') ||
    first.userinfo
  ) {
    out.push('first record is not the instance /activity/<mod> (table and itemname <mod>, course, no userinfo)');
  }
  if (spec.component !== `mod_${spec.name}`) out.push(`component ${spec.component}`);
  if (spec.sources.length === 0) out.push('no sources');
  const own = new Set(spec.records.flatMap((r) => (r.itemname ? [r.itemname] : [])));
  const seen = new Set<string>();
  for (const r of spec.records) {
    const at = (msg: string) => out.push(`${r.path}: ${msg}`);
    if (seen.has(r.path)) at('duplicate path');
    seen.add(r.path);
    if (!r.path.startsWith(`/activity/${spec.name}`)) at('outside the module root');
    if (r.table === NO_TABLE && !r.notes) at('NO_TABLE without notes');
    const ancestors = spec.records.filter((a) => isAncestor(a.path, r.path));
    for (const [column, item] of Object.entries(r.parent ?? {})) {
      if (!ancestors.some((a) => a.itemname === item))
        at(`parent ${column} → ${item} is not registered by an ancestor path`);
    }
    if (!r.userinfo && ancestors.some((a) => a.userinfo)) at('not userinfo under a userinfo path');
    for (const [column, ref] of Object.entries(r.refs ?? {})) {
      if (!GLOBAL_ITEMS.has(ref.itemname) && !own.has(ref.itemname)) at(`ref ${column} → unknown item ${ref.itemname}`);
      if (r.parent && column in r.parent) at(`${column} is both parent and ref`);
      if (r.drop?.includes(column)) at(`${column} is both ref and drop`);
    }
    for (const f of r.files ?? []) {
      if (f.itemname !== null && !own.has(f.itemname))
        at(`file area ${f.component}/${f.filearea} uses unknown item ${f.itemname}`);
    }
    for (const d of r.dates ?? []) if (r.drop?.includes(d)) at(`${d} is both date and drop`);
  }
  return out;
}

describe('module specs are self-consistent', () => {
  it('covers the core modules, keyed by name', () => {
    expect(Object.keys(MODULE_SPECS).sort()).toEqual([
      'assign',
      'bigbluebuttonbn',
      'book',
      'chat',
      'choice',
      'data',
      'feedback',
      'folder',
      'forum',
      'glossary',
      'h5pactivity',
      'imscp',
      'label',
      'lesson',
      'lti',
      'page',
      'qbank',
      'quiz',
      'resource',
      'scorm',
      'survey',
      'url',
      'wiki',
      'workshop',
    ]);
    for (const [key, spec] of Object.entries(MODULE_SPECS)) expect(spec.name).toBe(key);
  });

  it.each(Object.keys(MODULE_SPECS))('%s', (name) => {
    expect(problems(MODULE_SPECS[name]!)).toEqual([]);
  });
});

/** Paths (below `/activity`) of the elements that carry an `id` attribute. */
function idPaths(xml: string): Set<string> {
  const stack: string[] = [];
  const found = new Set<string>();
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    stack.push(tag.name);
    if ('id' in tag.attributes && stack.length > 1) found.add(`/${stack.join('/')}`);
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return found;
}

/** Extracts `activities/*` of a backup into a fresh temp dir. */
function extractActivities(archive: string, kind: 'zip' | 'tar.gz', into: string): void {
  if (kind === 'zip') execFileSync('unzip', ['-q', '-o', archive, 'activities/*', '-d', into], { stdio: 'ignore' });
  else execFileSync('tar', ['xzf', archive, '-C', into, '--wildcards', 'activities/*'], { stdio: 'ignore' });
}

/** Manifest backups always checked: assign submissions/grades (4.0), quiz slot tags (3.x), quiz attempts (3.x), 2.8 slots. */
const CHOSEN = [
  'report_advancedgrading__tests-fixtures-backup-advgrade.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_311_quiz.mbz',
  'hrsq1__mod-quiz-tests-fixtures-question_attempts_missing_users.mbz',
  'hrsq1__mod-quiz-tests-fixtures-moodle_28_quiz.mbz',
];

/** gen_s_users, the chosen backups, and per spec'd module the oldest and newest manifest backup that has it. */
function pickBackups(): { file: string; path: string; kind: 'zip' | 'tar.gz' }[] {
  const version = (m: ManifestEntry) => Number(m.backup_version ?? 0);
  const picked = new Map<string, ManifestEntry>();
  const entries = readManifest().filter((m) => m.produced_by_moodle && m.counts);
  for (const m of entries) if (CHOSEN.includes(m.file)) picked.set(m.file, m);
  for (const name of Object.keys(MODULE_SPECS)) {
    const having = entries.filter((m) => (m.counts!.modules[name] ?? 0) > 0).sort((a, b) => version(a) - version(b));
    for (const m of [having[0], having.at(-1)]) if (m) picked.set(m.file, m);
  }
  return [
    { file: 'gen_s_users.mbz', path: generatedFixture('gen_s_users.mbz'), kind: 'tar.gz' },
    ...[...picked.values()].map((m) => ({ file: m.file, path: mbzFixture(m.file), kind: m.archive })),
  ];
}

describe.skipIf(!hasShared())('module specs cover every element with an id in real backups', () => {
  const backups = hasShared() ? pickBackups() : [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(backups.map((b) => [b.file, b] as const))('%s', (_file, backup) => {
    const dir = mkdtempSync(join(tmpdir(), 'mbz-module-specs-'));
    dirs.push(dir);
    extractActivities(backup.path, backup.kind, dir);
    const activities = join(dir, 'activities');
    const uncovered = new Set<string>();
    let checked = 0;
    for (const entry of existsSync(activities) ? readdirSync(activities) : []) {
      const mod = entry.replace(/_\d+$/, '');
      const spec = MODULE_SPECS[mod];
      const file = join(activities, entry, `${mod}.xml`);
      if (!spec || !existsSync(file)) continue;
      const covered = new Set(spec.records.map((r: RecordSpec) => r.path));
      for (const path of idPaths(readFileSync(file, 'utf8'))) if (!covered.has(path)) uncovered.add(`${mod}: ${path}`);
      checked++;
    }
    expect(checked, "no activity of a spec'd module in this backup").toBeGreaterThan(0);
    expect([...uncovered].sort(), `element paths with an id not covered by a module spec`).toEqual([]);
  });
});
