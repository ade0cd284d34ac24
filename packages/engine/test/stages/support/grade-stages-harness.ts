/**
 * Test support for the gradebook, grade-history, completion, logs, comments and scales stages.
 *
 * Those stages consume what earlier stages map: users (`user`), activities (`course_module`,
 * `<modname>` instances, module contexts), assign submissions (`submission`). While those stages are
 * being written elsewhere, `restoreWithStandIns()` runs the real `prepare` and `course` stages, then a
 * clearly minimal STAND-IN for the upstream stages (users, course modules + contexts, module instances,
 * assign submissions, as plain rows), then the stages under test, and commits. It mirrors `restore()`
 * (`packages/engine/src/restore/restore.ts`) step by step; only the stage list differs. The stand-in is
 * a test double, not a model of Moodle's user matching or activity restore; assertions that need the
 * real upstream stages use `restore()` itself (see `fullRestore()`).
 *
 * Also: counting XML records straight from the archive (independently of any stage), and extracting a
 * backup to a folder so a test can edit its XML.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  countRecords,
  openArchive,
  readRecords,
  restore,
  type RestoreResult,
  type StageDefinition,
  type StorageAdapter,
  type XmlRecord,
} from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { readBackupManifest } from '../../../src/backup/read-manifest.ts';
import { resolveRestoreOptions } from '../../../src/options/resolve-options.ts';
import type { RestoreOptionsInput } from '../../../src/options/option-input.ts';
import type { RestoreContext, RestoreState } from '../../../src/pipeline/context.ts';
import { defineStage } from '../../../src/pipeline/define-stage.ts';
import { planRestore } from '../../../src/pipeline/plan.ts';
import { runPipeline } from '../../../src/pipeline/run-pipeline.ts';
import { settingsView } from '../../../src/pipeline/settings.ts';
import { openBackupSource } from '../../../src/restore/backup-source.ts';
import { IdMap } from '../../../src/restore/id-map.ts';
import { RowWriter } from '../../../src/restore/row-writer.ts';
import { courseStage } from '../../../src/stages/course.ts';
import { prepareStage } from '../../../src/stages/prepare.ts';
import { ContextLevel, createContext, num, text } from '../../../src/stages/support.ts';
import { includedActivities } from '../../../src/stages/task-targets.ts';
import { WarningCollector, type BackupWarning } from '../../../src/warnings.ts';
import { testTempDir } from '@mbz-restore/test-support/temp';

/** Every user-data setting on: what Moodle's CLI restore used for the expected counts. */
export const ALL_ON: Readonly<Record<string, number>> = Object.freeze({
  users: 1,
  role_assignments: 1,
  comments: 1,
  userscompletion: 1,
  logs: 1,
  grade_histories: 1,
  groups: 1,
  activities: 1,
});

/** The outcome of a harness restore. */
export interface HarnessResult {
  storage: StorageAdapter;
  courseId: number;
  courseContextId: number;
  ids: IdMap;
  warnings: BackupWarning[];
  /** Rows written per table (without prefix). */
  counts: Record<string, number>;
}

/**
 * Restores `path` with `prepare`, `course`, the upstream stand-in and `stages` (in that order) into a new
 * memory store (or `storage`), and commits.
 */
export async function restoreWithStandIns(
  path: string,
  options: RestoreOptionsInput,
  stages: readonly StageDefinition[],
  storage?: StorageAdapter,
): Promise<HarnessResult> {
  const store = storage ?? createMemoryStorage();
  await store.open();
  const source = await openBackupSource(path);
  try {
    const manifest = await readBackupManifest(source);
    const settings = settingsView(resolveRestoreOptions(options, manifest));
    const plan = planRestore([prepareStage, courseStage, upstreamStandIn, ...stages], { manifest, settings });
    const tx = await store.begin();
    const rows = new RowWriter(tx);
    const ids = new IdMap();
    const warnings = new WarningCollector();
    const [admin] = await store.select('user', { username: 'admin' });
    const state: RestoreState = {
      courseId: 0,
      courseContextId: 0,
      courseContextPath: '',
      categoryId: 1,
      inforefs: new Map(),
      fileRecords: [],
      fileAreas: [],
      questionBanks: new Map(),
      deletedUserIds: new Set(),
      createdContexts: new Map(),
      restoreEvents: true,
      actingUserId: 0,
      siteUrl: 'http://localhost',
      dateOffset: 0,
      now: Math.floor(Date.now() / 1000),
      restorerUserId: Number(admin?.id ?? 2),
      sameSite: false,
    };
    await runPipeline(plan, {
      restoreId: 'harness',
      source,
      manifest,
      settings,
      ids,
      rows,
      tx,
      state,
      signal: new AbortController().signal,
      warn: (code, message, entry) => warnings.warn(code, message, entry),
      shiftDate: (value) =>
        value === null || value === undefined || value === ''
          ? null
          : Number(value) === 0
            ? 0
            : Number(value) + state.dateOffset,
    });
    await rows.flush();
    await tx.commit();
    return {
      storage: store,
      courseId: state.courseId,
      courseContextId: state.courseContextId,
      ids,
      warnings: warnings.list(),
      counts: rows.counts(),
    };
  } finally {
    await source.close();
  }
}

/** `restore()` itself into a new memory store. */
export async function fullRestore(
  path: string,
  options: RestoreOptionsInput,
): Promise<{ storage: StorageAdapter; result: RestoreResult }> {
  const storage = createMemoryStorage();
  await storage.open();
  return { storage, result: await restore(path, { storage, options }) };
}

