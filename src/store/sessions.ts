import type { Db } from './database.ts';

/** Where a user's last search stands, so that "more" can page on (kept across restarts). */
export interface SessionStore {
  lastSearch(channel: string, userId: string): { query: string; offset: number } | undefined;
  saveSearch(
    channel: string,
    userId: string,
    search: { query: string; offset: number } | undefined,
    now: Date,
  ): void;
}

export function createSessionStore(db: Db): SessionStore {
  const get = db.prepare<[string, string], { last_query: string | null; next_offset: number }>(
    'SELECT last_query, next_offset FROM sessions WHERE channel = ? AND user_id = ?',
  );
  const put = db.prepare(`
    INSERT INTO sessions (channel, user_id, last_query, next_offset, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (channel, user_id) DO UPDATE SET
      last_query = excluded.last_query, next_offset = excluded.next_offset, updated_at = excluded.updated_at`);
  return {
    lastSearch(channel, userId) {
      const row = get.get(channel, userId);
      return row?.last_query ? { query: row.last_query, offset: row.next_offset } : undefined;
    },
    saveSearch(channel, userId, search, now) {
      put.run(channel, userId, search?.query ?? null, search?.offset ?? 0, now.getTime());
    },
  };
}
