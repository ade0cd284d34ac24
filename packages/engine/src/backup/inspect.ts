/**
 * Offline inspection of a backup: what course it is, from which Moodle, with which activities,
 * users, logs and files — without a Moodle and without restoring anything.
 *
 * One sequential pass over the container (the only cheap way to read a tar.gz): each entry is
 * routed by name to a counter that streams it, so memory stays bounded whatever the backup's size.
 */
import { openArchive, type OpenArchiveOptions } from '../archive/open-archive.ts';
import type { ArchiveEntry, ArchiveKind, ArchiveReader } from '../archive/archive-reader.ts';
import { createHash } from 'node:crypto';
import { ErrorCode, isMbzError, MbzError } from '../errors.ts';
import { WarningCollector, type BackupWarning } from '../warnings.ts';
import { countRecords, readRecords } from '../xml/record-reader.ts';
import type { XmlLimits, XmlObject } from '../xml/types.ts';
import type { BackupCounts } from './counts.ts';
import { assertMoodle2 } from './detect-backup-format.ts';
import { warnIfNewerBackup } from './known-version.ts';
import { parseManifest, MANIFEST_RECORD, type BackupManifest } from './manifest.ts';
import { readManifestBytes, routeEntry, type CountRoute } from './inspect-routes.ts';

/** What {@link inspectBackup} reports (the shape `mbz inspect --json` prints). */
export interface BackupInspection {
  archive: ArchiveKind;
  format: 'moodle2';
  type: 'course' | 'section' | 'activity';
  mode: number;
  moodleRelease: string;
  moodleVersion: string;
  backupRelease: string;
  backupVersion: string;
  /** Unix time of the backup. */
  backupDate: number;
  originalCourse: { id: number; fullname: string; shortname: string; startdate: number; format: string | null };
  /** Root settings exactly as in the XML. */
  settings: Record<string, string>;
  counts: BackupCounts;
  warnings: BackupWarning[];
  /**
   * With `verify`: every problem a restore would stop on, one per damaged entry (an XML file that is not well-formed
   * or declares a DOCTYPE, a blob whose content does not match its SHA-1 name), each with the code restore fails
   * with. Empty for a sound backup; absent without `verify`.
   */
  problems?: BackupProblem[];
}

/** One damaged entry found by a verifying inspection. */
export interface BackupProblem {
  /** The error code a restore fails with (`xml.malformed`, `xml.doctype-forbidden`, `backup.blob-mismatch` …). */
  readonly code: string;
  readonly message: string;
  readonly entry: string;
}

/** Options of {@link inspectBackup}. */
export interface InspectOptions extends OpenArchiveOptions {
  /** XML reader limits. */
  xmlLimits?: Partial<XmlLimits>;
  /**
   * Also parse every XML file of the backup (not only those counted) and check every blob against its SHA-1 name,
   * reporting each damaged entry in `problems` instead of failing at the first (`mbz inspect --verify`).
   */
  verify?: boolean;
}

/** Inspects a `.mbz` (ZIP or tar.gz) or an extracted backup folder, given by path or as an open reader. */
export async function inspectBackup(
  source: string | ArchiveReader,
  options: InspectOptions = {},
): Promise<BackupInspection> {
  const reader = typeof source === 'string' ? await openArchive(source, options) : source;
  try {
    return await inspectReader(reader, options);
  } finally {
    if (typeof source === 'string') await reader.close();
  }
}

// Internal helpers

interface Tally {
  counts: Omit<BackupCounts, 'sections' | 'activities' | 'modules'>;
  names: Set<string>;
  blobHashes: Set<string>;
  /** contenthash → first entry that wants it (non-directory files.xml records). */
  wantedBlobs: Map<string, string>;
  manifestBytes?: Buffer;
  sawUsersXml: boolean;
  sawQuestionsXml: boolean;
  sawFilesXml: boolean;
  /** Damaged entries found (verify only). */
  problems?: BackupProblem[];
}

