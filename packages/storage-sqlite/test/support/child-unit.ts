/**
 * Run in a child process: opens the store at argv[2], starts a unit, writes a course and a blob, then dies
 * without committing (`abandon`) or dies right after the merge committed, before moving its blob
 * (`crash-after-merge`). SIGKILL, so nothing gets to clean up.
 */
import { Readable } from 'node:stream';
import { createSqliteStorage } from '../../src/index.ts';
import { AFTER_MERGE_SQL, spyDriver } from './drivers.ts';

const [path, mode, hash, text] = process.argv.slice(2) as [string, 'abandon' | 'crash-after-merge', string, string];
const die = () => process.kill(process.pid, 'SIGKILL');
const adapter = createSqliteStorage({ path, driver: spyDriver((sql) => sql.startsWith(AFTER_MERGE_SQL) && die()) });
await adapter.open();
const tx = await adapter.begin();
const id = await tx.allocateIds('course', 1);
await tx.insert('course', [{ id, category: 1, fullname: `Child ${mode}`, shortname: `CHILD-${mode}` }]);
await tx.putBlob(hash, Readable.from([Buffer.from(text)]));
if (mode === 'abandon') die();
await tx.commit();
