/** Public API of @mbz-restore/storage-contract (private): the suite, the fault injector and the helpers tests share. */
export { describeStorageAdapter } from './describe-storage-adapter.ts';
export type { DescribeStorageAdapterOptions } from './describe-storage-adapter.ts';
export { describeJobStore } from './describe-job-store.ts';
export { withFaults, InjectedFault } from './fault-injection.ts';
export type { FaultPlan } from './fault-injection.ts';
export {
  dumpStore,
  blobOf,
  failingStream,
  readAll,
  errorOf,
  courseRow,
  userRow,
  logRow,
  jobRecord,
  sampleRestore,
} from './support.ts';
export type { ContractContext, ContractJobStore, JobStoreContext, StoreDump } from './support.ts';
