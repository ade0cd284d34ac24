/** Public API of @mbz-restore/storage-memory. Named exports only. */
export { createMemoryStorage } from './memory-storage.ts';
export type { MemoryStorageOptions } from './memory-storage.ts';
