/** Public API of @mbz-restore/queue-contract (private): the suite and the worker it hands jobs to. */
export { describeJobQueue } from './describe-job-queue.ts';
export type { DescribeJobQueueOptions } from './describe-job-queue.ts';
export { TestWorker, sampleJob, eventually, pause } from './test-worker.ts';
export type { HandedRun } from './test-worker.ts';
