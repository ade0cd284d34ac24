/** Answers as Moodle writes them: PHP's json_encode() and the REST server's XML envelope. */
import { describe, expect, it } from 'vitest';
import {
  MoodleException,
  multiple,
  phpJsonEncode,
  single,
  value,
  xmlError,
  xmlResponse,
} from '@mbz-restore/webservice';

const status = single({ status: value('int', 'status'), progress: value('float', 'progress') });

describe('phpJsonEncode', () => {
  it('writes whole floats with .0 and casts to the declared types, as clean_returnvalue() and json_encode() do', () => {
    expect(phpJsonEncode({ status: 1000, progress: 1 }, status)).toBe('{"status":1000,"progress":1.0}');
    expect(phpJsonEncode({ status: '800', progress: 0.25 }, status)).toBe('{"status":800,"progress":0.25}');
    expect(phpJsonEncode({ status: 700, progress: 1e-7 }, status)).toBe('{"status":700,"progress":1.0e-7}');
  });

  it('escapes slashes and non-ASCII characters as PHP does, and leaves out absent optional keys', () => {
    expect(phpJsonEncode({ filepath: '/a/', name: 'Kurs Ü 😀' })).toBe(
      '{"filepath":"\\/a\\/","name":"Kurs \\u00dc \\ud83d\\ude00"}',
    );
    expect(JSON.parse(phpJsonEncode({ filepath: '/a/', name: 'Kurs Ü 😀' }))).toEqual({
      filepath: '/a/',
      name: 'Kurs Ü 😀',
    });
    const desc = single({ a: value('int', 'a'), b: value('int', 'b', { presence: 'optional' }) });
    expect(phpJsonEncode({ a: 1 }, desc)).toBe('{"a":1}');
    expect(phpJsonEncode([{ x: null }], multiple(single({ x: value('raw', 'x', { allownull: true }) })))).toBe(
      '[{"x":null}]',
    );
  });
});

describe('Moodle XML envelope', () => {
  it('writes RESPONSE with SINGLE/KEY/VALUE and MULTIPLE, escaping text', () => {
    const desc = multiple(
      single({ name: value('raw', 'n'), on: value('bool', 'b'), none: value('raw', 'x', { presence: 'optional' }) }),
    );
    expect(xmlResponse([{ name: 'a<b & "c"', on: true }], desc)).toBe(
      '<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n<MULTIPLE>\n<SINGLE>\n' +
        '<KEY name="name"><VALUE>a&lt;b &amp; &quot;c&quot;</VALUE>\n</KEY>\n<KEY name="on"><VALUE>1</VALUE>\n</KEY>\n<KEY name="none"><VALUE null="null"/>\n</KEY>\n' +
        '</SINGLE>\n</MULTIPLE>\n</RESPONSE>\n',
    );
    expect(xmlResponse(null, null)).toBe('<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n</RESPONSE>\n');
  });

  it('writes EXCEPTION with ERRORCODE, MESSAGE and DEBUGINFO', () => {
    const e = new MoodleException(
      'invalid_parameter_exception',
      'invalidparameter',
      'Invalid parameter value detected',
      'Missing <key>',
    );
    expect(xmlError(e)).toBe(
      '<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="invalid_parameter_exception">\n<ERRORCODE>invalidparameter</ERRORCODE>\n' +
        '<MESSAGE>Invalid parameter value detected</MESSAGE>\n<DEBUGINFO>Missing &lt;key&gt;</DEBUGINFO>\n</EXCEPTION>\n',
    );
    expect(e.toJSON()).toEqual({
      exception: 'invalid_parameter_exception',
      errorcode: 'invalidparameter',
      message: 'Invalid parameter value detected',
      debuginfo: 'Missing <key>',
    });
  });
});
