/** The job queue contract, run against the local queue (p-queue in this process; it never retries). */
import { describeJobQueue } from '@mbz-restore/queue-contract';
import { createLocalQueue } from '@mbz-restore/service';
import { describe, expect, it } from 'vitest';

describeJobQueue('local, two at once', async () => createLocalQueue({ concurrency: 2 }), { concurrency: 2 });
describeJobQueue('local, one at a time', async () => createLocalQueue({ concurrency: 1 }), { concurrency: 1 });

describe('the local queue', () => {
  it('is not durable, and refuses a concurrency that is not a positive whole number', () => {
    expect(createLocalQueue({ concurrency: 3 })).toMatchObject({ name: 'local', durable: false });
    for (const concurrency of [0, -1, 1.5, Number.NaN])
      expect(() => createLocalQueue({ concurrency })).toThrow(
        expect.objectContaining({ code: 'input.invalid-argument' }),
      );
  });
});
