/**
 * A real PostgreSQL for the tests, never a mock.
 *
 * The server is the one `DATABASE_URL` names (in CI: `postgres://postgres@127.0.0.1:5432/test`, set by `.ci/run`);
 * its role must be allowed to create databases. When `DATABASE_URL` is not set and the run is not CI (`CI` unset),
 * the run's global setup ({@link startPostgresForRun}) starts a private cluster from the machine's PostgreSQL
 * binaries (Debian's `/usr/lib/postgresql/<version>/bin`) as a non-root user, on a free port, and removes it at the
 * end of the run. In CI a missing `DATABASE_URL` fails the run: it is never skipped.
 *
 * Each test file gets databases of its own: {@link freshDatabase} creates `mbz_t_<run>_<random>` and drops it (`WITH
 * (FORCE)`) after the file's tests; {@link databaseFactory} clones a template prepared once per file (CREATE
 * DATABASE … TEMPLATE takes ~70 ms where creating Moodle's ~300 tables takes ~0.8 s). The run's teardown fails
 * the run if any database of the run is left (`databaseRule`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresServerUrl, testDatabasePrefix, withDatabase } from './postgres-server.ts';

export {
  databaseRule,
  postgresServerUrl,
  startPostgresForRun,
  testDatabasePrefix,
  withDatabase,
} from './postgres-server.ts';

/** A new empty database on the test server, dropped after this test file; returns its connection string. */
export async function freshDatabase(): Promise<string> {
  const name = `${testDatabasePrefix()}${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  dropAfterAll(name);
  return withDatabase(postgresServerUrl(), name);
}

/**
 * Databases cloned from a template that `prepare(url)` fills once (e.g. opens a store on it: schema and seed),
 * all dropped after this test file. `prepare` must close its connections.
 */
export function databaseFactory(prepare: (url: string) => Promise<void>): () => Promise<string> {
  let template: Promise<string> | undefined;
  let n = 0;
  return async () => {
    template ??= (async () => {
      const name = `${testDatabasePrefix()}${randomBytes(6).toString('hex')}_tpl`;
      await admin(`CREATE DATABASE ${name}`);
      dropAfterAll(name);
      await prepare(withDatabase(postgresServerUrl(), name));
      return name;
    })();
    const source = await template;
    const name = `${source.replace(/_tpl$/, '')}_${++n}`;
    // A connection the template's preparation closed may take a moment to leave the server.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin(`CREATE DATABASE ${name} TEMPLATE ${source}`);
        break;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    dropAfterAll(name);
    return withDatabase(postgresServerUrl(), name);
  };
}

// Internal helpers

/** Databases this test file made, dropped after its tests (clones before their template). */
const toDrop: string[] = [];
afterAll(async () => {
  for (const db of toDrop.splice(0).reverse()) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
});

function dropAfterAll(name: string): void {
  toDrop.push(name);
}

/** Runs one statement on the server's own database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
