/**
 * Runs the built `mbz` bin the way a user does: plain `node packages/cli/bundle/mbz.cjs …` (the package's `bin`: what `pnpm mbz` and an
 * installed `mbz` run), without the workspace's `source` condition, so the tests exercise the built JavaScript.
 * `pnpm test` builds first; run `pnpm build` before running a CLI test file alone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './shared.ts';

/** The built bin: the cli package's `bin` (the bundle). */
export const MBZ_BIN = join(
  repoRoot,
  'packages',
  'cli',
  (JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: { mbz: string } }).bin
    .mbz,
);

/** Result of one CLI run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout split into non-empty lines. */
  lines: string[];
}

/** The environment of a user's shell: this one, less the `source` condition the test runner adds. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').replace(/--conditions=source/g, '').trim();
  // A user's shell here has no DATABASE_URL unless a test gives one: commands without --db/--pg must not reach the
  // test server by accident.
  const { DATABASE_URL: _, ...env } = process.env;
  return { ...env, NODE_OPTIONS: nodeOptions, ...extra };
}

/** Runs `mbz <args>` in a child process (in `cwd`, default the repository root) and waits for it. */
export function runCli(
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliRun {
  const result = spawnSync(process.execPath, [MBZ_BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: userEnv(options.env),
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  return {
    status: result.status,
    stdout,
    stderr: result.stderr ?? '',
    lines: stdout.split('\n').filter((l) => l.trim() !== ''),
  };
}
