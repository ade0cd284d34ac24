/** The same backup as ZIP, as tar.gz and as an extracted folder inspects the same (only `archive` differs). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectBackup } from '@mbz-restore/engine';
import { generatedFixture, hasShared, mbzFixture, readManifest } from '@mbz-restore/test-support/shared';
import { makeForms } from '@mbz-restore/test-support/forms';

describe.skipIf(!hasShared())('inspect: ZIP, tar.gz and folder forms agree', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const manifest = hasShared() ? readManifest().filter((m) => m.produced_by_moodle) : [];
  // Both container kinds, an edited archive (inconsistent .ARCHIVE_INDEX), users and logs, and the generated course.
  const picks = [
    ...manifest
      .filter((m) => m.archive === 'zip')
      .slice(0, 3)
      .map((m) => mbzFixture(m.file)),
    ...manifest
      .filter((m) => m.archive === 'tar.gz')
      .slice(0, 3)
      .map((m) => mbzFixture(m.file)),
    ...manifest
      .filter((m) => m.archive_index && !m.archive_index.consistent)
      .slice(0, 1)
      .map((m) => mbzFixture(m.file)),
    ...manifest.filter((m) => m.counts!.log_entries > 0).map((m) => mbzFixture(m.file)),
    ...(hasShared() ? [generatedFixture('gen_s_users.mbz')] : []),
  ];

  it.each(picks)('%s', async (mbz) => {
    const dir = await mkdtemp(join(tmpdir(), 'mbz-forms-'));
    dirs.push(dir);
    const forms = await makeForms(mbz, dir);
    const [zip, tarGz, folder] = await Promise.all([
      inspectBackup(forms.zip),
      inspectBackup(forms.tarGz),
      inspectBackup(forms.directory),
    ]);
    expect(zip.archive).toBe('zip');
    expect(tarGz.archive).toBe('tar.gz');
    expect(folder.archive).toBe('directory');
    const strip = ({ archive: _archive, ...rest }: typeof zip) => rest;
    expect(strip(zip)).toEqual(strip(tarGz));
    expect(strip(folder)).toEqual(strip(tarGz));
  });
});
