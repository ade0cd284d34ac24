/** What every handler and external function shares: the store, the restore service, limits and state. */
import type { StorageAdapter } from '@mbz-restore/engine';
import type { RestoreService } from '@mbz-restore/service';
import type { Logger } from 'pino';
import type { ExternalFunction } from '../functions/external-function.ts';
import type { TokenLimits } from '../limits/token-limits.ts';
import type { WebserviceLimits } from './options.ts';

/** The shared state of one webservice. */
export interface AppContext {
  readonly storage: StorageAdapter;
  readonly service: RestoreService;
  readonly limits: WebserviceLimits;
  readonly tokenLimits: TokenLimits;
  readonly logger: Logger | undefined;
  readonly tempDir: string;
  readonly siteUrl: string | undefined;
  /** The external functions served, by name. */
  readonly functions: ReadonlyMap<string, ExternalFunction>;
  /** True once shutdown began: no new uploads or restores are taken. */
  closing(): boolean;
}
