/** The `mbz` command line: one file per command under `commands/`. */
import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerRestore } from './commands/restore.ts';
import { registerRestoreBackground } from './commands/restore-detach.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerToken } from './commands/token.ts';
import { ExitCode } from './output.ts';

/** Builds the program. Usage errors exit 2 (commander's default would be 1). */
export function createProgram(): Command {
  const program = new Command('mbz')
    .description('Inspect, generate and restore Moodle course backups (.mbz) without Moodle')
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
  return program;
}

/** Runs the program with `argv` (user arguments only) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they succeed.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    throw error;
  }
}
