/**
 * Mutations of real backups for the fuzz test, as plain data so fast-check can generate and shrink them:
 * byte edits of the archive itself, or of one XML file inside it (then packed again in the same container,
 * so the archive is sound and only the XML is broken). Besides flips, cuts, insertions and deletions, XML
 * edits insert markup fragments (`<`, `&`, `]]>`, a DOCTYPE …) and replace numbers (ids, sizes, times)
 * with hostile ones.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { openArchive } from '@mbz-restore/engine';
import { tarBuffer, zipBuffer } from '@mbz-restore/test-support/archives';

/** One edit of a byte string; positions are taken modulo its length. */
export type ByteOp =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'number'; readonly nth: number; readonly value: string }
  | { readonly kind: 'text'; readonly nth: number; readonly value: string };

/** What to mutate: which fixture, which part of it (`entry` picks the XML file), and how. */
export interface Mutation {
  readonly fixture: number;
  readonly target: 'archive' | 'manifest' | 'xml';
  readonly entry: number;
  readonly ops: readonly ByteOp[];
}

/** A real backup loaded for mutation. */
export interface FuzzFixture {
  readonly name: string;
  readonly bytes: Buffer;
  readonly container: 'zip' | 'tar.gz';
  readonly entries: ReadonlyArray<{ readonly name: string; readonly content: Buffer }>;
}

/** Markup and values that stress an XML reader and the restore's id mapping. */
const FRAGMENTS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '&xxe;',
  ']]>',
  '<![CDATA[',
  '</',
  '<a>',
  '"',
  "'",
  '\u0000',
  '\uFFFE',
  '$@NULL@$',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<?xml version="1.0"?>',
  '<!-- -->',
  '<x/>'.repeat(70),
];
const NUMBERS = [
  '0',
  '-1',
  '1',
  '2',
  '3',
  '999999',
  '2147483648',
  '99999999999999999999',
  '1e9',
  '0x10',
  '',
  ' ',
  'NaN',
  '1.5',
];
/** Element texts that stay well-formed but mean nothing good. */
const TEXTS = [
  '',
  '$@NULL@$',
  'x',
  '-1',
  '0',
  '999999',
  '&lt;p&gt;',
  'a'.repeat(5000),
  '../../etc/passwd',
  'O:8:"stdClass":0:{}',
  '{"op":"&","c":[]}',
];

/**
 * The arbitrary of {@link Mutation}s. Three in five edit bytes (of the archive, of moodle_backup.xml or of
 * another XML file) and mostly break the XML; two in five replace numbers and element texts only, so the
 * XML stays well-formed and the restore gets deep into the stages with ids, sizes and values it did not expect.
 */
export function mutationArbitrary(): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const value: fc.Arbitrary<ByteOp> = fc.oneof(
    fc.record({ kind: fc.constant('number' as const), nth: fc.nat({ max: 2000 }), value: fc.constantFrom(...NUMBERS) }),
    fc.record({ kind: fc.constant('text' as const), nth: fc.nat({ max: 2000 }), value: fc.constantFrom(...TEXTS) }),
  );
  const op: fc.Arbitrary<ByteOp> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({
      kind: fc.constant('insert' as const),
      at,
      bytes: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })),
    }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 512 }) }),
    value,
  );
  const bytes = fc.record({
    fixture: fc.nat(),
    target: fc.constantFrom<Mutation['target']>(
      'archive',
      'archive',
      'archive',
      'manifest',
      'manifest',
      'xml',
      'xml',
      'xml',
    ),
    entry: fc.nat(),
    ops: fc.array(op, { minLength: 1, maxLength: 6 }),
  });
  const values = fc.record({
    fixture: fc.nat(),
    target: fc.constantFrom<Mutation['target']>('manifest', 'xml', 'xml', 'xml'),
    entry: fc.nat(),
    ops: fc.array(value, { minLength: 1, maxLength: 12 }),
  });
  return fc.oneof({ arbitrary: bytes, weight: 3 }, { arbitrary: values, weight: 2 });
}

/** Reads a backup for mutation (its bytes and its files). */
export async function loadFuzzFixture(path: string): Promise<FuzzFixture> {
  const reader = await openArchive(path);
  try {
    const entries: Array<{ name: string; content: Buffer }> = [];
    for await (const entry of reader.entries()) {
      if (entry.type !== 'file') continue;
      const chunks: Buffer[] = [];
      for await (const chunk of entry.open()) chunks.push(chunk as Buffer);
      entries.push({ name: entry.name, content: Buffer.concat(chunks) });
    }
    if (reader.kind === 'directory') throw new Error(`${path}: a fuzz fixture must be a file`);
    return { name: basename(path), bytes: await readFile(path), container: reader.kind, entries };
  } finally {
    await reader.close();
  }
}

/** The mutated backup's bytes, and what was changed (for the report of a failing case). */
export async function mutate(fixtures: readonly FuzzFixture[], m: Mutation): Promise<{ bytes: Buffer; what: string }> {
  const fixture = fixtures[m.fixture % fixtures.length]!;
  const xml = fixture.entries.filter((e) =>
    m.target === 'manifest' ? e.name === 'moodle_backup.xml' : e.name.endsWith('.xml'),
  );
  const victim = m.target === 'archive' ? undefined : xml[m.entry % Math.max(1, xml.length)];
  if (!victim) return { bytes: applyOps(fixture.bytes, m.ops), what: `${fixture.name}: archive bytes` };
  const entries = fixture.entries.map((e) =>
    e === victim ? { name: e.name, content: applyOps(e.content, m.ops) } : e,
  );
  const bytes = fixture.container === 'zip' ? await zipBuffer(entries) : gzipSync(tarBuffer(entries), { level: 1 });
  return { bytes, what: `${fixture.name}: ${victim.name}` };
}

/** Applies byte edits in order. */
export function applyOps(input: Buffer, ops: readonly ByteOp[]): Buffer {
  let bytes = input;
  for (const op of ops) {
    const at = 'at' in op ? op.at % (bytes.length + 1) : 0;
    switch (op.kind) {
      case 'flip':
        if (bytes.length > 0) {
          bytes = Buffer.from(bytes);
          bytes[at % bytes.length]! ^= op.mask;
        }
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(op.bytes), bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + op.length)]);
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes.subarray(0, at + op.length), bytes.subarray(at)]);
        break;
      case 'number':
        bytes = replaceNth(bytes, /\d+/g, op.nth, op.value);
        break;
      case 'text':
        bytes = replaceNth(bytes, /(?<=>)[^<>]*(?=<\/)/g, op.nth, op.value);
        break;
    }
  }
  return bytes;
}

// Internal helpers

/** Replaces the `nth` match of `pattern` (counted modulo how many there are) by `value`. */
function replaceNth(bytes: Buffer, pattern: RegExp, nth: number, value: string): Buffer {
  const text = bytes.toString('latin1');
  const runs = [...text.matchAll(pattern)];
  if (runs.length === 0) return bytes;
  const run = runs[nth % runs.length]!;
  return Buffer.concat([bytes.subarray(0, run.index), Buffer.from(value), bytes.subarray(run.index + run[0].length)]);
}
