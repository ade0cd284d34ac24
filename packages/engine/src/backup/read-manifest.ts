/** Reads and checks `moodle_backup.xml` of a backup opened for restoring. */
import type { XmlObject } from '../xml/types.ts';
import { UnsupportedFormatError } from '../errors.ts';
import type { BackupSource } from '../restore/backup-source.ts';
import { isMoodle2Head, readHead } from './detect-backup-format.ts';
import { MANIFEST_RECORD, parseManifest, type BackupManifest } from './manifest.ts';

/** The backup's manifest; `backup.unsupported-format` unless it is a Moodle 2+ backup. */
export async function readBackupManifest(source: BackupSource): Promise<BackupManifest> {
  if (!source.has('moodle_backup.xml')) {
    const moodle1 = source.has('moodle.xml');
    const imscc = source.has('imsmanifest.xml');
    throw new UnsupportedFormatError(
      moodle1 ? 'moodle1' : imscc ? 'imscc' : 'unknown',
      moodle1
        ? 'This is a Moodle 1.9 backup (moodle.xml at the root). Only Moodle 2 and later backups can be restored.'
        : imscc
          ? 'This is an IMS Common Cartridge package (imsmanifest.xml at the root), not a Moodle backup.'
          : 'This is not a Moodle backup: there is no moodle_backup.xml at the root.',
    );
  }
  let information: XmlObject | undefined;
  for await (const record of source.records('moodle_backup.xml', {
    paths: [MANIFEST_RECORD.path],
    arrays: MANIFEST_RECORD.arrays,
  })) {
    information ??= record.data;
  }
  const head = await readHead(source, 'moodle_backup.xml');
  if (!isMoodle2Head(head)) {
    throw new UnsupportedFormatError(
      'unknown',
      'moodle_backup.xml does not begin like a Moodle 2 backup (its first 200 bytes must hold the XML declaration, <moodle_backup> and <information>).',
      { context: { entry: 'moodle_backup.xml' } },
    );
  }
  return parseManifest(information ?? {});
}
