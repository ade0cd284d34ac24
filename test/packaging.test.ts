/**
 * The packages as a user gets them: `pnpm pack` each public package, `npm install` the tarballs into a fresh
 * project outside the workspace (no workspace links, better-sqlite3 built as npm builds it), then:
 * - the README's embedding example, as plain `node` ESM, restores a real fixture into SQLite and into memory, and
 *   its PostgreSQL example into a new database of the test server (`pg` is JavaScript only: nothing to build);
 * - the service README's example restores one through the installed service, in a worker thread started from the
 *   service package's own built worker entry;
 * - a TypeScript consumer type-checks under `moduleResolution` node16 and bundler;
 * - the installed `mbz` bin answers --version, inspect and restore (`npx mbz …`);
 * - publint and @arethetypeswrong/cli find nothing wrong with the tarballs.
 * Slow (an npm install with a native build): part of `pnpm test`, left out of `pnpm test:quick`.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { userEnv } from '@mbz-restore/test-support/cli';
import { freshDatabase } from '@mbz-restore/test-support/postgres';
import { hasShared, mbzFixture, repoRoot } from '@mbz-restore/test-support/shared';
import { testTempDir } from '@mbz-restore/test-support/temp';

/** The public packages (storage-contract and queue-contract are private: the test suites adapters and queues pass). */
const PACKAGES = [
  'engine',
  'service',
  'storage-sqlite',
  'storage-memory',
  'storage-postgres',
  'webservice',
  'generator',
  'cli',
];
const FIXTURE = 'report_advancedgrading__tests-fixtures-backup-advgrade.mbz';
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);

let project: string;
let packs: string;

/** Runs a command in the consumer project as a user's shell would (no workspace conditions, no INIT_CWD). */
function inProject(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...userEnv(env), INIT_CWD: project },
  });
}

/** The code block between `<!-- name:start -->` and `<!-- name:end -->` of a README (the root one by default). */
function readmeBlock(name: string, readmePath = 'README.md'): string {
  const readme = readFileSync(join(repoRoot, readmePath), 'utf8');
  const block = new RegExp(`<!-- ${name}:start -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(
    readme,
  )?.[1];
  if (!block) throw new Error(`${readmePath} has no ${name} block`);
  return block;
}

describe.skipIf(!hasShared())('packed packages, installed outside the workspace', () => {
  beforeAll(() => {
    project = testTempDir('consumer-');
    packs = testTempDir('packs-');
    for (const name of PACKAGES) {
      execFileSync('pnpm', ['pack', '--pack-destination', packs], {
        cwd: join(repoRoot, 'packages', name),
        stdio: 'ignore',
        env: userEnv(),
      });
    }
    const dependencies = Object.fromEntries(
      readdirSync(packs).map((file) => [
        `@mbz-restore/${/^mbz-restore-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(file)![1]}`,
        `file:${join(packs, file)}`,
      ]),
    );
    const pkg = {
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { ...dependencies, '@types/node': '^20.19.43' },
    };
    writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2));
    // npm builds better-sqlite3 from source here (no prebuilt binaries can be fetched); node-gyp uses the system's headers.
    const nodedir = existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {};
    const install = inProject('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      npm_config_build_from_source: 'true',
      ...nodedir,
    });
    expect(install.status, install.stderr).toBe(0);
    expect(existsSync(join(project, 'node_modules', '@mbz-restore', 'engine', 'src')), 'sources are not shipped').toBe(
      false,
    );
  }, 900_000);

  it("the README's embedding example restores a real fixture into SQLite and into memory with plain node", () => {
    const example = readmeBlock('embed').replaceAll("'course.mbz'", JSON.stringify(mbzFixture(FIXTURE)));
    writeFileSync(join(project, 'example.mjs'), example);
    const run = inProject(process.execPath, ['example.mjs']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const sqlite = JSON.parse(lines.find((l) => l.startsWith('{"store":"sqlite"'))!);
    const memory = JSON.parse(lines.find((l) => l.startsWith('{"store":"memory"'))!);
    expect(sqlite.courseid).toBeGreaterThan(1);
    expect(sqlite.counts.mdl_assign).toBe(6);
    expect(memory.counts).toEqual(sqlite.counts);
    expect(existsSync(join(project, 'moodle.sqlite'))).toBe(true);
  });

  it("the service README's example restores a real fixture in a worker thread of the installed service", () => {
    const example = readmeBlock('service-embed', 'packages/service/README.md').replaceAll(
      "'course.mbz'",
      JSON.stringify(mbzFixture(FIXTURE)),
    );
    writeFileSync(join(project, 'service-example.mjs'), example);
    const run = inProject(process.execPath, ['service-example.mjs']);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ status: 1000, inWorker: true });
    expect(result.courseid).toBeGreaterThan(1);
  });

  it("the README's PostgreSQL example restores the same fixture into a PostgreSQL database with plain node", async () => {
    const example = readmeBlock('embed-postgres').replaceAll("'course.mbz'", JSON.stringify(mbzFixture(FIXTURE)));
    writeFileSync(join(project, 'example-postgres.mjs'), example);
    const run = inProject(process.execPath, ['example-postgres.mjs'], { DATABASE_URL: await freshDatabase() });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.courseid).toBeGreaterThan(1);
    expect(result.counts.mdl_assign).toBe(6);
  });

  it.each(['node16', 'bundler'])('a TypeScript consumer type-checks with moduleResolution %s', (resolution) => {
    writeFileSync(join(project, 'consumer.ts'), readmeBlock('embed-ts'));
    const module = resolution === 'node16' ? 'node16' : 'esnext';
    const tsconfig = {
      compilerOptions: {
        module,
        moduleResolution: resolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig));
    const check = inProject(process.execPath, [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      `tsconfig.${resolution}.json`,
    ]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('npx mbz answers --version, inspect and restore', () => {
    const version = inProject('npx', ['--no-install', 'mbz', '--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')).version,
    );
    const inspect = inProject('npx', ['--no-install', 'mbz', 'inspect', '--json', mbzFixture(FIXTURE)]);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout).counts.modules).toMatchObject({ assign: 6 });
    const restore = inProject('npx', [
      '--no-install',
      'mbz',
      'restore',
      mbzFixture(FIXTURE),
      '--db',
      'cli.sqlite',
      '--json',
    ]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout).counts.mdl_assign).toBe(6);
  });

  it('publint and arethetypeswrong find no problem in the tarballs', () => {
    for (const file of readdirSync(packs)) {
      const tarball = join(packs, file);
      const lint = spawnSync(bin('publint'), ['run', tarball, '--strict'], { encoding: 'utf8', env: userEnv() });
      expect(lint.status, `${file}: ${lint.stdout}${lint.stderr}`).toBe(0);
      // ESM-only packages: node10 resolution and require() from CommonJS are not supported, on purpose (README).
      const types = spawnSync(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], {
        encoding: 'utf8',
        env: userEnv(),
      });
      expect(types.status, `${file}: ${types.stdout}${types.stderr}`).toBe(0);
    }
  });
});
