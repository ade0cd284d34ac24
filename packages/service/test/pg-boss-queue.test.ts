/**
 * The job queue contract, run against the pg-boss queue on a real PostgreSQL (`DATABASE_URL`), each queue in a
 * pg-boss schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describeJobQueue, eventually, pause, sampleJob, TestWorker } from '@mbz-restore/queue-contract';
import { createPgBossQueue } from '@mbz-restore/service/pg-boss';
import type { JobQueue } from '@mbz-restore/service';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const url = process.env.DATABASE_URL ?? '';
const schemas: string[] = [];

async function newQueue(concurrency: number, leaseSeconds?: number): Promise<JobQueue> {
  const schema = `mbz_boss_t_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return createPgBossQueue({
    connectionString: url,
    schema,
    concurrency,
    pollIntervalMs: 50,
    maintenanceIntervalSeconds: 1,
    max: 2,
    ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
  });
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe.runIf(url !== '')('pg-boss queue', () => {
  describeJobQueue('pg-boss, two at once', () => newQueue(2), { concurrency: 2, retryLimit: 2, quietMs: 400 });
  describeJobQueue('pg-boss, one at a time', () => newQueue(1), { concurrency: 1, retryLimit: 2, quietMs: 400 });

  it('is durable; a front end with concurrency 0 hands out nothing, and its jobs wait for a worker elsewhere', async () => {
    const front = await newQueue(0);
    expect(front).toMatchObject({ name: 'pg-boss', durable: true });
    await front.close();
  });

  it('keeps a job with its worker while the worker renews its lease, past the lease and maintenance runs', async () => {
    const queue = await newQueue(2, 3);
    const worker = new TestWorker();
    await queue.work(worker);
    const job = sampleJob(1);
    await queue.enqueue(job);
    await eventually(() => worker.runs.length === 1, 'the job handed out', 5000);
    // Three leases long; maintenance runs every second and would hand the job out again without renewals.
    await pause(9000);
    expect(worker.runs).toHaveLength(1);
    worker.runs[0]!.complete();
    await queue.onIdle();
    expect(await queue.lost(job.restoreid)).toEqual({ retry: false, attempts: 1 });
    await queue.close();
  }, 20_000);
});
