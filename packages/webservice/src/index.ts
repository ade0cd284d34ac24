/** Public API of @mbz-restore/webservice. Named exports only; anything not listed here is internal. */
export { createWebservice, UPLOAD_PATH, REST_PATH } from './server/create-webservice.ts';
export type { Webservice, WebserviceAddress } from './server/create-webservice.ts';
export { DEFAULT_LIMITS, resolveLimits } from './server/options.ts';
export type { WebserviceOptions, WebserviceLimits } from './server/options.ts';
export { createToken, authenticateToken, ADMIN_USER_ID, TOKEN_TYPE_PERMANENT } from './tokens/token-store.ts';
export type { CreateTokenOptions, CreatedToken } from './tokens/token-store.ts';
export type { TokenIdentity, TokenUser } from './tokens/token-types.ts';
export { hashToken } from './tokens/token-secret.ts';
export { MoodleException, isMoodleException } from './errors/moodle-exception.ts';
export { TokenLimits } from './limits/token-limits.ts';
export type { RestoreSlot } from './limits/token-limits.ts';
export { EXTERNAL_FUNCTIONS } from './functions/index.ts';
export type { ExternalFunction, FunctionContext } from './functions/external-function.ts';
export { decodePhpParams } from './params/php-params.ts';
export type { PhpValue, PhpArray } from './params/php-params.ts';
export { validateParameters } from './params/validate-parameters.ts';
export { value, single, multiple } from './params/external-description.ts';
export type {
  Description,
  ValueDescription,
  SingleDescription,
  MultipleDescription,
  ParamType,
} from './params/external-description.ts';
export { phpJsonEncode } from './encode/php-json.ts';
export { xmlResponse, xmlError } from './encode/moodle-xml.ts';
