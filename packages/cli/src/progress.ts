/**
 * Progress bars on a terminal (cli-progress: a well-kept library, so the CLI does not hand-write
 * cursor handling). When stderr is not a terminal nothing is drawn, so logs and pipes stay clean.
 */
import { createRequire } from 'node:module';
import type cliProgressType from 'cli-progress';

/** A running progress display. */
export interface Progress {
  /** Sets the current value (a fraction 0…1 for `unit: 'fraction'`, bytes for `unit: 'bytes'`) and an optional label. */
  update(value: number, label?: string): void;
  stop(): void;
}

/** Starts a bar on stderr when it is a terminal; otherwise a no-op. */
export function startProgress(title: string, options: { unit: 'fraction' | 'bytes' }): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  // Loaded only when a bar is drawn: a command run in a pipe or by a script never pays for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressType;
  const format =
    options.unit === 'fraction'
      ? `${title} [{bar}] {percentage}% | {label}`
      : `${title} {megabytes} MB written | {duration_formatted}`;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.unit === 'fraction' ? 1000 : 0, 0, { label: '', megabytes: '0' });
  return {
    update(value, label) {
      if (options.unit === 'fraction') bar.update(Math.round(value * 1000), { label: label ?? '' });
      else bar.update(0, { megabytes: (value / 1e6).toFixed(0) });
    },
    stop() {
      bar.stop();
    },
  };
}
