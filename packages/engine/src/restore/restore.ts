/**
 * `restore()`: a Moodle backup into a new course of a store, the way Moodle's restore does it
 * (`restore_controller` with `TARGET_NEW_COURSE`), as one unit of work that commits whole or leaves
 * nothing. Steps: open the backup (unpacking a tar.gz once), read and check moodle_backup.xml,
 * resolve the options, freeze the plan, run the stages in Moodle's order, commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { readBackupManifest } from '../backup/read-manifest.ts';
import type { ArchiveLimits } from '../archive/limits.ts';
import {
  cappedOptionWarnings,
  resolveRestoreOptions,
  type ResolvedRestoreOptions,
} from '../options/resolve-options.ts';
import type { RestoreOptionsInput } from '../options/option-input.ts';
import type { RestoreState } from '../pipeline/context.ts';
import { planRestore } from '../pipeline/plan.ts';
import { runPipeline, type RestoreProgress, type StageResult } from '../pipeline/run-pipeline.ts';
import { settingsView } from '../pipeline/settings.ts';
import { RESTORE_STAGES } from '../stages/index.ts';
import { settleCourseNames } from '../stages/course.ts';
import type { StorageAdapter } from '../storage/storage-adapter.ts';
import { WarningCollector, type BackupWarning } from '../warnings.ts';
import type { XmlLimits } from '../xml/types.ts';
import { openBackupSource } from './backup-source.ts';
import { IdMap } from './id-map.ts';
import { RowWriter } from './row-writer.ts';
import { abortableTransaction } from './abortable-transaction.ts';
import { fromSystemError, InvalidArgumentError } from '../errors.ts';
import { warnIfNewerBackup } from '../backup/known-version.ts';

/** What to restore into, and how. */
export interface RestoreRequest {
  /** The store to restore into (opened by the caller). */
  storage: StorageAdapter;
  /** Category of the new course. Default is 1. */
  categoryid?: number;
  /** Restore options by Moodle's names (`{ users: 1 }` or `[{ name, value }]`). Defaults are MDL-64915's. */
  options?: RestoreOptionsInput;
  /** Id of this restore (32 hex). Default is a new random one. */
  restoreId?: string;
  /** Cancels the restore; it then rolls back. */
  signal?: AbortSignal;
  /** Called as the restore advances (fraction never decreases). */
  onProgress?: (progress: RestoreProgress) => void;
  limits?: Partial<ArchiveLimits>;
  xmlLimits?: Partial<XmlLimits>;
  /** Where a tar.gz is unpacked. Default is the OS temp dir. */
  tempDir?: string;
  /**
   * Write what Moodle's restore itself writes as it goes, beside what the backup holds: the log events it fires
   * (`logstore_standard_log`, origin `restore`) and the grade history rows of the grades and grade items it creates.
   * Default true, as Moodle does; false restores only what the backup holds.
   */
  restoreEvents?: boolean;
  /**
   * Id of the user acting, Moodle's `$USER`, which Moodle records in a few columns (`user_enrolments.modifierid`).
   * Default 0, as Moodle's CLI restore (no session user); the webservice passes the token's user.
   */
  actingUserId?: number;
  /**
   * Site URL that restore links (`$@FORUMVIEWBYID*12@$` …) are decoded into (Moodle's `$CFG->wwwroot`).
   * Default is the store's `config.wwwroot`, else `http://localhost`.
   */
  siteUrl?: string;
}

/** What a finished restore reports. */
export interface RestoreResult {
  restoreId: string;
  /** Id of the new course. */
  courseid: number;
  /** Effective root settings. */
  settings: Record<string, number>;
  /** Rows written per table, by Moodle table name with prefix (`mdl_course`). */
  counts: Record<string, number>;
  warnings: BackupWarning[];
  stages: StageResult[];
  seconds: number;
}

/** Share of progress given to unpacking a tar.gz, and the end of the stages' share (the rest is the commit). */
const UNPACK_SPAN = 0.1;
const STAGES_END = 0.98;

/** Restores a backup (`.mbz` ZIP or tar.gz, or an extracted folder) into a new course. */
export async function restore(path: string, request: RestoreRequest): Promise<RestoreResult> {
  try {
    return await restoreUnit(path, request);
  } catch (error) {
    // A full disk or a failing file system (the store's blobs, the temp folder) is a typed error like any other.
    throw fromSystemError(error, 'Nothing was restored.');
  }
}

// Internal helpers

