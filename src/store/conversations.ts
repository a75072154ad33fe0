import type { Inbound, Reply } from '../engine/types.ts';
import type { Db } from './database.ts';

/** The conversation log and the queries the account could not answer. */
export interface ConversationStore {
  record(inbound: Inbound, replies: Reply[], answered: boolean): void;
  unanswered(limit?: number): { query: string; count: number; lastAt: Date }[];
}

export function createConversationStore(db: Db): ConversationStore {
  const insert = db.prepare(
    'INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, ?, ?, ?, ?)',
  );
  const miss = db.prepare(`
    INSERT INTO unanswered (query, count, first_at, last_at, sample) VALUES (@query, 1, @at, @at, @sample)
    ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`);
  const top = db.prepare<[number], { query: string; count: number; last_at: number }>(
    'SELECT query, count, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT ?',
  );
  const record = db.transaction((inbound: Inbound, replies: Reply[], answered: boolean) => {
    const at = inbound.time.getTime();
    const { channel, user, time: _time, ...message } = inbound;
    insert.run(at, channel, user, 'in', JSON.stringify(message));
    for (const reply of replies) insert.run(at, channel, user, 'out', JSON.stringify(reply));
    if (!answered && inbound.kind === 'text') {
      miss.run({
        query: inbound.text.normalize('NFKC').toLowerCase().trim().slice(0, 200),
        at,
        sample: inbound.text.slice(0, 200),
      });
    }
  });
  return {
    record,
    unanswered: (limit = 50) =>
      top
        .all(limit)
        .map((row) => ({ query: row.query, count: row.count, lastAt: new Date(row.last_at) })),
  };
}
