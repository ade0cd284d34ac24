/** Moodle's parameter encoding (PHP's `$_POST` decoding) and `external_api::validate_parameters()`. */
import { describe, expect, it } from 'vitest';
import {
  decodePhpParams,
  isMoodleException,
  multiple,
  single,
  validateParameters,
  value,
} from '@mbz-restore/webservice';
import type { PhpArray, PhpValue } from '@mbz-restore/webservice';

/** A decoded PHP array as a plain object (keys in insertion order) for comparison. */
function plain(v: PhpValue): unknown {
  return typeof v === 'string' ? v : [...(v as PhpArray)].map(([k, x]) => [k, plain(x)]);
}

function decode(query: string): unknown {
  return plain(decodePhpParams(new URLSearchParams(query)));
}

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isMoodleException(error, 'invalidparameter')) return error.debuginfo ?? '';
    throw error;
  }
  throw new Error('expected invalidparameter');
}

describe('decodePhpParams', () => {
  it('builds nested arrays from brackets, keeping the order the client sent', () => {
    expect(
      decode(
        'categoryid=1&localfile[contextid]=5&localfile[itemid]=77&options[1][name]=logs&options[1][value]=1&options[0][name]=users&options[0][value]=0',
      ),
    ).toEqual([
      ['categoryid', '1'],
      [
        'localfile',
        [
          ['contextid', '5'],
          ['itemid', '77'],
        ],
      ],
      [
        'options',
        [
          [
            '1',
            [
              ['name', 'logs'],
              ['value', '1'],
            ],
          ],
          [
            '0',
            [
              ['name', 'users'],
              ['value', '0'],
            ],
          ],
        ],
      ],
    ]);
  });

  it('appends with [], lets a later value win, and decodes percent-encoded brackets', () => {
    expect(decode('ids[]=a&ids[]=b&ids[5]=c&ids[]=d')).toEqual([
      [
        'ids',
        [
          ['0', 'a'],
          ['1', 'b'],
          ['5', 'c'],
          ['6', 'd'],
        ],
      ],
    ]);
    expect(decode('a=1&a=2')).toEqual([['a', '2']]);
    expect(decode('a=1&a[x]=2')).toEqual([['a', [['x', '2']]]]);
    expect(decode('localfile%5Bitemid%5D=9')).toEqual([['localfile', [['itemid', '9']]]]);
  });

  it('turns dots and spaces of a top-level name into underscores, as PHP does', () => {
    expect(decode('a.b=1&c d[e.f]=2')).toEqual([
      ['a_b', '1'],
      ['c_d', [['e.f', '2']]],
    ]);
  });

  it('refuses more than 1000 parameters and nesting deeper than 16 levels', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&');
    expect(invalid(() => decodePhpParams(new URLSearchParams(many)))).toContain('1000');
    expect(invalid(() => decodePhpParams(new URLSearchParams(`a${'[x]'.repeat(17)}=1`)))).toContain('16 levels');
  });
});

describe('validateParameters', () => {
  const params = single({
    categoryid: value('int', 'category'),
    flag: value('bool', 'a flag', { presence: 'optional' }),
    localfile: single({ contextid: value('int', 'context'), itemid: value('int', 'item') }),
    options: multiple(single({ name: value('alphanumext', 'name'), value: value('raw', 'value') }), 'options', {
      presence: 'default',
      default: [],
    }),
  });
  const validate = (query: string) => validateParameters(params, decodePhpParams(new URLSearchParams(query)));

  it('types values, fills defaults and leaves optional keys out', () => {
    expect(validate('categoryid=3&localfile[contextid]=5&localfile[itemid]=77')).toEqual({
      categoryid: 3,
      localfile: { contextid: 5, itemid: 77 },
      options: [],
    });
    expect(
      validate(
        'categoryid=-2&flag=1&localfile[contextid]=5&localfile[itemid]=0&options[0][name]=users&options[0][value]=1',
      ),
    ).toEqual({
      categoryid: -2,
      flag: true,
      localfile: { contextid: 5, itemid: 0 },
      options: [{ name: 'users', value: '1' }],
    });
  });

  it('refuses values that are not already clean for their type (no silent cleaning)', () => {
    for (const bad of ['01', '1.5', ' 1', '+1', '1e3', '', '99999999999999999999']) {
      expect(
        invalid(() => validate(`categoryid=${encodeURIComponent(bad)}&localfile[contextid]=5&localfile[itemid]=7`)),
      ).toBe(
        `categoryid => Invalid parameter value detected: Invalid external api parameter: the value is "${bad}", the server was expecting "int" type`,
      );
    }
    expect(
      invalid(() =>
        validate('categoryid=1&localfile[contextid]=5&localfile[itemid]=7&options[0][name]=a%20b&options[0][value]=1'),
      ),
    ).toContain('the server was expecting "alphanumext" type');
  });

  it('words each failure as Moodle does, with the path to the bad value', () => {
    expect(invalid(() => validate(''))).toBe('Missing required key in single structure: categoryid');
    expect(invalid(() => validate('categoryid[0]=1'))).toBe(
      'categoryid => Invalid parameter value detected: Scalar type expected, array or object received.',
    );
    expect(invalid(() => validate('categoryid=1&localfile=x'))).toBe(
      "localfile => Invalid parameter value detected: Only arrays accepted. The bad value is: 'x'",
    );
    expect(invalid(() => validate('categoryid=1&localfile[contextid]=5&localfile[itemid]=7&localfile[extra]=1'))).toBe(
      'localfile => Invalid parameter value detected: Unexpected keys (extra) detected in parameter array.',
    );
    expect(invalid(() => validate('categoryid=1&localfile[contextid]=5&localfile[itemid]=7&options=users'))).toBe(
      "options => Invalid parameter value detected: Only arrays accepted. The bad value is: 'users'",
    );
    expect(invalid(() => validate('categoryid=1&localfile[contextid]=5&localfile[itemid]=7&wat=1&huh=2'))).toBe(
      'Unexpected keys (wat, huh) detected in parameter array.',
    );
  });
});
