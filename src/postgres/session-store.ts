import type { SessionStore } from '../store/sessions.ts';
import type { Pg } from './database.ts';

const PUT = `
  INSERT INTO sessions (channel, user_id, last_query, next_offset, updated_at)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (channel, user_id) DO UPDATE SET
    last_query = excluded.last_query, next_offset = excluded.next_offset,
    updated_at = excluded.updated_at`;

/** Users' last searches on PostgreSQL. */
export function postgresSessionStore(pg: Pg): SessionStore {
  return {
    async lastSearch(channel, userId) {
      const [row] = await pg.query<{ last_query: string | null; next_offset: number }>(
        'SELECT last_query, next_offset FROM sessions WHERE channel = $1 AND user_id = $2',
        [channel, userId],
      );
      return row?.last_query ? { query: row.last_query, offset: row.next_offset } : undefined;
    },
    async saveSearch(channel, userId, search, now) {
      await pg.query(PUT, [
        channel,
        userId,
        search?.query ?? null,
        search?.offset ?? 0,
        now.getTime(),
      ]);
    },
  };
}
