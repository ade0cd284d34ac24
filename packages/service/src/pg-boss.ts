/** `@mbz-restore/service/pg-boss`: the distributed job queue (pg-boss 10 on PostgreSQL), loaded only by who uses it. */
export { createPgBossQueue, PG_BOSS_DEFAULTS } from './queue/pg-boss-queue.ts';
export type { PgBossQueueOptions } from './queue/pg-boss-queue.ts';
