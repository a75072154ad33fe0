import type { Reply } from '../engine/types.ts';
import type { Db } from './database.ts';

export interface InboxItem {
  id: number;
  at: Date;
  /** What put it there: `broadcast:<id>`, `follow-up`, ... */
  source: string;
  reply: Reply;
}

/** What the account sent a user outside a direct reply. */
export interface InboxStore {
  deliver(channel: string, userId: string, reply: Reply, source: string, now: Date): number;
  /** Newest first; `before` is the id of the last item of the previous page. */
  list(channel: string, userId: string, options: { limit: number; before?: number }): InboxItem[];
}

export function createInboxStore(db: Db): InboxStore {
  const insert = db.prepare(
    'INSERT INTO inbox (channel, user_id, at, source, reply) VALUES (?, ?, ?, ?, ?)',
  );
  const page = db.prepare<
    [string, string, number, number],
    { id: number; at: number; source: string; reply: string }
  >(
    'SELECT id, at, source, reply FROM inbox WHERE channel = ? AND user_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  return {
    deliver(channel, userId, reply, source, now) {
      return Number(
        insert.run(channel, userId, now.getTime(), source, JSON.stringify(reply)).lastInsertRowid,
      );
    },
    list(channel, userId, { limit, before = Number.MAX_SAFE_INTEGER }) {
      return page.all(channel, userId, before, limit).map((row) => ({
        id: row.id,
        at: new Date(row.at),
        source: row.source,
        reply: JSON.parse(row.reply) as Reply,
      }));
    },
  };
}
