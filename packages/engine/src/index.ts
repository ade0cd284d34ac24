/** Public API of @mbz-restore/engine. Named exports only; anything not listed here is internal. */
export { ErrorCode, MbzError, ArchiveError, XmlError, UnsupportedFormatError, InvalidArgumentError, isMbzError } from './errors.ts';
export type { ErrorContext } from './errors.ts';
export type { ArchiveKind, ArchiveEntryInfo, ArchiveEntry, ArchiveReader } from './archive/archive-reader.ts';
export { DEFAULT_ARCHIVE_LIMITS } from './archive/limits.ts';
export type { ArchiveLimits } from './archive/limits.ts';
export { DEFAULT_XML_LIMITS } from './xml/types.ts';
export type { XmlValue, XmlObject, XmlRecord, XmlLimits, RecordReaderOptions } from './xml/types.ts';
