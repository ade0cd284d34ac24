/**
 * Writes the failure corpus: every case of `test/hostile/corpus-cases.ts` as `<id>.mbz`, plus
 * `cases.json` stating what each must produce through `inspect` and `restore` (an error code, or
 * success with exactly these warning codes), its size and SHA-256. Nothing binary is committed: the
 * corpus is made from the generator's `xs` course and is the same on every run. The heavy cases are
 * a few MB on disk and stream gigabytes when read.
 *
 * Usage: pnpm tsx scripts/make-failure-corpus.ts [--out .cache/failure-corpus] [--only <id substring>] [--no-heavy]
 * Then e.g.: pnpm mbz inspect --json .cache/failure-corpus/zip-bomb-2gib.mbz
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBaseBackup } from '../test/hostile/base-backup.ts';
import { caseRecord, CORPUS_CASES } from '../test/hostile/corpus-cases.ts';
import { describeOutcome } from '../test/hostile/outcome.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join('.cache', 'failure-corpus') },
    only: { type: 'string' },
    'no-heavy': { type: 'boolean', default: false },
  },
});
const out = resolve(values.out);
const cases = CORPUS_CASES.filter(
  (c) => (values.only === undefined || c.id.includes(values.only)) && !(values['no-heavy'] && c.heavy),
);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const base = await loadBaseBackup();
const records: Array<Record<string, unknown>> = [];
for (const c of cases) {
  const file = join(out, `${c.id}.mbz`);
  await c.build(file, base);
  const bytes = (await stat(file)).size;
  records.push({ ...caseRecord(c), bytes, sha256: await sha256(file) });
  process.stdout.write(
    `${c.id.padEnd(42)} ${String(bytes).padStart(9)} B  inspect: ${describeOutcome(c.inspect).padEnd(36)} restore: ${describeOutcome(c.restore)}\n`,
  );
}
await writeFile(join(out, 'cases.json'), `${JSON.stringify(records, null, 1)}\n`);
process.stdout.write(`\n${records.length} cases written to ${out} (cases.json states each expected outcome)\n`);

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
