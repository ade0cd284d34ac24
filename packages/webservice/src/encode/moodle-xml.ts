/**
 * The XML envelope of Moodle's REST server (`webservice/rest/locallib.php`): `<RESPONSE>` around the result
 * written by `xmlize_result()` (`<VALUE>`, `<SINGLE>`/`<KEY name>`, `<MULTIPLE>`), and `<EXCEPTION class>` with
 * `<ERRORCODE>`, `<MESSAGE>` and `<DEBUGINFO>` for errors. Text is escaped as `htmlspecialchars(ENT_COMPAT)`.
 */
import type { MoodleException } from '../errors/moodle-exception.ts';
import type { Description } from '../params/external-description.ts';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>\n';

/** `send_response()` in XML: the result of a function with return description `returns` (null: none). */
export function xmlResponse(result: unknown, returns: Description | null): string {
  return `${DECLARATION}<RESPONSE>\n${returns === null ? '' : xmlize(result, returns)}</RESPONSE>\n`;
}

/** `generate_error()` in XML. */
export function xmlError(error: MoodleException): string {
  const debug = error.debuginfo === null ? '' : `<DEBUGINFO>${escapeXml(error.debuginfo)}</DEBUGINFO>\n`;
  return (
    `${DECLARATION}<EXCEPTION class="${escapeXml(error.exception)}">\n<ERRORCODE>${escapeXml(error.errorcode)}</ERRORCODE>\n` +
    `<MESSAGE>${escapeXml(error.message)}</MESSAGE>\n${debug}</EXCEPTION>\n`
  );
}

// Internal helpers

function xmlize(value: unknown, description: Description): string {
  switch (description.kind) {
    case 'value': {
      if (value === null || value === undefined) return '<VALUE null="null"/>\n';
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      return `<VALUE>${escapeXml(text)}</VALUE>\n`;
    }
    case 'multiple': {
      const items = Array.isArray(value) ? value.map((v) => xmlize(v, description.content)).join('') : '';
      return `<MULTIPLE>\n${items}</MULTIPLE>\n`;
    }
    case 'single': {
      const record = (value ?? {}) as Record<string, unknown>;
      const keys = Object.entries(description.keys).map(
        ([key, sub]) => `<KEY name="${key}">${xmlize(record[key], sub)}</KEY>\n`,
      );
      return `<SINGLE>\n${keys.join('')}</SINGLE>\n`;
    }
  }
}

/** PHP `htmlspecialchars($s, ENT_COMPAT, 'UTF-8')`. */
function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
