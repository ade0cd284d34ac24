/**
 * Worker threads never keep a process alive once its restores are done: a script that restores through a
 * service with pooled workers and closes it exits by itself, its threads ended; one that forgets to close the
 * service exits too, its free thread left to the process's end. Each runs in a child process that must end on
 * its own (it is killed, and the test fails, if it has not ended a minute later). A service closed while a
 * thread it recycled is still ending waits for that thread, and the process does not exit before.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@mbz-restore/test-support/shared';
import { generated } from '@mbz-restore/test-support/backups';
import { testTempDir } from '@mbz-restore/test-support/temp';

/** Runs the pool child; answers how it ended and what it printed. */
async function runChild(
  mode: 'close' | 'leave' | 'recycle',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; report: { threads: number[]; exited: string[] } }> {
  const db = join(testTempDir('pool-exit-'), 'store.sqlite');
  // One process (node with tsx's loader, not the tsx command, which would run the script in a second one).
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'packages', 'service', 'test', 'support', 'pool-child.ts'),
      db,
      await generated('xs'),
      mode,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  return { code, signal, report: JSON.parse(out.trim().split('\n').at(-1) ?? 'null') };
}

describe('a process restoring through pooled worker threads', () => {
  it('exits by itself after close(), which ended the thread its three restores shared', async () => {
    const { code, signal, report } = await runChild('close');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(report.threads).toHaveLength(3);
    expect(new Set(report.threads).size).toBe(1);
    expect(report.exited).toEqual(['closed']);
  });

  it('exits by itself after close() called while a recycled thread is still ending, once that thread has ended', async () => {
    const { code, signal, report } = await runChild('recycle');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(new Set(report.threads).size).toBe(3);
    expect(report.exited).toEqual(['recycled', 'recycled', 'recycled']);
  });

  it('exits by itself without close(): a free worker thread does not keep it alive', async () => {
    const { code, signal, report } = await runChild('leave');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(report.threads).toHaveLength(3);
    expect(report.exited).toEqual([]);
  });
});
