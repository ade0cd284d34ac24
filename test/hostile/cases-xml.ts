/**
 * Corpus cases about the XML inside a good backup: DOCTYPE and entities (never resolved), malformed XML
 * in each kind of backup file, nesting past `maxDepth`, a 300 MB text node past `maxTextBytes`, and
 * bytes that are not UTF-8.
 *
 * A malformed file fails the restore when the restore reads it (Moodle's parser throws too); files the
 * engine does not restore (competencies, xAPI state, badges, content bank …) are never opened, so
 * breaking them changes nothing. Inspection reads fewer files (the ones it counts), hence its own column.
 */
import { ErrorCode } from '@mbz-restore/engine';
import { edit, firstName, replace, text, writeBackup } from './base-backup.ts';
import { both, fails, succeeds, type CorpusCase, type Outcome } from './outcome.ts';
import { writeTarGzStreamed } from './streamed-archives.ts';

const OK = succeeds();
const MALFORMED = fails(ErrorCode.XmlMalformed);

/** XML cases with hand-made content. */
const SPECIAL_CASES: readonly CorpusCase[] = [
  {
    id: 'xml-doctype-entity-expansion',
    title: 'moodle_backup.xml with a DOCTYPE declaring nested entities (billion laughs)',
    build: (p, base) =>
      writeBackup(p, edit(base, { 'moodle_backup.xml': billionLaughs(text(base, 'moodle_backup.xml')) }), 'tar.gz'),
    ...both(fails(ErrorCode.XmlDoctypeForbidden)),
    // The service's precheck applies Moodle's format test first (the DOCTYPE pushes <moodle_backup> out of the
    // first 200 bytes), as Moodle's restore does before it parses anything.
    service: fails(ErrorCode.BackupUnsupportedFormat),
  },
  {
    id: 'xml-external-entity',
    title: 'users.xml with a DOCTYPE declaring an external entity (file:///etc/passwd) and using it',
    build: (p, base) =>
      writeBackup(
        p,
        edit(base, {
          'users.xml': replace(
            text(base, 'users.xml'),
            /<users>/,
            '<!DOCTYPE users [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<users>',
          ).replace(/<firstname>[^<]*<\/firstname>/, '<firstname>&xxe;</firstname>'),
        }),
        'zip',
      ),
    ...both(fails(ErrorCode.XmlDoctypeForbidden)),
  },
  {
    id: 'xml-undeclared-entity',
    title: 'users.xml using an entity that is not one of the five XML entities (&xxe;)',
    build: (p, base) =>
      writeBackup(
        p,
        edit(base, {
          'users.xml': replace(
            text(base, 'users.xml'),
            /<firstname>[^<]*<\/firstname>/,
            '<firstname>&xxe;</firstname>',
          ),
        }),
        'tar.gz',
      ),
    ...both(fails(ErrorCode.XmlEntityForbidden)),
  },
  {
    id: 'xml-deep-nesting',
    title: 'users.xml with 100,000 nested elements inside a user (maxDepth is 64)',
    build: (p, base) =>
      writeBackup(
        p,
        edit(base, {
          'users.xml': replace(
            text(base, 'users.xml'),
            /<firstname>/,
            `${'<n>'.repeat(100_000)}${'</n>'.repeat(100_000)}<firstname>`,
          ),
        }),
        'zip',
      ),
    ...both(fails(ErrorCode.XmlTooDeep)),
  },
  {
    id: 'xml-invalid-utf8',
    title: 'users.xml with a byte sequence that is not UTF-8 (0xC3 0x28) in a first name',
    build: (p, base) => writeBackup(p, edit(base, { 'users.xml': invalidUtf8(text(base, 'users.xml')) }), 'tar.gz'),
    ...both(fails(ErrorCode.XmlInvalidEncoding)),
  },
  {
    id: 'xml-text-node-300mb',
    title: 'users.xml whose one user description is a 300 MiB text node (maxTextBytes is 64 MiB), compressed ≈ 50:1',
    build: (p, base) => {
      const users = text(base, 'users.xml');
      const at = users.indexOf('<description>') + '<description>'.length;
      const rest = users.indexOf('</description>', at);
      return writeTarGzStreamed(p, edit(base, { 'users.xml': null }), {
        name: 'users.xml',
        head: users.slice(0, at),
        block: 'text',
        count: 300,
        tail: users.slice(rest),
      });
    },
    ...both(fails(ErrorCode.XmlTextTooLarge)),
    heavy: true,
  },
];

