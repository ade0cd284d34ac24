/**
 * Who runs a job, and when a job counts as abandoned. Every service has an owner id
 * `<pid>@<hostname>/<nonce>` and writes it, with a heartbeat time, into each unfinished job it holds (700 or
 * 800), again every `heartbeatMs`. Any process reading the job decides it is abandoned when
 * - its owner names this host and a process id that no longer exists (a crash or kill is seen at once), or
 * - its heartbeat is older than the lease (`leaseMs`; another host, or a process id reused since).
 * Whoever notices an abandoned job first asks its queue what becomes of it (`JobQueue.lost`): a queue that will
 * hand it out again gets it back at 700 ({@link awaitingRetry}); otherwise it ends 900 with error code `interrupted`
 * ({@link interrupted}). A 700 job without an owner waits in a durable queue, not in any process: no lease applies
 * to it. The pid test assumes processes sharing a store and a host name share one process id space (true except
 * across containers that share a host name; there the lease still decides, a few seconds later).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCode, RestoreStatus, type RestoreJobRecord } from '@mbz-restore/engine';

/** A new owner id for a service of this process. */
export function newOwnerId(): string {
  return `${process.pid}@${hostname()}/${randomBytes(4).toString('hex')}`;
}

/** True for 900 and 1000. */
export function isEnded(status: RestoreStatus): boolean {
  return status === RestoreStatus.FinishedError || status === RestoreStatus.FinishedOk;
}

/** True when `job` is unfinished and its owner is gone (see the file header). */
export function isAbandoned(job: RestoreJobRecord, now: number, leaseMs: number): boolean {
  if (isEnded(job.status)) return false;
  if (job.status === RestoreStatus.Awaiting && job.owner === null) return false;
  const owner = /^(\d+)@(.*)\/[0-9a-f]+$/u.exec(job.owner ?? '');
  if (owner && owner[2] === hostname() && !processExists(Number(owner[1]))) return true;
  return now - (job.heartbeat ?? job.timemodified) > leaseMs;
}

/** `job` ended 900 `interrupted` at `now`. */
export function interrupted(job: RestoreJobRecord, now: number, message: string): RestoreJobRecord {
  return {
    ...job,
    status: RestoreStatus.FinishedError,
    error: { code: ErrorCode.Interrupted, message },
    timemodified: now,
    timefinished: now,
  };
}

/**
 * `job`, whose worker was lost, back at 700 at `now`, waiting in its queue to be handed out again: no owner (the queue
 * holds it, not a process), no start time; its progress stays (it never decreases) until the next run passes it.
 */
export function awaitingRetry(job: RestoreJobRecord, now: number): RestoreJobRecord {
  return {
    ...job,
    status: RestoreStatus.Awaiting,
    error: null,
    timemodified: now,
    timestarted: null,
    timefinished: null,
    owner: null,
    heartbeat: null,
  };
}

/** The message of a job whose owner died, after `attempts` runs when its queue retried it. */
export function ownerGoneMessage(job: RestoreJobRecord, attempts = 1): string {
  const at =
    job.status === RestoreStatus.Executing
      ? `while running${job.stage ? ` (stage ${job.stage})` : ''}`
      : 'before it started';
  const tried = attempts > 1 ? `, and its queue will not run it again after ${attempts} attempts` : '';
  return `The process that held this restore (${job.owner ?? 'unknown'}) stopped ${at}, before the restore ended${tried}; start the restore again.`;
}

// Internal helpers

function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
