/** Options of the webservice and the limits it enforces, with their defaults. */
import type { StorageAdapter } from '@mbz-restore/engine';
import type { RestoreService } from '@mbz-restore/service';
import type { Logger } from 'pino';

/** The limits of {@link WebserviceOptions.limits}. */
export interface WebserviceLimits {
  /** Most bytes of files one upload request may carry. Default is 512 MiB. */
  readonly maxUploadBytes: number;
  /** Most files one upload request may carry. Default is 20. */
  readonly maxFilesPerUpload: number;
  /** Most upload requests one token may have in flight at once. Default is 4. */
  readonly maxConcurrentUploads: number;
  /** Most restores of one token waiting or running (status 700 or 800) at once. Default is 20. */
  readonly maxQueuedRestores: number;
  /** Longest a request may take, body included, before it is stopped with `requesttimeout`. Default is 10 minutes. */
  readonly requestTimeoutMs: number;
  /** Most bytes of parameters one REST call may carry. Default is 1 MiB. */
  readonly maxFormBytes: number;
}

/** Default of every limit. */
export const DEFAULT_LIMITS: WebserviceLimits = Object.freeze({
  maxUploadBytes: 512 * 1024 * 1024,
  maxFilesPerUpload: 20,
  maxConcurrentUploads: 4,
  maxQueuedRestores: 20,
  requestTimeoutMs: 10 * 60 * 1000,
  maxFormBytes: 1024 * 1024,
});

/** Options of `createWebservice()`. */
export interface WebserviceOptions {
  /** The store: tokens, users, categories and site settings are read from it. Must be open. */
  readonly storage: StorageAdapter;
  /** The restore service working on the same store (draft files, restores, statuses). */
  readonly service: RestoreService;
  readonly limits?: Partial<WebserviceLimits>;
  /** Logger of one line per request; `false` for none. Default is a pino logger on stdout. */
  readonly logger?: Logger | false;
  /** Where uploads are spooled before they are stored. Default is the OS temp dir. */
  readonly tempDir?: string;
  /** The site URL `get_site_info` reports. Default is the store's `wwwroot` setting, else the URL the request used. */
  readonly siteUrl?: string;
}

/** Checks and completes the limits; throws a TypeError naming a bad one. */
export function resolveLimits(given: Partial<WebserviceLimits> = {}): WebserviceLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(`Webservice limit ${name} must be a positive whole number, got ${String(value)}.`);
  }
  return Object.freeze(limits);
}