/** One kind of backup file: the first entry matching `pattern` gets a mismatched closing tag. */
const MALFORMED_FILES: ReadonlyArray<[pattern: RegExp, inspect: Outcome, restore: Outcome]> = [
  [/^moodle_backup\.xml$/, MALFORMED, MALFORMED],
  [/^course\/course\.xml$/, OK, MALFORMED],
  [/^course\/inforef\.xml$/, OK, MALFORMED],
  [/^course\/enrolments\.xml$/, MALFORMED, MALFORMED],
  [/^course\/roles\.xml$/, OK, MALFORMED],
  [/^course\/filters\.xml$/, OK, MALFORMED],
  [/^course\/comments\.xml$/, MALFORMED, MALFORMED],
  [/^course\/calendar\.xml$/, OK, MALFORMED],
  [/^course\/logs\.xml$/, MALFORMED, MALFORMED],
  [/^course\/logstores\.xml$/, MALFORMED, MALFORMED],
  [/^course\/competencies\.xml$/, OK, OK],
  [/^course\/completiondefaults\.xml$/, OK, MALFORMED],
  [/^course\/contentbank\.xml$/, OK, OK],
  [/^course\/loglastaccess\.xml$/, OK, OK],
  [/^course\/blocks\/html_\d+\/block\.xml$/, OK, MALFORMED],
  [/^course\/blocks\/html_\d+\/inforef\.xml$/, OK, MALFORMED],
  [/^course\/blocks\/html_\d+\/roles\.xml$/, OK, MALFORMED],
  [/^course\/blocks\/html_\d+\/comments\.xml$/, MALFORMED, MALFORMED],
  [/^sections\/section_\d+\/section\.xml$/, OK, MALFORMED],
  [/^sections\/section_\d+\/inforef\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/module\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/quiz\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/inforef\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/grades\.xml$/, MALFORMED, MALFORMED],
  [/^activities\/quiz_\d+\/grade_history\.xml$/, MALFORMED, MALFORMED],
  [/^activities\/quiz_\d+\/roles\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/filters\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/comments\.xml$/, MALFORMED, MALFORMED],
  [/^activities\/quiz_\d+\/calendar\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/completion\.xml$/, OK, MALFORMED],
  [/^activities\/quiz_\d+\/logs\.xml$/, MALFORMED, MALFORMED],
  [/^activities\/quiz_\d+\/logstores\.xml$/, MALFORMED, MALFORMED],
  [/^activities\/quiz_\d+\/competencies\.xml$/, OK, OK],
  [/^activities\/quiz_\d+\/xapistate\.xml$/, OK, OK],
  [/^badges\.xml$/, OK, OK],
  [/^completion\.xml$/, OK, MALFORMED],
  [/^files\.xml$/, MALFORMED, MALFORMED],
  [/^grade_history\.xml$/, MALFORMED, MALFORMED],
  [/^gradebook\.xml$/, MALFORMED, MALFORMED],
  [/^groups\.xml$/, MALFORMED, MALFORMED],
  [/^outcomes\.xml$/, OK, MALFORMED],
  [/^questions\.xml$/, MALFORMED, MALFORMED],
  [/^roles\.xml$/, OK, MALFORMED],
  [/^scales\.xml$/, OK, MALFORMED],
  [/^users\.xml$/, MALFORMED, MALFORMED],
];

/** The XML cases. */
export const XML_CASES: readonly CorpusCase[] = [
  ...SPECIAL_CASES,
  ...MALFORMED_FILES.map(([pattern, inspect, restore], i): CorpusCase => {
    const kind = pattern.source
      .replace(/^\^|\$$/g, '')
      .replace(/\\d\+/g, 'N')
      .replace(/\\/g, '');
    return {
      id: `malformed-${kind
        .replace(/\.xml$/, '')
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/-N-/g, '-')
        .toLowerCase()}`,
      title: `malformed ${kind} (a mismatched closing tag)`,
      build: (p, base) => {
        const name = firstName(base, pattern);
        return writeBackup(p, edit(base, { [name]: mismatch(text(base, name)) }), i % 2 === 0 ? 'tar.gz' : 'zip');
      },
      inspect,
      restore,
    };
  }),
];

// Internal helpers

/** Renames the first closing tag at or after the middle of the document, so it no longer matches. */
function mismatch(xml: string): string {
  const at = xml.indexOf('</', Math.floor(xml.length / 2));
  if (at === -1) throw new Error('mismatch: no closing tag in the second half');
  const end = xml.indexOf('>', at);
  return `${xml.slice(0, at)}</mbz_mismatched${xml.slice(end)}`;
}

/** A DOCTYPE of ten entities each expanding ten times the previous one, used once in <name>. */
function billionLaughs(manifest: string): string {
  const lines = ['<!DOCTYPE moodle_backup [', '<!ENTITY lol "lol">'];
  for (let i = 1; i < 10; i += 1) lines.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  lines.push(']>');
  return replace(manifest, /<moodle_backup>/, `${lines.join('\n')}\n<moodle_backup>`).replace(
    /<name>[^<]*<\/name>/,
    '<name>&lol9;</name>',
  );
}

function invalidUtf8(users: string): Buffer {
  const at = users.indexOf('<firstname>') + '<firstname>'.length;
  if (at < '<firstname>'.length) throw new Error('invalidUtf8: no <firstname>');
  return Buffer.concat([Buffer.from(users.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(users.slice(at))]);
}
