#!/usr/bin/env node
/**
 * Entry point of the `mbz` command as tsc builds it (dist/bin.js). The installed `mbz` bin is the bundle
 * (scripts/bundle.mjs), whose small entry does the same. `--version` is answered here, before anything else is
 * loaded; every other command loads the program, which loads what the command needs when it runs (see program.ts).
 */
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`);
} else {
  await (await import('./main.ts')).main(argv);
}
