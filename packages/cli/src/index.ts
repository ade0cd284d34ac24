/** Public API of @mbz-restore/cli: the program, for embedding or testing. */
export { createProgram, run } from './program.ts';
export { ExitCode, UsageError, errorObject } from './output.ts';
