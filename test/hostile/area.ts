/**
 * The folders a hostile-input test works in, side by side under one fresh temp folder:
 * - `cases/`  the backups under test;
 * - `tmp/`    the only place a restore may write (its `tempDir`), empty again once it returns;
 * - `marker/` a folder beside the temp area that nothing may ever write to: unsafe entry names in the
 *             corpus aim at `../../marker/` from inside a restore's temp folder;
 * - `stores/` SQLite stores.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders of one test file. */
export interface Area {
  readonly root: string;
  readonly cases: string;
  readonly tmp: string;
  readonly marker: string;
  readonly stores: string;
  /** Removes everything. */
  remove(): Promise<void>;
}

/** Makes the folders. */
export async function createArea(prefix: string): Promise<Area> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const area = {
    root,
    cases: join(root, 'cases'),
    tmp: join(root, 'tmp'),
    marker: join(root, 'marker'),
    stores: join(root, 'stores'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const dir of [area.cases, area.tmp, area.marker, area.stores]) await mkdir(dir);
  return area;
}

/** Every path under `dir`, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}
