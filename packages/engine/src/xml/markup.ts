/**
 * The rarer markup of an XML document: comments, processing instructions, the XML declaration,
 * CDATA openers and the refused `<!DOCTYPE`. Moodle's writer only emits the declaration
 * (`<?xml version="1.0" encoding="UTF-8"?>`), but a backup may have been edited by hand or by
 * another tool, so each form is checked as strictly as expat does (the parser behind Moodle's
 * `progressive_parser`). Each function gets the batch `s` and the index of `<`, and returns the index
 * after the construct or {@link INCOMPLETE} when `s` ends first.
 */
import { ErrorCode } from '../errors.ts';
import type { FailFn } from './entities.ts';

/** Returned when the construct does not end within the batch (more input is needed). */
export const INCOMPLETE = -1;

/** `<!` opens a comment. */
export const BANG_COMMENT = 1;
/** `<!` opens a CDATA section. */
export const BANG_CDATA = 2;

/** Tells a comment from a CDATA section after `<!`; a DOCTYPE is refused, anything else is malformed. */
export function classifyBang(s: string, lt: number, fail: FailFn): number {
  if (s.startsWith('--', lt + 2)) return BANG_COMMENT;
  if (s.startsWith('[CDATA[', lt + 2)) return BANG_CDATA;
  const head = s.slice(lt, lt + 9);
  if (head.toUpperCase() === '<!DOCTYPE') {
    fail(
      ErrorCode.XmlDoctypeForbidden,
      'a <!DOCTYPE> declaration is not allowed: the reader never reads DTDs or entity declarations (Moodle never writes them)',
    );
  }
  if (head.length < 9 && ['<!--', '<![CDATA[', '<!DOCTYPE'].some((form) => form.startsWith(head.toUpperCase())))
    return INCOMPLETE;
  return fail(ErrorCode.XmlMalformed, `"${printable(head)}" is not a comment, CDATA section or element`);
}

/** Skips `<!-- … -->`; `--` inside a comment is malformed. */
export function skipComment(s: string, lt: number, fail: FailFn): number {
  const dashes = s.indexOf('--', lt + 4);
  if (dashes === -1 || dashes + 2 >= s.length) return INCOMPLETE;
  if (s.charCodeAt(dashes + 2) !== 62 /* > */) fail(ErrorCode.XmlMalformed, "'--' is not allowed inside a comment");
  return dashes + 3;
}

/**
 * Skips `<?target … ?>`. The XML declaration (`<?xml …?>`) is checked and allowed only at the very
 * start of the document (`atStart`); it must declare UTF-8 or no encoding.
 */
export function skipProcessingInstruction(s: string, lt: number, atStart: boolean, fail: FailFn): number {
  const end = s.indexOf('?>', lt + 2);
  if (end === -1) return INCOMPLETE;
  const body = s.slice(lt + 2, end);
  const target = /^[^\s?]*/.exec(body)?.[0] ?? '';
  if (!/^[A-Za-z_:\u0080-\uffff][\w.:\-\u0080-\uffff]*$/.test(target)) {
    fail(
      ErrorCode.XmlMalformed,
      `"<?${printable(body.slice(0, 20))}" is not a processing instruction with a valid target name`,
    );
  }
  if (target.toLowerCase() === 'xml') {
    if (!atStart || target !== 'xml') {
      fail(ErrorCode.XmlMalformed, 'an XML declaration (<?xml …?>) is only allowed at the very start of the document');
    }
    checkDeclaration(body.slice(3), fail);
  }
  return end + 2;
}

// Internal helpers

const DECLARATION =
  /^\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][\w.-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*$/;

function checkDeclaration(rest: string, fail: FailFn): void {
  const match = DECLARATION.exec(rest);
  if (match === null) fail(ErrorCode.XmlMalformed, `the XML declaration "<?xml${printable(rest)}?>" is not valid`);
  const encoding = match[3];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    fail(
      ErrorCode.XmlInvalidEncoding,
      `the XML declaration says encoding="${encoding}"; Moodle writes backup XML in UTF-8 only and the reader reads nothing else`,
    );
  }
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f]/g, ' ').slice(0, 60);
}
