/**
 * The `mbz` command line: one file per command under `commands/`. Registering a command loads only commander and
 * the command's own small module; what a command needs to run (the engine, SQLite, the webservice, the generator)
 * is imported when it runs, so `mbz --help`, `mbz --version` and `mbz inspect` start fast.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerRestore } from './commands/restore.ts';
import { registerRestoreBackground } from './commands/restore-background.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerToken } from './commands/token.ts';
import { registerWorker } from './commands/worker.ts';
import { ExitCode } from './output.ts';

/** The package's version (`mbz --version`). */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Builds the program. Usage errors exit 2 (commander's default would be 1). */
export function createProgram(): Command {
  const program = new Command('mbz')
    .description('Inspect, generate and restore Moodle course backups (.mbz) without Moodle')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError()
    .exitOverride();
  registerInspect(program);
  registerGenerate(program);
  registerRestore(program);
  registerStatus(program);
  registerJobs(program);
  registerRestoreBackground(program);
  registerServe(program);
  registerToken(program);
  registerWorker(program);
  return program;
}

/** Runs the program with `argv` (user arguments only) and returns the exit code. Bare `mbz` prints the help and exits 2. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return ExitCode.Usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they succeed.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return ExitCode.Ok;
      return ExitCode.Usage;
    }
    throw error;
  }
}
