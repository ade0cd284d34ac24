/** Helpers the contract tests share: a full dump of a store, sample rows, blob streams, error capture. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MOODLE_TABLES } from '@mbz-restore/engine';
import type { JobStore, RestoreJobRecord, Row, StorageAdapter, StorageTransaction } from '@mbz-restore/engine';

/** What the suite's tests get. */
export interface ContractContext {
  /** A new, opened adapter on a new, empty store; closed after the test. */
  create(): Promise<StorageAdapter>;
}

/** A job store as the job contract gets it: `open()` and `close()` when it has them (a storage adapter does). */
export type ContractJobStore = JobStore & { open?(): Promise<void>; close?(): Promise<void> };

/** What the job store suite's tests get. */
export interface JobStoreContext {
  /** A new, opened job store on a new, empty store; closed after the test. */
  create(): Promise<ContractJobStore>;
}

/** True when `store` is also a storage adapter (it has units of work). */
export function isStorageAdapter(store: ContractJobStore): store is ContractJobStore & StorageAdapter {
  return typeof (store as Partial<StorageAdapter>).begin === 'function';
}

/** Everything a store holds that a restore can change: every table of MOODLE_TABLES, blob list, jobs. */
export interface StoreDump {
  readonly tables: Record<string, Row[]>;
  readonly blobs: string[];
  readonly jobs: RestoreJobRecord[];
}

/** A full dump of `adapter`, for before/after comparisons; `jobs` is empty when it is not also a job store. */
export async function dumpStore(adapter: StorageAdapter & Partial<JobStore>): Promise<StoreDump> {
  const tables: Record<string, Row[]> = {};
  for (const t of MOODLE_TABLES) tables[t.name] = await adapter.select(t.name);
  return { tables, blobs: await adapter.listBlobs(), jobs: adapter.listJobs ? await adapter.listJobs() : [] };
}

/** A blob: its SHA-1 and a fresh stream of its bytes per call. */
export function blobOf(text: string): { hash: string; bytes: Buffer; stream(): Readable } {
  const bytes = Buffer.from(text);
  return { hash: createHash('sha1').update(bytes).digest('hex'), bytes, stream: () => Readable.from([bytes]) };
}

/** A stream that yields `first` and then fails (like the engine's stream on a hash mismatch or a broken archive). */
export function failingStream(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) this.destroy(new Error('source broke mid-blob'));
      else this.push(first);
      sent = true;
    },
  });
}

/** Reads a stream to a Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The error `fn` rejects with, or `undefined` when it resolves. */
export async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A course row with `id`, as a restore writes one (other columns take defaults). */
export function courseRow(id: number, shortname: string): Row {
  return {
    id,
    category: 1,
    fullname: `Course ${shortname}`,
    shortname,
    idnumber: '',
    summary: 'restored',
    timecreated: 1_700_000_000,
  };
}

/** A user row with `id` on the local mnet host. */
export function userRow(id: number, username: string): Row {
  return {
    id,
    username,
    mnethostid: 1,
    confirmed: 1,
    firstname: 'First',
    lastname: 'Last',
    email: `${username}@example.org`,
  };
}

/** A job record. */
export function jobRecord(
  restoreid: string,
  timecreated: number,
  overrides: Partial<RestoreJobRecord> = {},
): RestoreJobRecord {
  return {
    restoreid,
    status: 700,
    progress: 0,
    stage: null,
    categoryid: 1,
    courseid: null,
    settings: { users: 1, logs: 0 },
    error: null,
    warnings: [],
    source: '/tmp/backup.mbz',
    userid: 2,
    timecreated,
    timemodified: timecreated,
    timestarted: null,
    timefinished: null,
    owner: null,
    heartbeat: null,
    ...overrides,
  };
}

/**
 * What a small restore does in one unit: rows in several tables over several insert calls, an update of a
 * committed row and of an own row, two blobs. Returns the new course id.
 */
export async function sampleRestore(tx: StorageTransaction, tag: string): Promise<number> {
  const courseid = await tx.allocateIds('course', 1);
  await tx.insert('course', [courseRow(courseid, `C-${tag}`)]);
  const sectionid = await tx.allocateIds('course_sections', 3);
  await tx.insert(
    'course_sections',
    [0, 1, 2].map((n) => ({ id: sectionid + n, course: courseid, section: n, name: `S${n}` })),
  );
  const userid = await tx.allocateIds('user', 2);
  await tx.insert('user', [userRow(userid, `u1-${tag}`), userRow(userid + 1, `u2-${tag}`)]);
  const logid = await tx.allocateIds('logstore_standard_log', 50);
  const logs = Array.from({ length: 50 }, (_, i) => logRow(logid + i, courseid, userid));
  await tx.insert('logstore_standard_log', logs.slice(0, 25));
  await tx.insert('logstore_standard_log', logs.slice(25));
  await tx.update('course', 1, { summary: `touched by ${tag}` });
  await tx.update('course_sections', sectionid, { sequence: '1,2,3' });
  await tx.putBlob(blobOf(`a-${tag}`).hash, blobOf(`a-${tag}`).stream());
  await tx.putBlob(blobOf(`b-${tag}`).hash, blobOf(`b-${tag}`).stream());
  return courseid;
}

/** A logstore_standard_log row (Moodle's 20 columns). */
export function logRow(id: number, courseid: number, userid: number): Row {
  return {
    id,
    eventname: '\\core\\event\\course_viewed',
    component: 'core',
    action: 'viewed',
    target: 'course',
    objecttable: null,
    objectid: null,
    crud: 'r',
    edulevel: 2,
    contextid: 2,
    contextlevel: 50,
    contextinstanceid: courseid,
    userid,
    courseid,
    relateduserid: null,
    anonymous: 0,
    other: 'N;',
    timecreated: 1_700_000_000 + id,
    origin: 'web',
    ip: '127.0.0.1',
    realuserid: null,
  };
}
