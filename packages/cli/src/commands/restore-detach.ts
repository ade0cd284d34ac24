/**
 * `mbz restore … --detach`: the restore runs in a background process that outlives the command. The command
 * starts `mbz restore-background …` (a hidden command) as a detached child with its stdout on a pipe; the
 * child opens the store's restore service, has it check and accept the restore (700), and writes one JSON
 * line: `{"restoreid"}` or `{"error"}`. The command relays that line and exits; the child, unreferenced and
 * in its own process group, runs the restore to its end and exits. Its progress and outcome are in the
 * store's job record (`mbz status`, `mbz jobs`); if it dies, any process opening the store reports the
 * restore 900 `interrupted`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { MbzError, type ErrorCode } from '@mbz-restore/engine/errors';
import { BACKGROUND_COMMAND } from './restore-background.ts';
import type { StoreChoice } from '../store-option.ts';

/** What the parent hands to the background process. */
export interface DetachRequest {
  readonly file: string;
  readonly store: StoreChoice;
  readonly categoryid: number;
  /** `--option name=value` arguments, as given. */
  readonly optionArgs: readonly string[];
}

/** Starts the background restore and answers its restore id; throws the child's error when it refused the restore. */
export async function detachRestore(request: DetachRequest): Promise<{ restoreid: string; pid: number }> {
  const args = [BACKGROUND_COMMAND, resolve(request.file), '--category', String(request.categoryid)];
  const { store } = request;
  if (store.kind === 'sqlite') args.push('--db', resolve(store.path));
  else {
    args.push('--pg', store.url);
    if (store.filedir !== undefined) args.push('--filedir', resolve(store.filedir));
  }
  for (const option of request.optionArgs) args.push('--option', option);
  // The same runtime and loader flags as this process (tsx when run from sources), and the same entry script.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const line = await new Promise<string | undefined>((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (text) => {
      done(text);
      lines.close();
    });
    lines.once('close', () => done(undefined));
    child.once('error', fail);
  });
  const answer = parseAnswer(line);
  if (!('restoreid' in answer) && !answer.error) {
    throw new Error(
      `The background restore process exited (code ${String(await exited)}) before accepting the restore; run mbz restore without --detach to see why.`,
    );
  }
  child.stdout!.destroy();
  child.unref();
  if ('restoreid' in answer) return { restoreid: answer.restoreid, pid: child.pid! };
  throw new MbzError(answer.error!.code as ErrorCode, answer.error!.message);
}

// Internal helpers

function parseAnswer(line: string | undefined): { restoreid: string } | { error?: { code: string; message: string } } {
  if (line === undefined) return {};
  try {
    return JSON.parse(line) as { restoreid: string } | { error: { code: string; message: string } };
  } catch {
    return {};
  }
}
