import type { Inbound, Reply } from '../engine/types.ts';
import { normalizeText } from '../text/normalize.ts';
import type { Db } from './database.ts';
import { createWriteBehind, type WriteBehind } from './write-behind.ts';

/** The conversation log and the queries the account could not answer. */
export interface ConversationStore {
  record(inbound: Inbound, replies: Reply[], answered: boolean): void;
  unanswered(limit?: number): { query: string; count: number; lastAt: Date }[];
  /** Takes a query off the unanswered list (it has an answer now); false if it was not on it. */
  forgetUnanswered(query: string): boolean;
  /** Writes what is queued; called on a timer, before reads, and at shutdown. */
  flush(): void;
}

const INSERT =
  'INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, ?, ?, ?, ?)';
const MISS = `
  INSERT INTO unanswered (query, count, first_at, last_at, sample) VALUES (?, 1, ?, ?, ?)
  ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`;

/**
 * Log writes trail the reply: turns are written through the shared write-behind queue, in
 * one transaction with whatever else is queued. A commit per message was most of a chat
 * reply's cost; what a crash can lose is the last few milliseconds of log lines, never a
 * subscription (those are written at once).
 */
export function createConversationStore(
  db: Db,
  { writes = createWriteBehind(db) }: { writes?: WriteBehind } = {},
): ConversationStore {
  const top = db.prepare<[number], { query: string; count: number; last_at: number }>(
    'SELECT query, count, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT ?',
  );

  const forget = db.prepare<[string]>('DELETE FROM unanswered WHERE query = ?');

  return {
    record(inbound, replies, answered) {
      const at = inbound.time.getTime();
      const { channel, user, time: _time, ...message } = inbound;
      writes.defer(INSERT, [at, channel, user, 'in', JSON.stringify(message)]);
      for (const reply of replies)
        writes.defer(INSERT, [at, channel, user, 'out', JSON.stringify(reply)]);
      if (!answered && inbound.kind === 'text') {
        const query = normalizeText(inbound.text).slice(0, 200);
        writes.defer(MISS, [query, at, at, inbound.text.slice(0, 200)]);
      }
    },
    unanswered(limit = 50) {
      writes.flush();
      return top
        .all(limit)
        .map((row) => ({ query: row.query, count: row.count, lastAt: new Date(row.last_at) }));
    },
    forgetUnanswered(query) {
      writes.flush();
      return forget.run(query).changes > 0;
    },
    flush: writes.flush,
  };
}
