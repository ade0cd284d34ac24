/** The shape of one external function: Moodle's `db/services.php` entry plus its `_parameters()`, `_returns()` and body. */
import type { AppContext } from '../server/app-context.ts';
import type { RequestScope } from '../server/http-io.ts';
import type { Description, SingleDescription } from '../params/external-description.ts';
import type { Validated } from '../params/validate-parameters.ts';
import type { TokenIdentity } from '../tokens/token-types.ts';

/** What a function is called with besides its parameters. */
export interface FunctionContext {
  readonly token: TokenIdentity;
  readonly app: AppContext;
  readonly scope: RequestScope;
}

/** One external function. */
export interface ExternalFunction {
  /** e.g. `core_course_restore_async`. */
  readonly name: string;
  /** Component that declares it (`core`), for `get_site_info`'s function list. */
  readonly component: string;
  readonly parameters: SingleDescription;
  /** Return description; null for a function returning nothing. */
  readonly returns: Description | null;
  execute(params: Record<string, Validated>, context: FunctionContext): Promise<unknown>;
}
