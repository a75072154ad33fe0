import { postgresSessionStore } from '../postgres/session-store.ts';
import type { SqliteGate } from './sqlite-gate.ts';
import type { Storage } from './storage.ts';

/** Where a user's last search stands, so that "more" can page on (kept across restarts). */
export interface SessionStore {
  lastSearch(
    channel: string,
    userId: string,
  ): Promise<{ query: string; offset: number } | undefined>;
  saveSearch(
    channel: string,
    userId: string,
    search: { query: string; offset: number } | undefined,
    now: Date,
  ): Promise<void>;
}

/** The session store of the account's database, whichever kind it is. */
export function createSessionStore(storage: Storage): SessionStore {
  return storage.kind === 'sqlite'
    ? sqliteSessionStore(storage.gate)
    : postgresSessionStore(storage.pg);
}

export function sqliteSessionStore({ db, run }: SqliteGate): SessionStore {
  const get = db.prepare<[string, string], { last_query: string | null; next_offset: number }>(
    'SELECT last_query, next_offset FROM sessions WHERE channel = ? AND user_id = ?',
  );
  const put = db.prepare(`
    INSERT INTO sessions (channel, user_id, last_query, next_offset, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (channel, user_id) DO UPDATE SET
      last_query = excluded.last_query, next_offset = excluded.next_offset, updated_at = excluded.updated_at`);
  return {
    lastSearch: (channel, userId) =>
      run(() => {
        const row = get.get(channel, userId);
        return row?.last_query ? { query: row.last_query, offset: row.next_offset } : undefined;
      }),
    saveSearch: (channel, userId, search, now) =>
      run(() => {
        put.run(channel, userId, search?.query ?? null, search?.offset ?? 0, now.getTime());
      }),
  };
}
