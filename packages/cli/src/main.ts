/**
 * Runs the `mbz` command with `argv` (user arguments only) and sets `process.exitCode`: the program's exit code, or
 * the error's when it throws. The tsc-built bin (bin.ts) and the bundled bin (scripts/bundle.mjs) both call it.
 */
import { run } from './program.ts';
import { reportError } from './output.ts';

export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await run(argv);
  } catch (error) {
    process.exitCode = reportError(error, { json: argv.includes('--json'), debug: argv.includes('--debug') });
  }
}
