import type { ArchiveIndex } from '../search/archive-index.ts';
import type { Pg } from './database.ts';

export function postgresArchiveIndex(_pg: Pg): ArchiveIndex {
  throw new Error('archive search on PostgreSQL is not built yet');
}
