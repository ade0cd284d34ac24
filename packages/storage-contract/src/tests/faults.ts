/** Contract: a restore that fails part way (injected faults) leaves the store exactly as it was. */
import { expect, it } from 'vitest';
import { InjectedFault, withFaults } from '../fault-injection.ts';
import type { FaultPlan } from '../fault-injection.ts';
import { dumpStore, errorOf, sampleRestore } from '../support.ts';
import type { ContractContext } from '../support.ts';

export function faultTests(ctx: ContractContext): void {
  const plans: Array<[string, FaultPlan]> = [
    ['the 1st insert', { failInsertAt: 1 }],
    ['the 4th insert', { failInsertAt: 4 }],
    ['commit', { failCommit: true }],
    ['the 2nd blob (disk full)', { failBlobAt: 2 }],
  ];
  for (const [where, plan] of plans) {
    it(`keeps the store as before when ${where} throws and the restore rolls back`, async () => {
      const adapter = await ctx.create();
      const before = await dumpStore(adapter);
      const faulty = withFaults(adapter, plan);
      const tx = await faulty.begin();
      const error = await errorOf(async () => {
        await sampleRestore(tx, 'fault');
        await tx.commit();
      });
      expect(error).toBeInstanceOf(InjectedFault);
      await tx.rollback();
      expect(await dumpStore(adapter)).toEqual(before);
      const next = await adapter.begin(); // and the store still works
      await sampleRestore(next, 'after');
      await next.commit();
      expect(await adapter.count('logstore_standard_log')).toBe(50);
    });
  }
}
