/** Public API of @mbz-restore/storage-postgres. Named exports only. */
export { createPostgresStorage } from './postgres-storage.ts';
export type { PostgresStorageOptions } from './postgres-storage.ts';
export { SCHEMA_VERSION } from './migrate.ts';
export { columnType, pgName } from './ddl.ts';
