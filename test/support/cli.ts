/** Runs the `mbz` CLI the way a user does (`pnpm mbz …` runs `tsx packages/cli/src/bin.ts …`). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './shared.ts';

/** Result of one CLI run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout split into non-empty lines. */
  lines: string[];
}

/** Runs `mbz <args>` in a child process and waits for it. */
export function runCli(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const result = spawnSync(tsx, [join(repoRoot, 'packages', 'cli', 'src', 'bin.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  return { status: result.status, stdout, stderr: result.stderr ?? '', lines: stdout.split('\n').filter((l) => l.trim() !== '') };
}
