/**
 * The contract every `JobQueue` of `@mbz-restore/service` must pass, as a function that registers vitest tests:
 * `describeJobQueue('local', () => createLocalQueue({ concurrency: 2 }), { concurrency: 2 })`. Each test gets a new
 * queue on nothing (`createQueue`), hands it a {@link TestWorker} (`work`), and closes it afterwards. What it checks is
 * the contract written in the service's README ("The job queue"): first in, first out; at most `concurrency` at once;
 * jobs cross as plain data with their attempt; complete, withdraw and close; fail, lost and retries within the limit.
 */
import type { JobQueue } from '@mbz-restore/service';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, pause, sampleJob, TestWorker } from './test-worker.ts';

/** What the contract must know about the queue it checks. */
export interface DescribeJobQueueOptions {
  /** Most jobs the queue, as `createQueue` makes it, hands out at once in this process (≥ 1). */
  readonly concurrency: number;
  /**
   * How many times the queue hands a job out again after its worker failed or was lost: 0 for a queue that never
   * retries (the local one, whose jobs die with their process). Default is 0.
   */
  readonly retryLimit?: number;
  /** Longest a job may take to be handed out (a queue that polls a database needs more), in ms. Default is 5000. */
  readonly handoutMs?: number;
  /** How long a test watches for something that must not happen (a job handed out too many times), in ms. Default 200. */
  readonly quietMs?: number;
}

