/**
 * The CLI's output and exit-code contract:
 * - success exits 0; a failed operation exits 1; a usage error (unknown command or option, bad value) exits 2;
 * - with `--json`, a failure prints `{"error":{"code":…,"message":…}}` as its (last) line;
 * - expected errors (the engine's typed {@link MbzError}s) never print a stack trace; `--debug` adds one.
 */
import { isMbzError } from '@mbz-restore/engine/errors';

/** Exit codes. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Interrupted: 130 } as const;

/** A usage error detected by a command after parsing (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failed operation of the CLI itself (not the engine's), with a stable code: `serve.address-in-use` … (exit 1). */
export class CliError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/** The `{code, message}` of any error: engine errors keep their code, anything else is `internal`. */
export function errorObject(error: unknown): { code: string; message: string } {
  if (isMbzError(error)) return { code: error.code, message: error.message };
  if (error instanceof UsageError) return { code: 'usage', message: error.message };
  if (error instanceof CliError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'internal',
    message: `Unexpected error: ${message}. Run again with --debug for details and report it.`,
  };
}

/**
 * Prints an error for a person (stderr) or as the JSON error line (stdout, with `fields` before `error`), and returns
 * the exit code to use.
 */
export function reportError(
  error: unknown,
  options: { json?: boolean; debug?: boolean; label?: string; fields?: Record<string, unknown> },
): number {
  const object = errorObject(error);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...options.fields, error: object })}\n`);
  } else {
    // The label says what failed, unless the message already names it.
    const where = options.label && !object.message.includes(options.label) ? `${options.label}: ` : '';
    process.stderr.write(`mbz: ${where}${object.message} [${object.code}]\n`);
  }
  if (options.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return error instanceof UsageError ? ExitCode.Usage : ExitCode.Failed;
}

/** Writes one JSON object as one line. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
