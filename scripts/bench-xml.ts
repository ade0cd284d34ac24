/**
 * Benchmark of the streaming XML record reader (`packages/engine/src/xml`), in the spirit of
 * `../shared/docs/perf-limits.md` §b: it writes a synthetic Moodle-shaped `logs.xml` (flat records,
 * the hot path) and `users.xml` (nested records) to a temp directory, then streams each file, in a
 * fresh child process per measurement, through `readRecords` and `countRecords`, and through two
 * baselines measured the same way: a raw read of the file and saxes reporting tokens without
 * building anything. Reports wall and CPU seconds, MB/s, records/s, peak RSS
 * (`process.resourceUsage().maxRSS`) and the ratio to saxes (on CPU time, which other work on the
 * machine disturbs less than wall time; the load average is printed). Temp files are deleted at the end.
 *
 * Children run the engine as plain JavaScript (transpiled into the temp directory with TypeScript's
 * `transpileModule`, the way the package is published), so RSS measures the reader and not the tsx
 * loader thread (+35 MB); `--tsx` runs them under tsx instead.
 *
 * Usage: pnpm exec tsx scripts/bench-xml.ts [--mb 300] [--users 50000] [--runs 1] [--tsx] [--keep]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countRecords, readRecords } from '../packages/engine/src/xml/record-reader.ts';

/** One measurement, as a child prints it. */
interface Measure {
  mode: string;
  seconds: number;
  cpuSeconds: number;
  records: number;
  bytes: number;
  maxRssMb: number;
}

/** The part of saxes' `SaxesParser` the baseline uses. */
interface SaxesLike {
  on(event: string, handler: (value: { name: string }) => void): void;
  write(text: string): void;
  close(): void;
}

/** A synthetic file and how to read it. */
interface Subject {
  name: string;
  file: string;
  bytes: number;
  records: number;
  path: string;
  tag: string;
  arrays: string[];
}

