/**
 * Corpus cases about the backup itself: what is not a Moodle 2 backup, file contents missing or not
 * matching their SHA-1, a backup from a Moodle newer than any the engine knows, plugins the target does
 * not have, and references to ids that are not in the backup.
 *
 * Moodle's rules hold: a file missing from `files/` is a warning (`file_missing_in_backup`), an unknown
 * module or block is skipped with a warning, a reference that cannot be mapped is dropped with a warning;
 * but content that does not hash to its name is never stored under that name — the restore fails.
 */
import { ErrorCode } from '@mbz-restore/engine';
import { writeZip } from '@mbz-restore/test-support/archives';
import { edit, firstName, replace, text, writeBackup, type BaseBackup, type BaseEntry } from './base-backup.ts';
import { both, fails, succeeds, type CorpusCase } from './outcome.ts';

/** An id that no record of the base backup has. */
const MISSING_ID = '999999';

/** The backup cases. */
export const BACKUP_CASES: readonly CorpusCase[] = [
  {
    id: 'moodle19-backup',
    title: 'a Moodle 1.9 backup (moodle.xml at the root)',
    build: (p) =>
      writeZip(p, [
        {
          name: 'moodle.xml',
          content:
            '<?xml version="1.0" encoding="UTF-8"?>\n<MOODLE_BACKUP><INFO><MOODLE_VERSION>2007101509</MOODLE_VERSION></INFO></MOODLE_BACKUP>\n',
        },
        { name: 'course_files/readme.txt', content: 'hello' },
      ]).then(none),
    ...both(fails(ErrorCode.BackupUnsupportedFormat)),
  },
  {
    id: 'imscc-package',
    title: 'an IMS Common Cartridge package (imsmanifest.xml at the root)',
    build: (p) =>
      writeZip(p, [
        {
          name: 'imsmanifest.xml',
          content:
            '<?xml version="1.0" encoding="UTF-8"?>\n<manifest identifier="cc" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"><organizations/><resources/></manifest>\n',
        },
        { name: 'web_resources/page.html', content: '<p>hi</p>' },
      ]).then(none),
    ...both(fails(ErrorCode.BackupUnsupportedFormat)),
  },
  {
    id: 'missing-moodle-backup-xml',
    title: 'a good backup without its moodle_backup.xml',
    build: (p, base) => writeBackup(p, edit(base, { 'moodle_backup.xml': null }), 'tar.gz'),
    ...both(fails(ErrorCode.BackupUnsupportedFormat)),
  },
  {
    id: 'blob-missing',
    title: 'a file listed in files.xml whose content is missing from files/',
    build: (p, base) => writeBackup(p, edit(base, { [firstName(base, /^files\/[0-9a-f]{2}\//)]: null }), 'zip'),
    inspect: succeeds('blob-missing'),
    restore: succeeds('file-missing-in-backup'),
  },
  {
    id: 'blob-sha1-mismatch',
    title: 'a file in files/ whose bytes do not hash to its name',
    build: (p, base) => {
      const name = firstName(base, /^files\/[0-9a-f]{2}\//);
      return writeBackup(
        p,
        edit(base, { [name]: Buffer.from('these bytes do not hash to the name they are stored under') }),
        'tar.gz',
      );
    },
    // Inspection does not read file contents; a restore must never store them under the wrong hash. (Into a store
    // that already holds the right content for that hash, the damaged copy is not read and the restore succeeds.)
    inspect: succeeds(),
    restore: fails(ErrorCode.BackupBlobMismatch),
  },
  {
    id: 'newer-moodle',
    title: 'a backup from Moodle 99.0 (version 2999123100), newer than any the engine knows',
    build: (p, base) =>
      writeBackup(p, edit(base, { 'moodle_backup.xml': newerMoodle(text(base, 'moodle_backup.xml')) }), 'zip'),
    ...both(succeeds('backup-newer-than-known')),
  },
  {
    id: 'unknown-module',
    title: 'an activity of a module plugin the target does not have (mod_mbzfancy)',
    build: (p, base) => writeBackup(p, unknownModule(base), 'tar.gz'),
    inspect: succeeds(),
    // Its logs name a context that was not restored, so they are dropped with a warning too.
    restore: succeeds('unknown-module', 'log-context-unmapped'),
  },
  {
    id: 'unknown-block',
    title: 'a block of a plugin the target does not have (block_mbzfancy)',
    build: (p, base) => {
      const name = firstName(base, /^course\/blocks\/html_\d+\/block\.xml$/);
      return writeBackup(
        p,
        edit(base, {
          [name]: replace(text(base, name), '<blockname>html</blockname>', '<blockname>mbzfancy</blockname>'),
        }),
        'zip',
      );
    },
    inspect: succeeds(),
    restore: succeeds('block-not-installed'),
  },
  {
    id: 'huge-section-number',
    title: 'a section numbered 999999 (Moodle would fill every gap below it with an empty section)',
    build: (p, base) => {
      const name = firstName(base, /^sections\/section_\d+\/section\.xml$/);
      return writeBackup(
        p,
        edit(base, { [name]: replace(text(base, name), /<number>\d+<\/number>/, '<number>999999</number>') }),
        'tar.gz',
      );
    },
    inspect: succeeds(),
    // Gaps are filled up to section 1000 only, with a warning, instead of a million empty rows.
    restore: succeeds('section-number-too-large'),
  },
  {
    id: 'dangling-references',
    title:
      'ids that are not in the backup: a grade, a group member and a log entry of an unknown user, grade history of an unknown item, a block of an unknown parent context',
    build: (p, base) => writeBackup(p, danglingReferences(base), 'tar.gz'),
    inspect: succeeds(),
    // Dropped with a warning each, as Moodle does; a group member of an unknown user is dropped silently, as in Moodle.
    restore: succeeds(
      'grade-user-unmapped',
      'log-user-unmapped',
      'grade-history-item-unmapped',
      'block-parent-missing',
    ),
  },
];

// Internal helpers

function none(): void {}

function newerMoodle(manifest: string): string {
  return replace(
    replace(
      replace(
        replace(manifest, /<moodle_version>[^<]*</, '<moodle_version>2999123100<'),
        /<moodle_release>[^<]*</,
        '<moodle_release>99.0 (Build: 29991231)<',
      ),
      /<backup_version>[^<]*</,
      '<backup_version>2999123100<',
    ),
    /<backup_release>[^<]*</,
    '<backup_release>99.0<',
  );
}

/** Turns the label activity into one of module `mbzfancy`: its folder, files, manifest entries and records. */
function unknownModule(base: BaseBackup): BaseEntry[] {
  const dir = firstName(base, /^activities\/label_\d+\//)
    .split('/')
    .slice(0, 2)
    .join('/');
  const id = dir.slice('activities/label_'.length);
  const renamed = (s: string): string => s.replaceAll(`label_${id}`, `mbzfancy_${id}`);
  const out: BaseEntry[] = [];
  for (const entry of base) {
    if (entry.name === 'moodle_backup.xml') {
      const manifest = entry.content.toString('utf8');
      const at = manifest.indexOf(`<directory>${dir}</directory>`);
      const start = manifest.lastIndexOf('<activity>', at);
      const block = manifest.slice(start, at);
      out.push({
        name: entry.name,
        content: Buffer.from(
          renamed(
            manifest.slice(0, start) +
              replace(block, '<modulename>label</modulename>', '<modulename>mbzfancy</modulename>') +
              manifest.slice(at),
          ),
        ),
      });
    } else if (entry.name.startsWith(`${dir}/`)) {
      const content = entry.content
        .toString('utf8')
        .replaceAll('<modulename>label</modulename>', '<modulename>mbzfancy</modulename>')
        .replaceAll('modulename="label"', 'modulename="mbzfancy"')
        .replaceAll('<label ', '<mbzfancy ')
        .replaceAll('</label>', '</mbzfancy>');
      out.push({ name: renamed(entry.name).replace(/\/label\.xml$/, '/mbzfancy.xml'), content: Buffer.from(content) });
    } else {
      out.push(entry);
    }
  }
  return out;
}

function danglingReferences(base: BaseBackup): BaseEntry[] {
  const block = firstName(base, /^course\/blocks\/html_\d+\/block\.xml$/);
  return edit(base, {
    'gradebook.xml': replace(text(base, 'gradebook.xml'), /<userid>\d+<\/userid>/, `<userid>${MISSING_ID}</userid>`),
    'groups.xml': replace(text(base, 'groups.xml'), /<userid>\d+<\/userid>/, `<userid>${MISSING_ID}</userid>`),
    'course/logstores.xml': replace(
      text(base, 'course/logstores.xml'),
      /<userid>\d+<\/userid>/,
      `<userid>${MISSING_ID}</userid>`,
    ),
    'grade_history.xml': replace(
      text(base, 'grade_history.xml'),
      /<itemid>\d+<\/itemid>/,
      `<itemid>${MISSING_ID}</itemid>`,
    ),
    [block]: replace(
      text(base, block),
      /<parentcontextid>\d+<\/parentcontextid>/,
      `<parentcontextid>${MISSING_ID}</parentcontextid>`,
    ),
  });
}
