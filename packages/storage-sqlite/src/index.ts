/** Public API of @mbz-restore/storage-sqlite. Named exports only. */
export { createSqliteStorage } from './sqlite-storage.ts';
export type { SqliteStorageOptions } from './sqlite-storage.ts';
export type { SqliteDatabase, SqliteStatement, SqliteDriver } from './sqlite-database.ts';
export { MIGRATIONS, SCHEMA_VERSION, createMissingTables } from './schema/migrations.ts';
export type { Migration } from './schema/migrations.ts';
export { TABLE_PREFIX } from './schema/ddl.ts';
