/**
 * The PostgreSQL server of a test run (no vitest here: the run's global setup imports it). See `postgres.ts`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/** How to provide a server, for messages. */
export const HOW =
  'Set DATABASE_URL to a PostgreSQL server whose role may create databases, e.g. ' +
  'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (trust auth), or install PostgreSQL ' +
  '(Debian: apt-get install postgresql) so the tests can start a private cluster.';

/** The server's connection string (`DATABASE_URL`); throws saying how to provide one. */
export function postgresServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(`No PostgreSQL server for the tests: DATABASE_URL is not set. ${HOW}`);
  return url;
}

/**
 * The prefix of the databases this test run makes (`mbz_t_<run>_`): the run's global setup sets `MBZ_TEST_RUN`, which
 * the test workers inherit, so its teardown can tell this run's databases from those of another run on the same server.
 */
export function testDatabasePrefix(): string {
  const run = process.env.MBZ_TEST_RUN ?? 'x';
  return `mbz_t_${run}_`;
}

/**
 * For the run's global setup: gives the run its database prefix; the returned check drops any database of this run
 * still on the server at the end and fails the run naming them (each test file drops what it creates).
 */
export function databaseRule(): () => Promise<void> {
  process.env.MBZ_TEST_RUN = randomBytes(4).toString('hex');
  const prefix = testDatabasePrefix();
  return async () => {
    const url = process.env.DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let left: string[];
    try {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
        [prefix],
      );
      left = rows.map((r) => r.datname);
      for (const name of left) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
    if (left.length > 0)
      throw new Error(
        `Tests left ${left.length} PostgreSQL databases on the server (each test file must drop what it creates; dropped now): ${left.join(', ')}`,
      );
  };
}

/** `url` pointing at database `name`. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * For the run's global setup: makes sure `DATABASE_URL` names a server. Keeps a given one; in CI without one,
 * throws; otherwise starts a private cluster and sets `DATABASE_URL`. Returns the teardown.
 */
export async function startPostgresForRun(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => undefined;
  if (process.env.CI) throw new Error(`CI is set but DATABASE_URL is not: the PostgreSQL tests cannot run. ${HOW}`);
  const bin = postgresBinDir();
  if (!bin) throw new Error(`DATABASE_URL is not set and no PostgreSQL binaries were found. ${HOW}`);
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
  const run = (args: string[]): string => {
    const [cmd, ...rest] = [...asUser, ...args];
    return execFileSync(cmd!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const dir = run(['mktemp', '-d', '/tmp/pgpriv-XXXXXX']).trim();
  const port = await freePort();
  try {
    run([
      join(bin, 'initdb'),
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    run([
      join(bin, 'pg_ctl'),
      '-D',
      join(dir, 'data'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start a private PostgreSQL cluster (${String(error)}). ${HOW}`);
  }
  process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return async () => {
    delete process.env.DATABASE_URL;
    try {
      run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

// Internal helpers

/** The newest `/usr/lib/postgresql/<version>/bin`, or `pg_config --bindir`; undefined when neither exists. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'initdb')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
