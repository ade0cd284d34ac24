/** Public API of @mbz-restore/engine. Named exports only; anything not listed here is internal. */
export {
  ErrorCode,
  MbzError,
  ArchiveError,
  XmlError,
  UnsupportedFormatError,
  InvalidArgumentError,
  isMbzError,
  fromSystemError,
} from './errors.ts';
export type { ErrorContext } from './errors.ts';
export type { ArchiveKind, ArchiveEntryInfo, ArchiveEntry, ArchiveReader } from './archive/archive-reader.ts';
export type { FileContent, FileVisitor } from './archive/tar-visit.ts';
export { DEFAULT_ARCHIVE_LIMITS } from './archive/limits.ts';
export type { ArchiveLimits } from './archive/limits.ts';
export { openArchive } from './archive/open-archive.ts';
export type { OpenArchiveOptions } from './archive/open-archive.ts';
export { detectArchiveKind } from './archive/detect-format.ts';
export { checkEntryName } from './archive/entry-name.ts';
export type { EntryNameCheck } from './archive/entry-name.ts';
export { DEFAULT_XML_LIMITS } from './xml/types.ts';
export type { XmlValue, XmlObject, XmlRecord, XmlLimits, RecordReaderOptions } from './xml/types.ts';
export { readRecords, countRecords } from './xml/record-reader.ts';
export type { XmlSource, CountRecordsOptions } from './xml/record-reader.ts';
export { parseXmlDocument } from './xml/parse-document.ts';
export type { ParseXmlDocumentOptions } from './xml/parse-document.ts';
export { MOODLE_NULL } from './xml/record-builder.ts';
export type { BackupCounts } from './backup/counts.ts';
export { inspectBackup } from './backup/inspect.ts';
export type { BackupInspection, BackupProblem, InspectOptions } from './backup/inspect.ts';
export { parseManifest, MANIFEST_RECORD } from './backup/manifest.ts';
export type {
  BackupManifest,
  BackupDetail,
  BackupSectionRef,
  BackupActivityRef,
  ScopedSetting,
} from './backup/manifest.ts';
export { assertMoodle2, isMoodle2Head } from './backup/detect-backup-format.ts';
export type { BackupFormat } from './backup/detect-backup-format.ts';
export { NEWEST_KNOWN_MOODLE, NEWER_BACKUP_WARNING } from './backup/known-version.ts';
export { WarningCollector } from './warnings.ts';
export type { BackupWarning } from './warnings.ts';
export {
  EnrolMode,
  MDL64915_OPTION_NAMES,
  ROOT_OPTION_NAMES,
  ROOT_OPTIONS,
  BACKUP_VALUE_WHEN_ABSENT,
  isRootOptionName,
} from './options/restore-options.ts';
export type { Mdl64915OptionName, RootOptionName, RootOptionSpec } from './options/restore-options.ts';
export type { OptionValue, OptionItem, RestoreOptionsInput } from './options/option-input.ts';
export { resolveRestoreOptions, excludesActivities } from './options/resolve-options.ts';
export { checkOptionSyntax } from './options/option-input.ts';
export type {
  ResolvedRestoreOptions,
  ResolvedSectionOptions,
  ResolvedActivityOptions,
  SettingResolution,
  SettingStatus,
} from './options/resolve-options.ts';
export { parseOptionArgs, optionArgsHelp } from './options/parse-option-args.ts';
export { StorageError } from './errors.ts';
export type {
  StorageAdapter,
  StorageTransaction,
  StorageCapabilities,
  StorageOpenSpec,
  Row,
  Where,
  SqlValue,
  SelectOptions,
} from './storage/storage-adapter.ts';
export { RestoreStatus } from './storage/job-store.ts';
export { jobToRow, rowToJob } from './storage/job-row.ts';
export type { JobStore, RestoreJobRecord } from './storage/job-store.ts';
export { MOODLE_TABLES, MOODLE_SCHEMA_VERSION } from './schema/moodle-schema.ts';
export type { ColumnType, ColumnSpec, IndexSpec, TableSpec } from './schema/types.ts';
export { createSiteSeed, createSiteIdentifier, SITE_SEED_VERSION, SEED_MODULES } from './schema/site-seed.ts';
export type { SiteSeedOptions } from './schema/site-seed.ts';
export { restore } from './restore/restore.ts';
export type { RestoreRequest, RestoreResult } from './restore/restore.ts';
export type { RestoreProgress, StageResult } from './pipeline/run-pipeline.ts';
export { RESTORE_STAGES } from './stages/index.ts';
export { defineStage } from './pipeline/define-stage.ts';
export type { StageDefinition } from './pipeline/define-stage.ts';
export { IdMap } from './restore/id-map.ts';
export { openBackupSource } from './restore/backup-source.ts';
export { pathnameHash, EMPTY_CONTENTHASH } from './stages/files/file-rows.ts';
export type { FileTarget } from './stages/files/file-rows.ts';
export type { BackupSource } from './restore/backup-source.ts';
export { MODULE_SPECS } from './modules/index.ts';
export type { ModuleSpec, RecordSpec, RefSpec, FileAreaSpec, UnmappedPolicy } from './modules/types.ts';
