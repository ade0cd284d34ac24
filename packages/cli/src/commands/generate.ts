/** `mbz generate --size xs|s|m|l|xl --out file.mbz [--zip] [--seed N] [--json]`: a valid, deterministic Moodle backup. */
import { Option, type Command } from 'commander';
import type { GenerateResult } from '@mbz-restore/generator';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';
import { aligned, bytes, count } from '../format.ts';
import { startProgress } from '../progress.ts';

/** Registers the command. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Write a valid Moodle course backup with users, grades, logs, files… (deterministic from --seed)')
    .addOption(new Option('--size <size>', 'how big').choices(['xs', 's', 'm', 'l', 'xl']).default('xs'))
    .requiredOption('--out <file>', 'where to write the .mbz')
    .option('--zip', "write a ZIP container instead of gzip'd tar (what Moodle writes by default)")
    .option('--seed <n>', 'seed of the pseudo-random content', '1')
    .option('--json', 'print the result as one JSON line')
    .action(
      async (
        options: { size: 'xs' | 's' | 'm' | 'l' | 'xl'; out: string; zip?: boolean; seed: string; json?: boolean },
        command: Command,
      ) => {
        const debug = Boolean(command.optsWithGlobals().debug);
        try {
          const seed = Number(options.seed);
          if (!Number.isSafeInteger(seed) || seed < 0)
            throw new UsageError(`--seed must be a whole number ≥ 0, got "${options.seed}"`);
          const { generateBackup } = await import('@mbz-restore/generator');
          const progress = options.json ? undefined : startProgress('generate', { unit: 'bytes' });
          let result: GenerateResult;
          try {
            result = await generateBackup({
              size: options.size,
              out: options.out,
              seed,
              container: options.zip ? 'zip' : 'tar.gz',
              onProgress: progress ? (written) => progress.update(written) : undefined,
            });
          } finally {
            progress?.stop();
          }
          if (options.json) printJsonLine(result);
          else process.stdout.write(`${summary(result)}\n`);
          process.exitCode = ExitCode.Ok;
        } catch (error) {
          process.exitCode = reportError(error, { json: options.json, debug });
        }
      },
    );
}

function summary(r: GenerateResult): string {
  const c = r.counts;
  return [
    `Wrote ${r.path}`,
    aligned([
      [
        'Backup',
        `${r.container}, ${bytes(r.bytes)} (${bytes(r.uncompressedBytes)} uncompressed), size ${r.size}, seed ${r.seed}`,
      ],
      ['Course', `${r.course.fullname} (${r.course.shortname})`],
      [
        'Contents',
        `${count(c.sections, 'section')}, ${count(c.activities, 'activity', 'activities')}, ${count(c.users ?? 0, 'user')}, ${count(c.logEntries, 'log entry', 'log entries')}, ${count(c.blobs, 'blob')}`,
      ],
    ]),
  ].join('\n');
}
