#!/usr/bin/env node
/** Entry point of the `mbz` command. */
import { run } from './program.ts';
import { reportError } from './output.ts';

const argv = process.argv.slice(2);
run(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error, { json: argv.includes('--json'), debug: argv.includes('--debug') });
  },
);
