/** The external functions this webservice serves, by name. */
import type { ExternalFunction } from './external-function.ts';
import { getAsyncBackupProgress } from './get-async-backup-progress.ts';
import { getSiteInfo } from './get-site-info.ts';
import { restoreAsync } from './restore-async.ts';
import { restoreAsyncGetStatus } from './restore-async-get-status.ts';

/** Every function, in the order `get_site_info` lists them. */
export const EXTERNAL_FUNCTIONS: readonly ExternalFunction[] = [
  getSiteInfo,
  restoreAsync,
  restoreAsyncGetStatus,
  getAsyncBackupProgress,
];