async function inspectReader(reader: ArchiveReader, options: InspectOptions): Promise<BackupInspection> {
  const tally: Tally = {
    counts: {
      users: 0,
      logEntries: 0,
      logEntriesLegacy: 0,
      logEntriesLogstore: 0,
      files: 0,
      filesNonDir: 0,
      blobs: 0,
      questionCategories: 0,
      questions: 0,
      gradeHistoryEntries: 0,
      gradeGrades: 0,
      groups: 0,
      userEnrolments: 0,
      comments: 0,
      blocks: 0,
    },
    names: new Set(),
    blobHashes: new Set(),
    wantedBlobs: new Map(),
    sawUsersXml: false,
    sawQuestionsXml: false,
    sawFilesXml: false,
    ...(options.verify ? { problems: [] } : {}),
  };
  try {
    for await (const entry of reader.entries()) {
      if (entry.type !== 'file') continue;
      tally.names.add(entry.name);
      if (tally.problems) await verifyEntry(entry, tally, options, tally.problems);
      else await visit(entry, tally, options);
    }
  } catch (error) {
    // A damaged file inside something that is not a Moodle backup at all: say what it is instead.
    if (isMbzError(error) && !error.code.startsWith('archive.')) await assertMoodle2(reader);
    throw error;
  }
  // XML errors (a DOCTYPE, malformed text) come first: they say more than "not a Moodle backup".
  const information = tally.manifestBytes ? await readInformation(tally.manifestBytes, options) : undefined;
  await assertMoodle2(reader, tally.manifestBytes);
  return report(reader.kind, parseManifest(information ?? {}), tally, reader.warnings?.() ?? []);
}

/**
 * Visits an entry as {@link visit} does, but records a damaged entry as a problem and goes on; parses the XML files
 * no count reads, and hashes blobs. A damaged archive (not an entry's content) still fails the whole inspection.
 */
async function verifyEntry(
  entry: ArchiveEntry,
  tally: Tally,
  options: InspectOptions,
  problems: BackupProblem[],
): Promise<void> {
  try {
    const route = routeEntry(entry.name);
    if (route?.kind === 'blob') await checkBlob(entry, route.hash);
    // Each entry is opened at most once: a blob or block entry is counted without reading it.
    await visit(entry, tally, options);
    if (entry.name.endsWith('.xml') && (route === undefined || route.kind === 'block')) {
      await countRecords(entry.open(), [], { entry: entry.name, limits: options.xmlLimits });
    }
  } catch (error) {
    if (!isMbzError(error) || error.code.startsWith('archive.') || entry.name === 'moodle_backup.xml') throw error;
    problems.push({ code: error.code, message: error.message, entry: entry.name });
  }
}

/** `backup.blob-mismatch` when a blob's content does not hash to its name, as the restore's files stage checks. */
async function checkBlob(entry: ArchiveEntry, name: string): Promise<void> {
  const hash = createHash('sha1');
  for await (const chunk of entry.open()) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== name) {
    throw new MbzError(
      ErrorCode.BackupBlobMismatch,
      `The content of ${entry.name} does not match its name: its SHA-1 is ${actual}. The file is damaged; a restore stops on it.`,
    );
  }
}

async function visit(entry: ArchiveEntry, tally: Tally, options: InspectOptions): Promise<void> {
  const route = routeEntry(entry.name);
  if (!route) return;
  if (route.kind === 'manifest') {
    tally.manifestBytes = await readManifestBytes(entry);
  } else if (route.kind === 'blob') {
    tally.counts.blobs++;
    tally.blobHashes.add(route.hash);
  } else if (route.kind === 'block') {
    tally.counts.blocks++;
  } else if (route.kind === 'files') {
    tally.sawFilesXml = true;
    await tallyFiles(entry, tally, options);
  } else {
    await tallyCounts(entry, route, tally, options);
  }
}

async function tallyCounts(
  entry: ArchiveEntry,
  route: CountRoute,
  tally: Tally,
  options: InspectOptions,
): Promise<void> {
  if (entry.name === 'users.xml') tally.sawUsersXml = true;
  if (entry.name === 'questions.xml') tally.sawQuestionsXml = true;
  const found = await countRecords(entry.open(), Object.keys(route.paths), {
    entry: entry.name,
    limits: options.xmlLimits,
  });
  for (const [path, key] of Object.entries(route.paths))
    tally.counts[key] = (tally.counts[key] ?? 0) + (found[path] ?? 0);
}

async function tallyFiles(entry: ArchiveEntry, tally: Tally, options: InspectOptions): Promise<void> {
  for await (const record of readRecords(entry.open(), {
    paths: ['/files/file'],
    entry: entry.name,
    limits: options.xmlLimits,
  })) {
    tally.counts.files++;
    const { filename, contenthash } = record.data;
    if (filename === '.') continue;
    tally.counts.filesNonDir++;
    if (typeof contenthash === 'string' && contenthash !== '' && !tally.wantedBlobs.has(contenthash)) {
      tally.wantedBlobs.set(contenthash, typeof filename === 'string' ? filename : '');
    }
  }
}

