/**
 * What the service checks of a backup before it accepts a job (Moodle's `restore_controller` checks the
 * format, then `execute_precheck()` runs before the job is queued at 700): the file is a readable archive
 * holding a Moodle 2 backup, and the options are valid for it. Only `moodle_backup.xml` is read: a ZIP or a
 * folder opens it directly; a tar.gz is walked up to it and no further (its rest is read by the restore,
 * which then fails with a typed error if it is damaged).
 *
 * A tar.gz cannot be read out of order, and Moodle writes `moodle_backup.xml` near its end, after the
 * activities and the files: reaching it means decompressing nearly the whole archive (2.2 s and ~30 MB of
 * the caller's RSS for a 1.1 GB backup), which the restore then does again. So the walk stops after
 * `precheckTarBytes` bytes of entries (64 MiB by default): past that, only the options' names and values
 * are checked here, and the backup itself is checked by the restore as it starts (as Moodle's asynchronous
 * restore task runs its own precheck): a bad one ends the job 900 with the same typed error. Backups up to
 * that size, the usual case, are still refused up front.
 */
import {
  openArchive,
  assertMoodle2,
  isMoodle2Head,
  MANIFEST_RECORD,
  parseManifest,
  ErrorCode,
  InvalidArgumentError,
  isMbzError,
  checkOptionSyntax,
  resolveRestoreOptions,
  readRecords,
  type ArchiveLimits,
  type ArchiveReader,
  type BackupManifest,
  type RestoreOptionsInput,
  type XmlLimits,
  type XmlObject,
} from '@mbz-restore/engine';
import { RestoreServiceError } from '../service-error.ts';

/** Limits the precheck reads under (the restore's own). */
export interface PrecheckLimits {
  readonly limits?: Partial<ArchiveLimits>;
  readonly xmlLimits?: Partial<XmlLimits>;
  /** Bytes of tar.gz entries walked to find `moodle_backup.xml` before the backup's check is left to the restore. Default is 64 MiB. */
  readonly precheckTarBytes?: number;
}

/** Default of {@link PrecheckLimits.precheckTarBytes}. */
export const DEFAULT_PRECHECK_TAR_BYTES = 64 * 1024 * 1024;

/**
 * The resolved root settings the restore will run with. Throws {@link RestoreServiceError}: the archive's or
 * format's own code with Moodle's `errorinvalidformat` (`filenotfound` when the file is missing), or
 * `input.invalid-argument` with `invalidextparam` for a bad option.
 */
export async function precheckBackup(
  path: string,
  options: RestoreOptionsInput,
  limits: PrecheckLimits = {},
): Promise<Record<string, number>> {
  let manifest: BackupManifest | typeof LEFT_TO_RESTORE;
  try {
    manifest = await readManifest(path, limits);
  } catch (error) {
    if (!isMbzError(error)) throw error;
    const moodle = error.code === ErrorCode.ArchiveNotFound ? 'filenotfound' : 'errorinvalidformat';
    throw new RestoreServiceError(error.code, error.message, moodle, { cause: error });
  }
  try {
    if (manifest === LEFT_TO_RESTORE) {
      // The settings depend on the backup: they are known once the restore has read it.
      checkOptionSyntax(options);
      return {};
    }
    return { ...(resolveRestoreOptions(options, manifest).root as Record<string, number>) };
  } catch (error) {
    if (error instanceof InvalidArgumentError)
      throw new RestoreServiceError(error.code, error.message, 'invalidextparam', { cause: error });
    throw error;
  }
}

// Internal helpers

/** What {@link readManifest} answers for a tar.gz whose `moodle_backup.xml` lies past the walk's budget. */
const LEFT_TO_RESTORE = Symbol('left to the restore');

async function readManifest(path: string, limits: PrecheckLimits): Promise<BackupManifest | typeof LEFT_TO_RESTORE> {
  const reader = await openArchive(path, { limits: limits.limits });
  try {
    const bytes = reader.randomAccess
      ? await readWhole(reader)
      : await walkToManifest(reader, limits.precheckTarBytes ?? DEFAULT_PRECHECK_TAR_BYTES);
    if (bytes === LEFT_TO_RESTORE) return LEFT_TO_RESTORE;
    if (!bytes || !isMoodle2Head(bytes)) await assertMoodle2(reader, bytes);
    let information: XmlObject | undefined;
    for await (const record of readRecords([bytes!], {
      paths: [MANIFEST_RECORD.path],
      arrays: MANIFEST_RECORD.arrays,
      entry: 'moodle_backup.xml',
      limits: limits.xmlLimits,
    })) {
      information ??= record.data;
    }
    return parseManifest(information ?? {});
  } finally {
    await reader.close();
  }
}

async function readWhole(reader: ArchiveReader): Promise<Buffer | undefined> {
  if (!(await reader.has('moodle_backup.xml'))) return undefined;
  return collect(await reader.open('moodle_backup.xml'));
}

async function walkToManifest(
  reader: ArchiveReader,
  budget: number,
): Promise<Buffer | undefined | typeof LEFT_TO_RESTORE> {
  let walked = 0;
  for await (const entry of reader.entries()) {
    // `return await`: the read must settle before the loop closes the walk, or its rejection has no handler meanwhile.
    if (entry.type === 'file' && entry.name === 'moodle_backup.xml') return await collect(entry.open());
    walked += entry.size;
    if (walked > budget) return LEFT_TO_RESTORE;
  }
  return undefined;
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