async function restoreUnit(path: string, request: RestoreRequest): Promise<RestoreResult> {
  const started = performance.now();
  const restoreId = request.restoreId ?? randomBytes(16).toString('hex');
  const signal = request.signal ?? new AbortController().signal;
  const categoryId = request.categoryid ?? 1;
  if (!Number.isSafeInteger(categoryId) || categoryId < 1)
    throw new InvalidArgumentError(`categoryid must be a positive whole number, got ${String(request.categoryid)}.`);
  const report = request.onProgress ?? (() => undefined);
  const archiveBytes = await stat(path).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
  report({ stage: 'unpack', stageIndex: 0, stageCount: 1, fraction: 0 });
  const source = await openBackupSource(path, {
    limits: request.limits,
    xmlLimits: request.xmlLimits,
    tempDir: request.tempDir,
    signal,
    // Uncompressed size is unknown up front: estimate it from the archive size, never past the span.
    onUnpack: (bytes) =>
      report({
        stage: 'unpack',
        stageIndex: 0,
        stageCount: 1,
        fraction: Math.min(UNPACK_SPAN * 0.99, (UNPACK_SPAN * bytes) / Math.max(1, archiveBytes * 2.5)),
      }),
  });
  try {
    const manifest = await readBackupManifest(source);
    const resolved = resolveRestoreOptions(request.options ?? {}, manifest);
    const settings = settingsView(resolved);
    await requireCategory(request.storage, categoryId);
    const plan = planRestore(RESTORE_STAGES, { manifest, settings });
    const warnings = new WarningCollector();
    for (const w of source.warnings()) warnings.warn(w.code, w.message, w.entry);
    warnIfNewerBackup(manifest, (code, message, entry) => warnings.warn(code, message, entry));
    for (const { code, message } of cappedOptionWarnings(resolved)) warnings.warn(code, message);
    const tx = abortableTransaction(await request.storage.begin(), signal);
    const rows = new RowWriter(tx);
    const results: StageResult[] = [];
    try {
      const state = await initialState(request, manifest.originalSiteIdentifierHash, categoryId);
      await runPipeline(
        plan,
        {
          restoreId,
          source,
          manifest,
          settings,
          ids: new IdMap(),
          rows,
          tx,
          state,
          signal,
          warn: (code, message, entry) => warnings.warn(code, message, entry),
          shiftDate: (value) => shiftDate(value, state.dateOffset),
        },
        { onProgress: report, span: [UNPACK_SPAN, STAGES_END], results },
      );
      // Unique course names are decided under the store's commit lock where it has one (held until commit).
      await tx.lockForCommit?.();
      await settleCourseNames({ rows, state });
      await rows.flush();
      signal.throwIfAborted();
      await tx.commit();
      report({ stage: 'commit', stageIndex: results.length, stageCount: results.length, fraction: 1 });
      return {
        restoreId,
        courseid: state.courseId,
        settings: rootSettings(resolved),
        counts: Object.fromEntries(Object.entries(rows.counts()).map(([table, n]) => [`mdl_${table}`, n])),
        warnings: warnings.list(),
        stages: results,
        seconds: (performance.now() - started) / 1000,
      };
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    await source.close();
  }
}

async function requireCategory(storage: StorageAdapter, categoryId: number): Promise<void> {
  if ((await storage.count('course_categories', { id: categoryId })) === 0) {
    throw new InvalidArgumentError(`There is no course category with id ${categoryId} in the store.`);
  }
}

async function initialState(
  request: RestoreRequest,
  backupSiteHash: string,
  categoryId: number,
): Promise<RestoreState> {
  const { storage } = request;
  const [identifier] = await storage.select('config', { name: 'siteidentifier' });
  const [wwwroot] = await storage.select('config', { name: 'wwwroot' });
  const [admin] = await storage.select('user', { username: 'admin' });
  const actingUserId = request.actingUserId ?? 0;
  if (!Number.isSafeInteger(actingUserId) || actingUserId < 0)
    throw new InvalidArgumentError(`actingUserId must be a whole number ≥ 0, got ${String(request.actingUserId)}.`);
  const siteHash = identifier ? createHash('md5').update(String(identifier.value)).digest('hex') : '';
  return {
    courseId: 0,
    courseContextId: 0,
    courseContextPath: '',
    categoryId,
    inforefs: new Map(),
    fileRecords: [],
    fileAreas: [],
    questionBanks: new Map(),
    dateOffset: 0,
    now: Math.floor(Date.now() / 1000),
    restorerUserId: admin ? Number(admin.id) : 2,
    sameSite: backupSiteHash !== '' && backupSiteHash === siteHash,
    deletedUserIds: new Set(),
    createdContexts: new Map(),
    restoreEvents: request.restoreEvents ?? true,
    actingUserId,
    siteUrl: (request.siteUrl ?? (wwwroot ? String(wwwroot.value) : 'http://localhost')).replace(/\/+$/, ''),
  };
}

function shiftDate(value: unknown, offset: number): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n === 0) return Number.isFinite(n) ? n : null;
  return n + offset;
}

function rootSettings(resolved: ResolvedRestoreOptions): Record<string, number> {
  return { ...(resolved.root as Record<string, number>) };
}