async function readInformation(bytes: Buffer, options: InspectOptions): Promise<XmlObject | undefined> {
  let information: XmlObject | undefined;
  for await (const record of readRecords([bytes], {
    paths: [MANIFEST_RECORD.path],
    arrays: MANIFEST_RECORD.arrays,
    entry: 'moodle_backup.xml',
    limits: options.xmlLimits,
  })) {
    information ??= record.data;
  }
  return information;
}

function report(
  kind: ArchiveKind,
  manifest: BackupManifest,
  tally: Tally,
  archiveWarnings: readonly BackupWarning[],
): BackupInspection {
  const warnings = new WarningCollector();
  // Link entries the archive reader skipped or read as another file (`archive/link-entry.ts`), as a restore reports them.
  for (const w of archiveWarnings) warnings.warn(w.code, w.message, w.entry);
  const { names, counts } = tally;
  const modules: Record<string, number> = {};
  for (const activity of [...manifest.activities].sort((a, b) => a.moduleName.localeCompare(b.moduleName))) {
    modules[activity.moduleName] = (modules[activity.moduleName] ?? 0) + 1;
  }
  warnIfNewerBackup(manifest, (code, message, entry) => warnings.warn(code, message, entry));
  if (!tally.sawFilesXml)
    warnings.warn(
      'files-xml-missing',
      'files.xml is missing: the backup lists no files, so none will be restored.',
      'files.xml',
    );
  if (manifest.rootSettings.users === '1' && !tally.sawUsersXml) {
    warnings.warn(
      'users-xml-missing',
      'The backup says it includes users, but users.xml is missing: no users or user data can be restored.',
      'users.xml',
    );
  }
  if (manifest.detail.type === 'course' && !names.has('course/course.xml')) {
    warnings.warn(
      'course-xml-missing',
      'course/course.xml is missing: course settings cannot be restored.',
      'course/course.xml',
    );
  }
  for (const section of manifest.sections) {
    const entry = `${section.directory}/section.xml`;
    if (!names.has(entry))
      warnings.warn(
        'section-xml-missing',
        `Section ${section.title} has no ${entry}; it will be restored empty.`,
        entry,
      );
  }
  for (const activity of manifest.activities) {
    const entry = `${activity.directory}/module.xml`;
    if (!names.has(entry))
      warnings.warn(
        'module-xml-missing',
        `Activity "${activity.title}" has no ${entry}; it cannot be restored.`,
        entry,
      );
  }
  if (manifest.includeFiles) {
    for (const [hash, filename] of tally.wantedBlobs) {
      if (!tally.blobHashes.has(hash)) {
        warnings.warn(
          'blob-missing',
          `File "${filename}" (content ${hash}) is listed in files.xml but its content is not in files/; it will be skipped.`,
          `files/${hash.slice(0, 2)}/${hash}`,
        );
      }
    }
  }
  return {
    archive: kind,
    format: 'moodle2',
    type: manifest.detail.type,
    mode: manifest.detail.mode,
    moodleRelease: manifest.moodleRelease,
    moodleVersion: manifest.moodleVersion,
    backupRelease: manifest.backupRelease,
    backupVersion: manifest.backupVersion,
    backupDate: manifest.backupDate,
    originalCourse: {
      id: manifest.originalCourseId,
      fullname: manifest.originalCourseFullname,
      shortname: manifest.originalCourseShortname,
      startdate: manifest.originalCourseStartdate,
      format: manifest.originalCourseFormat,
    },
    settings: { ...manifest.rootSettings },
    counts: {
      sections: manifest.sections.length,
      activities: manifest.activities.length,
      modules,
      ...counts,
      users: tally.sawUsersXml ? counts.users : null,
      questionCategories: tally.sawQuestionsXml ? counts.questionCategories : null,
      questions: tally.sawQuestionsXml ? counts.questions : null,
      logEntries: counts.logEntriesLegacy + counts.logEntriesLogstore,
    },
    warnings: warnings.list(),
    ...(tally.problems ? { problems: tally.problems } : {}),
  };
}
