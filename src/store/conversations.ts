import type { Inbound, Reply } from '../engine/types.ts';
import { normalizeText } from '../text/normalize.ts';
import type { Db } from './database.ts';
import { createWriteBehind, type WriteBehind } from './write-behind.ts';

/** The conversation log and the queries the account could not answer. */
export interface ConversationStore {
  /** One turn; `rule` names the keyword rule that answered, counted as its hit. */
  record(inbound: Inbound, replies: Reply[], answered: boolean, rule?: string): void;
  unanswered(limit?: number): { query: string; count: number; lastAt: Date }[];
  /** Hits per keyword rule since a time (all of them without one), most first. */
  ruleHits(since?: Date): { rule: string; hits: number }[];
  /** Hits per rule and hour (the hour's start) since a time, oldest first. */
  ruleHitsByHour(since: Date): { rule: string; hour: Date; hits: number }[];
  /** Writes what is queued; called on a timer, before reads, and at shutdown. */
  flush(): void;
}

const INSERT =
  'INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, ?, ?, ?, ?)';
const MISS = `
  INSERT INTO unanswered (query, count, first_at, last_at, sample) VALUES (?, 1, ?, ?, ?)
  ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`;
const HIT = `
  INSERT INTO rule_hits (rule, hour, hits) VALUES (?, ?, 1)
  ON CONFLICT (rule, hour) DO UPDATE SET hits = hits + 1`;
const HOUR_MS = 3_600_000;

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

  const hitsSince = db.prepare<[number], { rule: string; hits: number }>(
    'SELECT rule, SUM(hits) AS hits FROM rule_hits WHERE hour >= ? GROUP BY rule ORDER BY hits DESC, rule',
  );
  const hitsByHour = db.prepare<[number], { rule: string; hour: number; hits: number }>(
    'SELECT rule, hour, hits FROM rule_hits WHERE hour >= ? ORDER BY hour, rule',
  );

  return {
    record(inbound, replies, answered, rule) {
      const at = inbound.time.getTime();
      const { channel, user, time: _time, ...message } = inbound;
      writes.defer(INSERT, [at, channel, user, 'in', JSON.stringify(message)]);
      for (const reply of replies)
        writes.defer(INSERT, [at, channel, user, 'out', JSON.stringify(reply)]);
      if (!answered && inbound.kind === 'text') {
        const query = normalizeText(inbound.text).slice(0, 200);
        writes.defer(MISS, [query, at, at, inbound.text.slice(0, 200)]);
      }
      if (rule) writes.defer(HIT, [rule, Math.floor(at / HOUR_MS)]);
    },
    unanswered(limit = 50) {
      writes.flush();
      return top
        .all(limit)
        .map((row) => ({ query: row.query, count: row.count, lastAt: new Date(row.last_at) }));
    },
    ruleHits(since) {
      writes.flush();
      return hitsSince.all(since ? Math.floor(since.getTime() / HOUR_MS) : 0);
    },
    ruleHitsByHour(since) {
      writes.flush();
      return hitsByHour
        .all(Math.floor(since.getTime() / HOUR_MS))
        .map((row) => ({ rule: row.rule, hour: new Date(row.hour * HOUR_MS), hits: row.hits }));
    },
    flush: writes.flush,
  };
}