/**
 * True when the real upstream stages (users, activities) restore rows, i.e. a full `restore()` can be
 * compared with Moodle's numbers. While they are placeholders those comparisons are skipped.
 */
export function upstreamReady(result: RestoreResult): boolean {
  return (result.counts.mdl_user ?? 0) > 0 && (result.counts.mdl_course_modules ?? 0) > 0;
}

/** Counts the records at `paths` in one archive entry, straight from the archive (no stage involved). */
export async function countInEntry(
  path: string,
  entry: string,
  paths: readonly string[],
): Promise<Record<string, number>> {
  const archive = await openArchive(path);
  try {
    const names = new Set((await archive.list()).map((e) => e.name));
    if (!names.has(entry)) return Object.fromEntries(paths.map((p) => [p, 0]));
    return await countRecords(await archive.open(entry), paths);
  } finally {
    await archive.close();
  }
}

/**
 * Reads the records at `paths` of every entry whose name passes `match`, walking the archive once
 * (straight from the archive, no stage involved). Returns the records per entry name.
 */
export async function readEntries(
  path: string,
  match: (name: string) => boolean,
  paths: readonly string[],
): Promise<Map<string, XmlRecord[]>> {
  const archive = await openArchive(path);
  const out = new Map<string, XmlRecord[]>();
  try {
    for await (const entry of archive.entries()) {
      if (entry.type !== 'file' || !match(entry.name)) continue;
      const records: XmlRecord[] = [];
      for await (const record of readRecords(entry.open(), { paths, entry: entry.name })) records.push(record);
      out.set(entry.name, records);
    }
  } finally {
    await archive.close();
  }
  return out;
}

/** Every file entry name of an archive. */
export async function entryNames(path: string): Promise<string[]> {
  const archive = await openArchive(path);
  try {
    return (await archive.list()).filter((e) => e.type === 'file').map((e) => e.name);
  } finally {
    await archive.close();
  }
}

/** Extracts a backup to a new temp folder (a folder is a valid backup for `restore()`); returns it. */
export async function extractBackup(path: string): Promise<string> {
  const out = testTempDir('stage-test-');
  const archive = await openArchive(path);
  try {
    for await (const entry of archive.entries()) {
      if (entry.type !== 'file') continue;
      const target = join(out, entry.name);
      await mkdir(dirname(target), { recursive: true });
      await pipeline(entry.open(), createWriteStream(target));
    }
  } finally {
    await archive.close();
  }
  return out;
}

// Internal helpers

/**
 * STAND-IN for the users, activities and assign stages (test double, see the file header): users of
 * users.xml as plain `user` rows (existing usernames are matched), each included activity as a
 * `course_modules` row with a module context, its instance as a copy of the instance record's own fields, and assign submissions as `assign_submission` rows. Registers the mappings the stages
 * under test read: `user`, `context` (user and module contexts), `course_module`, `<modname>`, `submission`.
 */
const upstreamStandIn = defineStage({
  name: 'upstream-stand-in',
  enabledBy: [],
  reads: ['users.xml', 'activities/*/module.xml', 'activities/*/*.xml'],
  weight: 1,
  async run(ctx) {
    if (ctx.settings.root('users') !== 0) await standInUsers(ctx);
    if (ctx.settings.root('activities') !== 0) await standInActivities(ctx);
  },
});

async function standInUsers(ctx: RestoreContext): Promise<void> {
  const existing = new Map((await ctx.rows.select('user')).map((u) => [String(u.username), Number(u.id)]));
  for await (const record of ctx.source.records('users.xml', { paths: ['/users/user'] })) {
    const d = record.data;
    const username = text(d.username);
    let id = existing.get(username);
    if (id === undefined) {
      id = await ctx.rows.insert('user', { ...d, username, auth: 'manual', mnethostid: 1, password: '' });
      await createContext(ctx, ContextLevel.User, id, '/1', num(d.contextid));
    }
    ctx.ids.set('user', num(d.id), id);
  }
}

async function standInActivities(ctx: RestoreContext): Promise<void> {
  const modules = new Map((await ctx.rows.select('modules')).map((m) => [String(m.name), Number(m.id)]));
  for (const activity of includedActivities(ctx)) {
    const module = modules.get(activity.moduleName);
    if (module === undefined) continue;
    const cmid = await ctx.rows.reserveId('course_modules');
    const mod = activity.moduleName;
    let instance = 0;
    let oldContext: number | undefined;
    const paths = ['/activity', `/activity/${mod}`, '/activity/assign/submissions/submission'];
    for await (const record of ctx.source.records(`${activity.directory}/${mod}.xml`, { paths })) {
      const d = record.data;
      if (record.path === '/activity') {
        oldContext = num(d.contextid);
      } else if (record.path === `/activity/${mod}`) {
        instance = await ctx.rows.insert(mod, { ...d, course: ctx.state.courseId });
        ctx.ids.set(mod, num(d.id), instance);
      } else if (ctx.settings.activityUserinfo(activity.key)) {
        const userid = ctx.ids.get('user', text(d.userid));
        if (userid === undefined) continue;
        ctx.ids.set(
          'submission',
          num(d.id),
          await ctx.rows.insert('assign_submission', {
            assignment: instance,
            userid,
            status: text(d.status),
            attemptnumber: num(d.attemptnumber),
            latest: num(d.latest),
          }),
        );
      }
    }
    await ctx.rows.insert('course_modules', { course: ctx.state.courseId, module, instance, section: 0 }, cmid);
    ctx.ids.set('course_module', activity.moduleId, cmid);
    await createContext(ctx, ContextLevel.Module, cmid, ctx.state.courseContextPath, oldContext);
  }
}