const CHUNK = 1024 * 1024;
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at === -1 ? fallback : Number(args[at + 1]);
  };
  const mb = option('--mb', 300);
  const users = option('--users', 50_000);
  const runs = option('--runs', 1);
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'mbz-bench-xml-'));
  try {
    console.log(
      `Node ${process.version}, ${runs} run(s) per measurement (median), 1 MiB reads, children: ${args.includes('--tsx') ? 'tsx' : 'plain node'}`,
    );
    const logs = await writeLogs(join(dir, 'logs.xml'), mb);
    const nested = await writeUsers(join(dir, 'users.xml'), users);
    const runner = args.includes('--tsx') ? tsxRunner(repo) : await plainRunner(repo, dir);
    const saxes = createRequire(join(repo, 'packages/engine/package.json')).resolve('saxes');
    load('before');
    for (const subject of [logs, nested]) {
      const results: Measure[] = [];
      for (const mode of ['raw', 'saxes', 'readRecords', 'countRecords']) {
        const measures: Measure[] = [];
        for (let run = 0; run < runs; run++) measures.push(await runner([mode, JSON.stringify(subject), saxes]));
        measures.sort((a, b) => a.seconds - b.seconds);
        results.push(measures[Math.floor(measures.length / 2)]!);
      }
      report(subject, results);
    }
    load('after');
  } finally {
    if (!args.includes('--keep')) await rm(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

function report(subject: Subject, results: Measure[]): void {
  const size = subject.bytes / MB;
  console.log(
    `\n${subject.name}: ${size.toFixed(1)} MB, ${subject.records.toLocaleString('en')} records of ${subject.path} (${Math.round(subject.bytes / subject.records)} bytes/record)`,
  );
  console.log('mode            wall s   cpu s  MB/s wall  MB/s cpu  records/s  peak RSS MB  × saxes (cpu)');
  const saxes = results.find((r) => r.mode === 'saxes')!;
  for (const r of results) {
    console.log(
      [
        r.mode.padEnd(14),
        r.seconds.toFixed(2).padStart(7),
        r.cpuSeconds.toFixed(2).padStart(7),
        (size / r.seconds).toFixed(1).padStart(10),
        (size / r.cpuSeconds).toFixed(1).padStart(9),
        (r.records ? Math.round(r.records / r.seconds).toLocaleString('en') : '-').padStart(10),
        String(r.maxRssMb).padStart(12),
        (saxes.cpuSeconds / r.cpuSeconds).toFixed(2).padStart(14),
      ].join(' '),
    );
    if (r.mode !== 'raw' && r.records !== subject.records)
      throw new Error(`${r.mode} found ${r.records} records, expected ${subject.records}`);
  }
}

/** Warns when other work competes for the CPU (wall times then mean little; CPU times are steadier). */
function load(when: string): void {
  const [one] = loadavg();
  const busy = one! > availableParallelism() * 0.6;
  console.log(
    `load average (1 min) ${when}: ${one!.toFixed(2)} on ${availableParallelism()} CPUs${busy ? ' — busy machine: compare CPU columns' : ''}`,
  );
}

// Children

type Runner = (args: string[]) => Promise<Measure>;

/** Runs the children with plain node on a transpiled copy of this script and the engine's XML reader. */
async function plainRunner(repo: string, dir: string): Promise<Runner> {
  const ts = (await import('typescript')).default;
  const out = join(dir, 'js');
  const sources = [
    'scripts/bench-xml.ts',
    'packages/engine/src/errors.ts',
    ...readdirSync(join(repo, 'packages/engine/src/xml')).map((name) => `packages/engine/src/xml/${name}`),
  ];
  for (const source of sources.filter((name) => name.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(repo, source), 'utf8'), {
      fileName: source,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        rewriteRelativeImportExtensions: true,
        verbatimModuleSyntax: true,
      },
    });
    const target = join(out, source.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const script = join(out, 'scripts/bench-xml.js');
  return (args) => runChild([script, '--child', ...args]);
}

/** Runs the children under tsx, as the repository's scripts and CLI run. */
function tsxRunner(repo: string): Runner {
  const script = join(repo, 'scripts/bench-xml.ts');
  return (args) => runChild([...process.execArgv, script, '--child', ...args]);
}

async function runChild(argv: string[]): Promise<Measure> {
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  proc.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  const [code] = (await once(proc, 'close')) as [number];
  if (code !== 0) throw new Error(`benchmark child ${argv.slice(-3, -1).join(' ')} exited with ${code}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measure;
}

async function child([mode, subjectJson, saxesPath]: string[]): Promise<void> {
  const subject = JSON.parse(subjectJson!) as Subject;
  const open = () => createReadStream(subject.file, { highWaterMark: CHUNK });
  const saxes =
    mode === 'saxes'
      ? ((await import(pathToFileURL(saxesPath!).href)) as { SaxesParser: new () => SaxesLike })
      : undefined;
  const startedCpu = process.cpuUsage();
  const started = performance.now();
  let records = 0;
  let bytes = 0;
  if (mode === 'raw') {
    for await (const chunk of open()) bytes += (chunk as Buffer).length;
  } else if (saxes !== undefined) {
    const parser = new saxes.SaxesParser();
    parser.on('opentag', (tag: { name: string }) => {
      if (tag.name === subject.tag) records++;
    });
    parser.on('text', () => {});
    parser.on('closetag', () => {});
    for await (const text of createReadStream(subject.file, { highWaterMark: CHUNK, encoding: 'utf8' }))
      parser.write(text as string);
    parser.close();
  } else if (mode === 'readRecords') {
    for await (const record of readRecords(open(), {
      paths: [subject.path],
      arrays: subject.arrays,
      entry: subject.name,
    })) {
      if (record.data.id !== undefined) records++;
    }
  } else if (mode === 'countRecords') {
    records = (await countRecords(open(), [subject.path], { entry: subject.name }))[subject.path]!;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(startedCpu);
  const measure: Measure = {
    mode: mode!,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    records,
    bytes,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(measure)}\n`);
}

// Synthetic input (deterministic)

/** A small deterministic generator (LCG), so every run writes the same files. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const NULL = '$@NULL@$';
const EVENTS = [
  ['\\core\\event\\course_viewed', 'core', 'viewed', 'course', NULL, 'r', '2', '50'],
  ['\\mod_page\\event\\course_module_viewed', 'mod_page', 'viewed', 'course_module', 'page', 'r', '2', '70'],
  ['\\mod_assign\\event\\submission_graded', 'mod_assign', 'graded', 'submission', 'assign_grades', 'u', '2', '70'],
  ['\\core\\event\\user_graded', 'core', 'graded', 'user', 'grade_grades', 'u', '2', '50'],
  ['\\mod_quiz\\event\\attempt_submitted', 'mod_quiz', 'submitted', 'attempt', 'quiz_attempts', 'u', '2', '70'],
  ['\\core\\event\\role_assigned', 'core', 'assigned', 'role', 'role', 'c', '0', '50'],
  ['\\mod_forum\\event\\discussion_viewed', 'mod_forum', 'viewed', 'discussion', 'forum_discussions', 'r', '2', '70'],
] as const;
const NAMES = [
  'Introduction',
  'Week 3 — Café reading',
  'Résumé of the lecture',
  'Quiz 2',
  'Assignment: essay',
  'Forum «general»',
];

/** Escapes text the way Moodle's `xml_writer` does (`&`, `<`, `>`, `"`). */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A Moodle-shaped logs.xml: `<logs><log id>` with 19 fields, 2-space indentation, `$@NULL@$`, JSON `other`. */
async function writeLogs(file: string, mb: number): Promise<Subject> {
  const next = random(42);
  let id = 0;
  const written = await writeXml(file, '<logs>\n', '</logs>\n', mb * MB, () => {
    id++;
    const [eventname, component, action, target, objecttable, crud, edulevel, contextlevel] =
      EVENTS[next(EVENTS.length)]!;
    const userid = 3 + next(1000);
    const other: Record<string, unknown> = { itemid: 1000 + next(5000), finalgrade: next(10_000) / 100 };
    if (next(3) === 0) other.name = NAMES[next(NAMES.length)];
    if (next(500) === 0) other.name = '伟 张 — 课程';
    const fields: [string, string][] = [
      ['eventname', eventname],
      ['component', component],
      ['action', action],
      ['target', target],
      ['objecttable', objecttable],
      ['objectid', objecttable === NULL ? NULL : String(10_000 + next(90_000))],
      ['crud', crud],
      ['edulevel', edulevel],
      ['contextid', String(1700 + next(400))],
      ['contextlevel', contextlevel],
      ['contextinstanceid', String(700 + next(400))],
      ['userid', String(userid)],
      ['courseid', '7'],
      ['relateduserid', next(2) === 0 ? NULL : String(3 + next(1000))],
      ['anonymous', '0'],
      ['other', escapeXml(JSON.stringify(other))],
      ['timecreated', String(1_795_529_000 + id * 3)],
      ['ip', next(4) === 0 ? NULL : `10.${next(256)}.${next(256)}.${next(256)}`],
      ['realuserid', NULL],
    ];
    return `  <log id="${id}">\n${fields.map(([name, value]) => `    <${name}>${value}</${name}>\n`).join('')}  </log>\n`;
  });
  return { name: 'logs.xml', file, bytes: written, records: id, path: '/logs/log', tag: 'log', arrays: [] };
}

/** A Moodle-shaped users.xml: `<users><user id contextid>` with the user table's fields and nested preferences, tags, custom fields and roles. */
async function writeUsers(file: string, count: number): Promise<Subject> {
  const next = random(7);
  let id = 0;
  const first = ['Laura', 'Olivia', 'Karolína', 'José', '伟', 'Leonie', 'Søren', 'Chloé'];
  const last = ['Davis', 'Hoffmann', 'Nováková', 'García', '楊', 'Müller', 'Dubois', 'Smith'];
  const written = await writeXml(file, '<users>\n', '</users>\n', Infinity, () => {
    if (id === count) return undefined;
    id++;
    const leaf = (name: string, value: string, indent = '    ') => `${indent}<${name}>${value}</${name}>\n`;
    const fields: [string, string][] = [
      ['username', `student${id}`],
      ['idnumber', String(id)],
      ['email', `student${id}@example.com`],
      ['phone1', ''],
      ['phone2', ''],
      ['institution', next(3) === 0 ? 'Université de Genève' : ''],
      ['department', ''],
      ['address', ''],
      ['city', next(2) === 0 ? 'Zürich' : ''],
      ['country', 'CH'],
      ['lastip', '0.0.0.0'],
      ['picture', '0'],
      [
        'description',
        next(3) === 0 ? NULL : escapeXml(`<p>Hello, I am student ${id}. I like <strong>maths</strong> & music.</p>`),
      ],
      ['descriptionformat', '1'],
      ['imagealt', NULL],
      ['auth', 'manual'],
      ['firstnamephonetic', ''],
      ['lastnamephonetic', ''],
      ['middlename', ''],
      ['alternatename', ''],
      ['firstname', first[next(first.length)]!],
      ['lastname', last[next(last.length)]!],
      ['confirmed', '1'],
      ['policyagreed', '0'],
      ['deleted', '0'],
      ['lang', 'en'],
      ['theme', ''],
      ['timezone', '99'],
      ['firstaccess', String(1_795_000_000 + next(1_000_000))],
      ['lastaccess', String(1_796_000_000 + next(1_000_000))],
      ['lastlogin', '0'],
      ['currentlogin', '0'],
      ['mailformat', '1'],
      ['maildigest', '0'],
      ['maildisplay', '2'],
      ['autosubscribe', '1'],
      ['trackforums', '0'],
      ['timecreated', '1795529033'],
      ['timemodified', '1795529033'],
      ['trustbitmask', '0'],
    ];
    const customFields = Array.from(
      { length: next(2) },
      (_, k) =>
        `      <custom_field>\n${leaf('field_name', `field${k}`, '        ')}${leaf('field_type', 'text', '        ')}${leaf('field_data', `value ${next(100)}`, '        ')}      </custom_field>\n`,
    );
    const tags = Array.from(
      { length: next(2) },
      () => `      <tag>\n${leaf('rawname', `tag${next(50)}`, '        ')}      </tag>\n`,
    );
    const preferences = Array.from(
      { length: 1 + next(3) },
      (_, k) =>
        `      <preference>\n${leaf('name', `pref_${k}`, '        ')}${leaf('value', String(next(1000)), '        ')}      </preference>\n`,
    );
    return (
      `  <user id="${id + 3}" contextid="${id + 75}">\n${fields.map(([name, value]) => leaf(name, value)).join('')}` +
      `    <custom_fields>\n${customFields.join('')}    </custom_fields>\n    <tags>\n${tags.join('')}    </tags>\n` +
      `    <preferences>\n${preferences.join('')}    </preferences>\n` +
      '    <roles>\n      <role_overrides>\n      </role_overrides>\n      <role_assignments>\n      </role_assignments>\n    </roles>\n  </user>\n'
    );
  });
  return {
    name: 'users.xml',
    file,
    bytes: written,
    records: id,
    path: '/users/user',
    tag: 'user',
    arrays: ['custom_fields/custom_field', 'tags/tag', 'preferences/preference'],
  };
}

/** Streams `<?xml …?>`, `head`, records from `record()` until `maxBytes` or `undefined`, then `tail`. Returns the file size. */
async function writeXml(
  file: string,
  head: string,
  tail: string,
  maxBytes: number,
  record: () => string | undefined,
): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: CHUNK });
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8"?>\n${head}`);
  for (let done = false; !done && bytes < maxBytes; ) {
    let batch = '';
    for (let k = 0; k < 1000; k++) {
      const text = record();
      if (text === undefined) {
        done = true;
        break;
      }
      batch += text;
    }
    await write(batch);
  }
  await write(tail);
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

// Entry point (last, so every constant above is initialised).

if (process.argv[2] === '--child') {
  await child(process.argv.slice(3));
} else {
  await main();
}
