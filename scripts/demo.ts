/**
 * The main job of the README: make a sample backup with the project's generator (cached in
 * `.cache/demo/`) and show what is inside it with `mbz inspect`. Pass a path to inspect another backup.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '@mbz-restore/cli';

const given = process.argv[2];
let backup = given;
if (!backup) {
  const dir = join(process.cwd(), '.cache', 'demo');
  backup = join(dir, 'sample-s.mbz');
  if (!existsSync(backup)) {
    await mkdir(dir, { recursive: true });
    const code = await run(['generate', '--size', 's', '--out', backup]);
    if (code !== 0) process.exit(code);
  }
}
process.stdout.write('\n');
process.exitCode = await run(['inspect', backup]);
