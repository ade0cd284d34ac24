/**
 * The global setup of `pnpm test:quick`: the run's own temp folder and its rule (tests remove what they create),
 * and a PostgreSQL server (`DATABASE_URL`, or a private cluster; see postgres-server.ts), without the check for the built
 * bin, since the quick run leaves out the tests that run it.
 */
import { tempFolderRule } from './global-setup.ts';
import { databaseRule, startPostgresForRun } from './postgres-server.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const stopPostgres = await startPostgresForRun();
  const tempRule = tempFolderRule();
  const dbRule = databaseRule();
  return async () => {
    try {
      tempRule();
      await dbRule();
    } finally {
      await stopPostgres();
    }
  };
}
