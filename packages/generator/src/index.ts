/**
 * Public API of @mbz-restore/generator: a deterministic generator of valid Moodle 4.3 course
 * backups (`.mbz`, tar.gz or ZIP) in five sizes, for tests, demos and benchmarks of the restore
 * engine. Named exports only; anything not listed here is internal.
 */
export { generateBackup } from './generate-backup.ts';
export type { GenerateOptions, GenerateResult } from './types.ts';
export { SIZE_TABLE, BACKUP_SIZES, isBackupSize } from './sizes.ts';
export type { BackupSize, SizeProfile } from './sizes.ts';
export type { Container } from './archive-writer.ts';
export { ARCHIVE_INDEX_NAME, formatArchiveIndex } from './archive-writer.ts';
export { MOODLE_RELEASE, MOODLE_VERSION, BACKUP_RELEASE, BACKUP_VERSION } from './moodle-backup-xml.ts';
export { XmlWriter, escapeText, escapeAttribute, MOODLE_NULL, XML_DECLARATION } from './xml-writer.ts';
export type { TextSink, XmlLeafValue } from './xml-writer.ts';
export { createRng, hashInts } from './prng.ts';
export type { Rng } from './prng.ts';
