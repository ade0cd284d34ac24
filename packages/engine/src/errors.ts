/**
 * Typed errors of the engine. Every error the engine throws on purpose is an {@link MbzError}
 * with a stable `code` from {@link ErrorCode}: callers branch on `code`, never on message text.
 * Messages say what was expected, what was found, and what a person can do about it.
 */

/** Every stable error code, grouped by area. */
export const ErrorCode = {
  // Reading the container (.mbz file or folder).
  ArchiveNotFound: 'archive.not-found',
  ArchiveUnreadable: 'archive.unreadable',
  ArchiveUnknownFormat: 'archive.unknown-format',
  ArchiveCorrupt: 'archive.corrupt',
  ArchiveTruncated: 'archive.truncated',
  ArchiveUnsafeEntryName: 'archive.unsafe-entry-name',
  ArchiveLinkEntry: 'archive.link-entry',
  ArchiveTooLarge: 'archive.too-large',
  ArchiveEntryTooLarge: 'archive.entry-too-large',
  ArchiveTooManyEntries: 'archive.too-many-entries',
  ArchiveCompressionRatio: 'archive.compression-ratio',
  ArchiveEntryNotFound: 'archive.entry-not-found',
  ArchiveDuplicateEntry: 'archive.duplicate-entry',
  ArchiveClosed: 'archive.closed',
  // Parsing XML.
  XmlMalformed: 'xml.malformed',
  XmlDoctypeForbidden: 'xml.doctype-forbidden',
  XmlEntityForbidden: 'xml.entity-forbidden',
  XmlTooDeep: 'xml.too-deep',
  XmlRecordTooLarge: 'xml.record-too-large',
  XmlTextTooLarge: 'xml.text-too-large',
  XmlInvalidEncoding: 'xml.invalid-encoding',
  // Understanding the backup.
  BackupUnsupportedFormat: 'backup.unsupported-format',
  BackupInvalidManifest: 'backup.invalid-manifest',
  BackupDamagedFile: 'backup.damaged-file',
  /** A file's content in the backup's `files/` folder does not hash to the name it is stored under. */
  BackupBlobMismatch: 'backup.blob-mismatch',
  // Storage adapters.
  StorageClosed: 'storage.closed',
  StorageConstraint: 'storage.constraint',
  StorageUnknownTable: 'storage.unknown-table',
  StorageUnknownColumn: 'storage.unknown-column',
  StorageTransactionDone: 'storage.transaction-done',
  StorageIo: 'storage.io',
  /** The disk under the store or the temp folder is full (`ENOSPC`, `EDQUOT`). */
  StorageNoSpace: 'storage.no-space',
  StorageBlobMismatch: 'storage.blob-mismatch',
  // Caller input.
  InvalidArgument: 'input.invalid-argument',
  // Restoring into the store (precheck errors: nothing is written).
  RestoreUserConflict: 'restore.user-conflict',
  // The asynchronous restore service (`createRestoreService`).
  /** The service was closed; it takes no more work. */
  ServiceClosed: 'service.closed',
  /** No restore with this id (or none visible to the asking user). */
  ServiceRestoreNotFound: 'service.restore-not-found',
  /** The target course category does not exist. */
  ServiceCategoryNotFound: 'service.category-not-found',
  /** The user a request runs for does not exist. */
  ServiceUserNotFound: 'service.user-not-found',
  /** The draft file named by `localfile` does not exist (or belongs to another user). */
  ServiceDraftFileNotFound: 'service.draft-file-not-found',
  /** A draft file with this path and name already exists in the draft item. */
  ServiceDraftFileExists: 'service.draft-file-exists',
  /** Job error code: the process running the restore stopped (crash, kill, service closed) before it ended. */
  Interrupted: 'interrupted',
  /** Job error code: the restore was cancelled; nothing of it was kept. */
  Cancelled: 'cancelled',
} as const;

/** The union of every stable error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in the backup an error happened, when known. */
export interface ErrorContext {
  /** Archive entry (path inside the backup), e.g. `users.xml`. */
  entry?: string;
  /** XML element path, e.g. `/users/user`. */
  xmlPath?: string;
  /** Restore stage name. */
  stage?: string;
  /** Byte offset or line in the XML entry, when known. */
  line?: number;
}

/** Base class of every error the engine throws on purpose. */
export class MbzError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Where it happened, when known. */
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MbzError';
    this.code = code;
    this.context = options.context ?? {};
  }

  /** The plain `{ code, message }` object the CLI and webservice print. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The container itself is unusable or hostile (bad bytes, unsafe names, limits crossed). */
export class ArchiveError extends MbzError {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(code, message, options);
    this.name = 'ArchiveError';
  }
}

/** An XML entry is malformed, hostile or crosses a limit. */
export class XmlError extends MbzError {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(code, message, options);
    this.name = 'XmlError';
  }
}

/** The archive is readable but is not a Moodle 2+ backup (Moodle 1.9, IMS Common Cartridge, anything else). */
export class UnsupportedFormatError extends MbzError {
  /** What was found instead: `moodle1`, `imscc`, `unknown`. */
  readonly found: string;
  constructor(found: string, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(ErrorCode.BackupUnsupportedFormat, message, options);
    this.name = 'UnsupportedFormatError';
    this.found = found;
  }
}

/** A storage adapter failed or refused a write. */
export class StorageError extends MbzError {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

/** The caller passed something the engine cannot use (bad option, bad limit, wrong type). */
export class InvalidArgumentError extends MbzError {
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(ErrorCode.InvalidArgument, message, options);
    this.name = 'InvalidArgumentError';
  }
}

/**
 * The typed error for a system error of the disk or file system underneath (Node's `ENOSPC` from an
 * adapter's blob store, `EIO` while unpacking into the temp folder …): `storage.no-space` for a full disk
 * or quota (`ENOSPC`, `EDQUOT`), `storage.io` for any other `E…` code. `consequence` says what it means
 * for the caller (e.g. "Nothing was restored."). Engine errors and anything without such a code are
 * returned unchanged.
 */
export function fromSystemError(error: unknown, consequence: string): unknown {
  if (error instanceof MbzError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageError(
      ErrorCode.StorageNoSpace,
      `The disk is full (${detail}). ${consequence} Free space on the disk that holds the store and the temp folder (option tempDir), then try again.`,
      { cause: error },
    );
  }
  return new StorageError(
    ErrorCode.StorageIo,
    `A disk operation failed (${detail}). ${consequence} Check that the store and the temp folder are on a working, writable disk, then try again.`,
    { cause: error },
  );
}

/** True when `error` is an engine error (optionally with the given code). */
export function isMbzError(error: unknown, code?: ErrorCode): error is MbzError {
  return error instanceof MbzError && (code === undefined || error.code === code);
}