/** Registers the job queue contract tests for one queue. */
export function describeJobQueue(
  name: string,
  createQueue: () => Promise<JobQueue>,
  options: DescribeJobQueueOptions,
): void {
  const { concurrency } = options;
  const retryLimit = options.retryLimit ?? 0;
  const handoutMs = options.handoutMs ?? 5000;
  const quietMs = options.quietMs ?? 200;

  describe(`job queue contract: ${name}`, () => {
    const open: Array<{ queue: JobQueue; worker: TestWorker }> = [];
    afterEach(async () => {
      for (const { queue, worker } of open.splice(0)) {
        await queue.close();
        worker.completeAll();
        await queue.onIdle();
      }
    });

    async function start(): Promise<{ queue: JobQueue; worker: TestWorker }> {
      const queue = await createQueue();
      const worker = new TestWorker();
      open.push({ queue, worker });
      await queue.work(worker);
      return { queue, worker };
    }

    it("hands out every job once, first in, first out (up to the slots' race), as plain data with attempt 1", async () => {
      const { queue, worker } = await start();
      const jobs = Array.from({ length: concurrency + 3 }, (_, i) => sampleJob(i + 1));
      for (const job of jobs) await queue.enqueue(job);
      for (let i = 0; i < jobs.length; i++) {
        await eventually(() => worker.runs.length > i, `job ${i + 1} handed out`, handoutMs);
        worker.runs[i]!.complete();
      }
      await queue.onIdle();
      await pause(quietMs);
      const handed = worker.runs.map((r) => r.job);
      // Every job once, as plain data with attempt 1 …
      expect([...handed].sort((a, b) => a.restoreid.localeCompare(b.restoreid))).toEqual(
        jobs.map((job) => ({ ...job, attempt: 1 })),
      );
      // … in queue order, up to the slots' race: slots that fetch at once may start their jobs in either order
      // (a distributed queue's fetches are separate round trips), so a job starts fewer than `concurrency` places
      // from its place in the queue; with one slot, exactly in order.
      handed.forEach((job, place) => {
        const queued = jobs.findIndex((j) => j.restoreid === job.restoreid);
        expect(Math.abs(place - queued), `${job.restoreid} started ${place + 1}th`).toBeLessThan(concurrency);
      });
      expect(queue.state()).toEqual({ concurrency, running: [], queued: [] });
    });

    it(`runs at most ${concurrency} at once; state() shows them running and the others waiting in order`, async () => {
      const { queue, worker } = await start();
      const jobs = Array.from({ length: concurrency + 2 }, (_, i) => sampleJob(i + 1));
      for (const job of jobs) await queue.enqueue(job);
      await eventually(() => worker.runs.length === concurrency, `${concurrency} jobs handed out`, handoutMs);
      await pause(quietMs);
      expect(worker.runs).toHaveLength(concurrency);
      const ids = jobs.map((job) => job.restoreid);
      const state = queue.state();
      expect(state.concurrency).toBe(concurrency);
      expect(state.running).toEqual(ids.slice(0, concurrency));
      // A durable queue may not know here what waits in its database; what it lists is in order.
      if (queue.durable) expect(ids.slice(concurrency)).toEqual(expect.arrayContaining([...state.queued]));
      else expect(state.queued).toEqual(ids.slice(concurrency));
      worker.runs[0]!.complete();
      await eventually(() => worker.runs.length === concurrency + 1, 'the next job handed out', handoutMs);
      expect(worker.runs.at(-1)!.job.restoreid).toBe(ids[concurrency]);
      worker.completeAll();
      await eventually(() => worker.runs.length === jobs.length, 'every job handed out', handoutMs);
      worker.completeAll();
      await queue.onIdle();
      expect(worker.peak).toBeLessThanOrEqual(concurrency);
    });

    it('forgets a completed job: onIdle resolves once every run has settled, and nothing is handed out again', async () => {
      const { queue, worker } = await start();
      const job = sampleJob(7);
      await queue.enqueue(job);
      await eventually(() => worker.runs.length === 1, 'the job handed out', handoutMs);
      let idle = false;
      const idled = queue.onIdle().then(() => (idle = true));
      await pause(quietMs);
      expect(idle).toBe(false);
      worker.runs[0]!.complete();
      await idled;
      await pause(quietMs);
      expect(worker.runs).toHaveLength(1);
      expect(queue.state()).toMatchObject({ running: [], queued: [] });
      expect(await queue.withdraw(job.restoreid)).toBe(false);
    });

    it('withdraws a waiting job, which is never handed out; not a running, completed or unknown one', async () => {
      const { queue, worker } = await start();
      const jobs = Array.from({ length: concurrency + 2 }, (_, i) => sampleJob(i + 1));
      for (const job of jobs) await queue.enqueue(job);
      await eventually(() => worker.runs.length === concurrency, `${concurrency} jobs handed out`, handoutMs);
      const [withdrawn, kept] = [jobs[concurrency]!, jobs[concurrency + 1]!];
      expect(await queue.withdraw(withdrawn.restoreid)).toBe(true);
      expect(await queue.withdraw(withdrawn.restoreid)).toBe(false);
      expect(await queue.withdraw(jobs[0]!.restoreid)).toBe(false);
      expect(await queue.withdraw(sampleJob(99).restoreid)).toBe(false);
      expect(queue.state().queued).not.toContain(withdrawn.restoreid);
      worker.completeAll();
      await eventually(() => worker.runs.length === concurrency + 1, 'the job after the withdrawn one', handoutMs);
      expect(worker.runs.at(-1)!.job.restoreid).toBe(kept.restoreid);
      worker.completeAll();
      await queue.onIdle();
      await pause(quietMs);
      expect(worker.runsOf(withdrawn.restoreid)).toEqual([]);
      expect(await queue.withdraw(kept.restoreid)).toBe(false);
    });

    it('closes: hands out nothing more, answers the waiting jobs it dropped (none if durable), lets running ones end', async () => {
      const { queue, worker } = await start();
      const jobs = Array.from({ length: concurrency + 2 }, (_, i) => sampleJob(i + 1));
      for (const job of jobs) await queue.enqueue(job);
      await eventually(() => worker.runs.length === concurrency, `${concurrency} jobs handed out`, handoutMs);
      const dropped = await queue.close();
      const waiting = jobs.slice(concurrency).map((job) => job.restoreid);
      expect(dropped).toEqual(queue.durable ? [] : waiting);
      expect(queue.state().queued).toEqual([]);
      let idle = false;
      const idled = queue.onIdle().then(() => (idle = true));
      await pause(quietMs);
      expect(idle).toBe(false);
      worker.completeAll();
      await idled;
      await pause(quietMs);
      expect(worker.runs).toHaveLength(concurrency);
      await expect(queue.enqueue(sampleJob(50))).rejects.toThrow();
    });

    it(`hands out a job whose run failed again ${retryLimit} time(s), attempt by attempt, then gives it up`, async () => {
      const { queue, worker } = await start();
      const job = sampleJob(3);
      await queue.enqueue(job);
      for (let attempt = 1; attempt <= retryLimit + 1; attempt++) {
        await eventually(() => worker.runs.length === attempt, `attempt ${attempt} handed out`, handoutMs);
        expect(worker.runs.at(-1)!.job).toEqual({ ...job, attempt });
        worker.runs.at(-1)!.fail();
      }
      await queue.onIdle();
      await pause(quietMs);
      expect(worker.runs).toHaveLength(retryLimit + 1);
      expect(await queue.lost(job.restoreid)).toEqual({ retry: false, attempts: retryLimit + 1 });
    });

    it(
      retryLimit > 0
        ? 'on lost(), hands out again a job whose worker is gone while retries remain'
        : 'on lost(), gives up a job whose worker is gone (it never retries)',
      async () => {
        const { queue, worker } = await start();
        const job = sampleJob(4);
        await queue.enqueue(job);
        for (let attempt = 1; attempt <= retryLimit + 1; attempt++) {
          // The worker of this attempt hangs (it died), and whoever noticed asks the queue.
          await eventually(() => worker.runs.length === attempt, `attempt ${attempt} handed out`, handoutMs);
          const retry = attempt <= retryLimit;
          expect(await queue.lost(job.restoreid)).toEqual({ retry, attempts: attempt });
        }
        await pause(quietMs);
        expect(worker.runs.map((r) => r.job.attempt)).toEqual(Array.from({ length: retryLimit + 1 }, (_, i) => i + 1));
        expect(queue.state().queued).toEqual([]);
        expect(await queue.lost(sampleJob(98).restoreid)).toEqual({ retry: false, attempts: 0 });
      },
    );
  });
}
