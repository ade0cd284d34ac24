/**
 * The run's rule for PostgreSQL databases: the run's global setup names the run, the test helpers name each database
 * after it, and the teardown fails the run if a database of this run is left on the server (dropping it), while
 * databases of other runs on the same server are left alone.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseRule, postgresServerUrl, testDatabasePrefix } from '../src/postgres.ts';

const outerRun = process.env.MBZ_TEST_RUN;
afterEach(() => {
  process.env.MBZ_TEST_RUN = outerRun;
});

async function admin<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const exists = async (name: string): Promise<boolean> =>
  (await admin('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;

describe('the run leaves no PostgreSQL database behind', () => {
  it('fails naming a database of the run that is still there, and drops it', async () => {
    const check = databaseRule();
    expect(process.env.MBZ_TEST_RUN).not.toBe(outerRun);
    const name = `${testDatabasePrefix()}${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    await expect(check()).rejects.toThrow(new RegExp(`left 1 PostgreSQL databases .*${name}`));
    expect(await exists(name)).toBe(false);
    await expect(check()).resolves.toBeUndefined();
  });

  it("leaves other runs' databases alone", async () => {
    const other = `mbz_t_${randomBytes(4).toString('hex')}_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE ${other}`);
    try {
      const check = databaseRule();
      await expect(check()).resolves.toBeUndefined();
      expect(await exists(other)).toBe(true);
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
    }
  });
});
