import type { Inbound, Reply } from '../engine/types.ts';
import { normalizeText } from '../text/normalize.ts';
import type { Db } from './database.ts';

/** The conversation log and the queries the account could not answer. */
export interface ConversationStore {
  record(inbound: Inbound, replies: Reply[], answered: boolean): void;
  unanswered(limit?: number): { query: string; count: number; lastAt: Date }[];
  /** Writes what is queued; called on a timer, before reads, and at shutdown. */
  flush(): void;
}

interface Turn {
  inbound: Inbound;
  replies: Reply[];
  answered: boolean;
}

/**
 * Log writes are grouped: turns queue in memory and are written in one transaction at most
 * `flushMs` later. A commit per message was most of a chat reply's cost; what a crash can
 * lose is the last `flushMs` of log lines, never a subscription (those are written at once).
 */
export function createConversationStore(
  db: Db,
  { flushMs = 20, maxQueue = 1000 } = {},
): ConversationStore {
  const insert = db.prepare(
    'INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, ?, ?, ?, ?)',
  );
  const miss = db.prepare(`
    INSERT INTO unanswered (query, count, first_at, last_at, sample) VALUES (@query, 1, @at, @at, @sample)
    ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`);
  const top = db.prepare<[number], { query: string; count: number; last_at: number }>(
    'SELECT query, count, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT ?',
  );
  let queue: Turn[] = [];
  let timer: NodeJS.Timeout | undefined;

  const write = db.transaction((turns: Turn[]) => {
    for (const { inbound, replies, answered } of turns) {
      const at = inbound.time.getTime();
      const { channel, user, time: _time, ...message } = inbound;
      insert.run(at, channel, user, 'in', JSON.stringify(message));
      for (const reply of replies) insert.run(at, channel, user, 'out', JSON.stringify(reply));
      if (!answered && inbound.kind === 'text') {
        miss.run({
          query: normalizeText(inbound.text).slice(0, 200),
          at,
          sample: inbound.text.slice(0, 200),
        });
      }
    }
  });

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 || !db.open) return;
    const turns = queue;
    queue = [];
    write(turns);
  };

  return {
    record(inbound, replies, answered) {
      queue.push({ inbound, replies, answered });
      if (queue.length >= maxQueue) flush();
      else timer ??= setTimeout(flush, flushMs).unref();
    },
    unanswered(limit = 50) {
      flush();
      return top
        .all(limit)
        .map((row) => ({ query: row.query, count: row.count, lastAt: new Date(row.last_at) }));
    },
    flush,
  };
}
