/**
 * Parameter and return descriptions of external functions, as Moodle declares them (`external_value`,
 * `external_single_structure`, `external_multiple_structure` in `lib/external/classes/`): the request is
 * validated against them and the result is encoded through them (JSON types, the XML envelope).
 */

/** Moodle's `PARAM_*` types this service uses (the constant's value is Moodle's own). */
export type ParamType =
  | 'alpha'
  | 'int'
  | 'float'
  | 'bool'
  | 'alphanum'
  | 'alphanumext'
  | 'raw'
  | 'text'
  | 'url'
  | 'lang';

/** `VALUE_REQUIRED`, `VALUE_OPTIONAL` or `VALUE_DEFAULT`. */
export type Presence = 'required' | 'optional' | 'default';

interface DescriptionBase {
  /** Human description (Moodle's `desc`). */
  readonly desc: string;
  readonly presence: Presence;
  /** The value used when absent and `presence` is `default`. */
  readonly default?: unknown;
}

/** `external_value`. */
export interface ValueDescription extends DescriptionBase {
  readonly kind: 'value';
  readonly type: ParamType;
  /** NULL_ALLOWED. Default is false. */
  readonly allownull: boolean;
}

/** `external_single_structure`: fixed keys. */
export interface SingleDescription extends DescriptionBase {
  readonly kind: 'single';
  readonly keys: Readonly<Record<string, Description>>;
}

/** `external_multiple_structure`: a list of one content shape. */
export interface MultipleDescription extends DescriptionBase {
  readonly kind: 'multiple';
  readonly content: Description;
}

/** Any description. */
export type Description = ValueDescription | SingleDescription | MultipleDescription;

/** Options shared by the builders. */
export interface DescribeOptions {
  readonly presence?: Presence;
  readonly default?: unknown;
  readonly allownull?: boolean;
}

/** `new external_value(type, desc, required, default, allownull)`. */
export function value(type: ParamType, desc: string, options: DescribeOptions = {}): ValueDescription {
  return {
    kind: 'value',
    type,
    desc,
    presence: options.presence ?? 'required',
    default: options.default,
    allownull: options.allownull ?? false,
  };
}

/** `new external_single_structure(keys, desc, required, default)`. */
export function single(keys: Record<string, Description>, desc = '', options: DescribeOptions = {}): SingleDescription {
  return { kind: 'single', keys, desc, presence: options.presence ?? 'required', default: options.default };
}

/** `new external_multiple_structure(content, desc, required, default)`. */
export function multiple(content: Description, desc = '', options: DescribeOptions = {}): MultipleDescription {
  return { kind: 'multiple', content, desc, presence: options.presence ?? 'required', default: options.default };
}
