import type { Entry } from '../content/entry.ts';
import type { EntryChange } from '../content/library.ts';
import { postgresArchiveIndex } from '../postgres/archive-index.ts';
import type { Storage } from '../store/storage.ts';
import { sqliteArchiveIndex } from './sqlite-archive-index.ts';

/** Full-text search over the archive. */
export interface ArchiveSearch {
  /**
   * Ids of the entries published at `now` (the current time when left out) that match,
   * best first; `hasMore` tells whether another page exists.
   */
  search(query: string, page: SearchPage): Promise<{ ids: string[]; hasMore: boolean }>;
}

export interface SearchPage {
  limit: number;
  offset?: number;
  now?: Date;
}

export interface ArchiveIndex extends ArchiveSearch {
  /** Brings the index in step with a change of the library; unchanged entries are not touched. */
  apply(change: EntryChange): Promise<void>;
  /** Makes the index hold exactly `entries` (at start: only what changed since the last run is re-indexed). */
  syncAll(entries: Entry[]): Promise<SyncCounts>;
}

export interface SyncCounts {
  added: number;
  updated: number;
  removed: number;
}

/**
 * The archive index where the account keeps its state: SQLite FTS5 in the database file, or
 * a weighted tsvector on PostgreSQL. Both index the terms of our own tokenizer and apply the
 * same relevance floor, so a query finds the same entries on either.
 */
export function createArchiveIndex(storage: Storage): ArchiveIndex {
  return storage.kind === 'sqlite'
    ? sqliteArchiveIndex(storage.gate)
    : postgresArchiveIndex(storage.pg);
}
