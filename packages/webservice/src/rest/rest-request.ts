/**
 * The reserved parameters of a REST call, split from the function's own as `webservice_rest_server::parse_request()`
 * does: `$_GET` and `$_POST` merged (the body wins), `moodlewsrestformat` (`json`, else `xml`), `wstoken`,
 * `wsfunction`, and the `moodlewssetting*` settings (`external_settings`, not used here) removed.
 */
import { decodePhpParams, isPhpArray } from '../params/php-params.ts';
import type { PhpArray } from '../params/php-params.ts';

/** A parsed REST call. */
export interface RestRequest {
  readonly format: 'json' | 'xml';
  readonly token: string | undefined;
  readonly wsfunction: string | undefined;
  /** Everything else: the function's parameters. */
  readonly params: PhpArray;
}

/** Splits the query and body parameters of a call. */
export function parseRestRequest(
  query: Iterable<readonly [string, string]>,
  body: Iterable<readonly [string, string]>,
): RestRequest {
  const params: PhpArray = new Map([...decodePhpParams(query), ...decodePhpParams(body)]);
  const take = (name: string): string | undefined => {
    const v = params.get(name);
    params.delete(name);
    return isPhpArray(v) ? '' : v;
  };
  const format = take('moodlewsrestformat');
  const token = take('wstoken');
  const wsfunction = take('wsfunction');
  for (const name of [...params.keys()]) if (name.startsWith('moodlewssetting')) params.delete(name);
  return { format: format === 'json' ? 'json' : 'xml', token, wsfunction, params };
}
