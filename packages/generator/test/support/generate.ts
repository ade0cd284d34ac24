/**
 * Test helper: generates backups into a per-process temp directory (never inside the repo).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBackup, type GenerateOptions, type GenerateResult } from '../../src/index.ts';

/** A temp directory for one test file, with a generate() bound to it. */
export interface TempBackups {
  readonly dir: string;
  generate(options: Omit<GenerateOptions, 'out'> & { name: string }): Promise<GenerateResult>;
  cleanup(): Promise<void>;
}

/** Creates the temp directory. */
export async function tempBackups(): Promise<TempBackups> {
  const dir = await mkdtemp(join(tmpdir(), 'mbz-generator-test-'));
  return {
    dir,
    generate: ({ name, ...options }) => generateBackup({ ...options, out: join(dir, name) }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
