/**
 * `external_api::validate_parameters()` over decoded request parameters: every value is checked against its
 * description, required keys must be there, defaults fill absent ones, unexpected keys are refused, and each
 * failure is an `invalid_parameter_exception` whose `debuginfo` walks the path to the bad value in Moodle's
 * words (`localfile => Invalid parameter value detected: Missing required key in single structure: itemid`).
 */
import { MoodleException } from '../errors/moodle-exception.ts';
import { invalidParameter } from '../errors/exceptions.ts';
import type { Description, ParamType, SingleDescription } from './external-description.ts';
import { isPhpArray, printR } from './php-params.ts';
import type { PhpArray, PhpValue } from './php-params.ts';

/** A validated value: typed scalars, objects for single structures, arrays for multiple ones. */
export type Validated = string | number | boolean | null | Validated[] | { [key: string]: Validated };

/** Validates `params` (the request's function parameters) against a function's parameter structure. */
export function validateParameters(description: SingleDescription, params: PhpArray): Record<string, Validated> {
  return validate(description, params) as Record<string, Validated>;
}

// Internal helpers

function validate(description: Description, params: PhpValue): Validated {
  switch (description.kind) {
    case 'value':
      if (isPhpArray(params)) throw invalidParameter('Scalar type expected, array or object received.');
      return validateParam(params, description.type);
    case 'single': {
      if (!isPhpArray(params)) throw invalidParameter(`Only arrays accepted. The bad value is: '${printR(params)}'`);
      const rest = new Map(params);
      const result: Record<string, Validated> = {};
      for (const [key, sub] of Object.entries(description.keys)) {
        const given = rest.get(key);
        rest.delete(key);
        if (given === undefined) {
          if (sub.presence === 'required') throw invalidParameter(`Missing required key in single structure: ${key}`);
          if (sub.presence === 'default') result[key] = structuredClone(sub.default) as Validated;
          continue;
        }
        result[key] = nested(key, () => validate(sub, given));
      }
      if (rest.size > 0)
        throw invalidParameter(`Unexpected keys (${[...rest.keys()].join(', ')}) detected in parameter array.`);
      return result;
    }
    case 'multiple': {
      if (!isPhpArray(params)) throw invalidParameter(`Only arrays accepted. The bad value is: '${printR(params)}'`);
      return [...params.values()].map((item) => validate(description.content, item));
    }
  }
}

/** Runs `fn`; an invalid-parameter failure gets `key => ` in front, as Moodle builds the path. */
function nested(key: string, fn: () => Validated): Validated {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MoodleException && error.errorcode === 'invalidparameter') {
      throw invalidParameter(`${key} => ${error.message}: ${error.debuginfo ?? ''}`);
    }
    throw error;
  }
}

/** `validate_param()`: the value must already be clean for its type, else it is refused (not cleaned). */
function validateParam(value: string, type: ParamType): Validated {
  const refuse = (): never => {
    throw invalidParameter(
      `Invalid external api parameter: the value is "${value}", the server was expecting "${type}" type`,
    );
  };
  switch (type) {
    case 'int': {
      if (!/^-?(0|[1-9]\d*)$/.test(value)) return refuse();
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : refuse();
    }
    case 'float':
      return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? Number(value) : refuse();
    case 'bool':
      return value === '1' || value === 'true'
        ? true
        : value === '0' || value === 'false' || value === ''
          ? false
          : refuse();
    case 'alpha':
      return /^[A-Za-z]*$/.test(value) ? value : refuse();
    case 'alphanum':
      return /^[A-Za-z0-9]*$/.test(value) ? value : refuse();
    case 'alphanumext':
      return /^[A-Za-z0-9_-]*$/.test(value) ? value : refuse();
    case 'lang':
      return /^[a-z0-9_-]*$/.test(value) ? value : refuse();
    case 'raw':
    case 'text':
    case 'url':
      return value;
  }
}
