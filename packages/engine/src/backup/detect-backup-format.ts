/**
 * Tells a Moodle 2+ backup from everything else, the way Moodle does
 * (`backup_general_helper::detect_backup_format()`, `convert_helper::detect_moodle2_format()`):
 * moodle2 when `moodle_backup.xml` is at the root and its first 200 bytes hold the XML declaration,
 * `<moodle_backup>` and `<information>`. Moodle 1.9 (`moodle.xml`) and IMS Common Cartridge
 * (`imsmanifest.xml`) are recognised so the error can name them.
 */
import type { ArchiveReader } from '../archive/archive-reader.ts';
import { UnsupportedFormatError } from '../errors.ts';

/** What a container holds. */
export type BackupFormat = 'moodle2' | 'moodle1' | 'imscc' | 'unknown';

/** The three strings Moodle requires in the first 200 bytes of moodle_backup.xml. */
const MOODLE2_MARKERS = ['<?xml version="1.0" encoding="UTF-8"?>', '<moodle_backup>', '<information>'];

/** True when the head of moodle_backup.xml passes Moodle's moodle2 test. */
export function isMoodle2Head(head: Buffer): boolean {
  const text = head.subarray(0, 200).toString('latin1');
  return MOODLE2_MARKERS.every((marker) => text.includes(marker));
}

/** Throws {@link UnsupportedFormatError} naming what the container holds, unless it is a moodle2 backup. */
export async function assertMoodle2(reader: ArchiveReader, manifestHead?: Buffer): Promise<void> {
  const head =
    manifestHead ?? ((await reader.has('moodle_backup.xml')) ? await readHead(reader, 'moodle_backup.xml') : undefined);
  if (head && isMoodle2Head(head)) return;
  if (head) {
    throw new UnsupportedFormatError(
      'unknown',
      'moodle_backup.xml is present but does not begin like a Moodle 2 backup: its first 200 bytes must hold ' +
        '<?xml version="1.0" encoding="UTF-8"?>, <moodle_backup> and <information> (Moodle rejects it too). ' +
        'Was the file edited or re-encoded (a byte-order mark, other quoting)?',
      { context: { entry: 'moodle_backup.xml' } },
    );
  }
  const names = (await reader.list()).map((entry) => entry.name);
  if (names.includes('moodle.xml')) {
    throw new UnsupportedFormatError(
      'moodle1',
      'This is a Moodle 1.9 backup (moodle.xml at the root). Only Moodle 2 and later backups can be restored; ' +
        'convert it by restoring it into a Moodle 2.x–3.x site and backing it up again.',
    );
  }
  if (names.includes('imsmanifest.xml')) {
    throw new UnsupportedFormatError(
      'imscc',
      'This is an IMS Common Cartridge package (imsmanifest.xml at the root), not a Moodle backup. ' +
        'Import it into Moodle with the IMS CC importer instead.',
    );
  }
  const nested = names.find((name) => name.endsWith('/moodle_backup.xml'));
  const top = [...new Set(names.map((name) => name.split('/')[0]))].slice(0, 5);
  throw new UnsupportedFormatError(
    'unknown',
    nested
      ? `This is not a Moodle backup at its root: moodle_backup.xml was found at ${nested}. ` +
          'Re-pack the folder that holds moodle_backup.xml so it is at the archive root.'
      : `This is not a Moodle backup: there is no moodle_backup.xml at the root (found ${
          top.length ? top.join(', ') : 'no entries'
        }).`,
  );
}

/** The first 200 bytes of an entry (what Moodle's moodle2 test looks at). */
export async function readHead(reader: Pick<ArchiveReader, 'open'>, name: string): Promise<Buffer> {
  const stream = await reader.open(name);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= 200) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, 200);
}
