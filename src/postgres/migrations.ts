import { ACCOUNT_SCHEMA } from './schema-account.ts';
import { BROADCAST_SCHEMA } from './schema-broadcast.ts';
import { FRESH_QUEUE_SCHEMA } from './schema-fresh-queue.ts';
import { JOBS_SCHEMA } from './schema-jobs.ts';
import { PARTITIONS_SCHEMA } from './schema-partitions.ts';
import { SEARCH_SCHEMA } from './schema-search.ts';

/**
 * The PostgreSQL schema, one migration per step, applied in order at start (see
 * `migratePostgres`). Released steps are never edited: a change is a new step.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  ACCOUNT_SCHEMA,
  BROADCAST_SCHEMA,
  SEARCH_SCHEMA,
  JOBS_SCHEMA,
  PARTITIONS_SCHEMA,
  FRESH_QUEUE_SCHEMA,
];
