import type { Inbound, Reply } from '../engine/types.ts';
import { postgresConversationStore } from '../postgres/conversation-store.ts';
import { normalizeText } from '../text/normalize.ts';
import type { SqliteGate } from './sqlite-gate.ts';
import type { Storage } from './storage.ts';
import { createWriteBehind, type WriteBehind } from './write-behind.ts';

/** The conversation log and the queries the account could not answer. */
export interface ConversationStore {
  /** One turn; `rule` names the keyword rule that answered, counted as its hit. */
  record(inbound: Inbound, replies: Reply[], answered: boolean, rule?: string): Promise<void>;
  unanswered(limit?: number): Promise<{ query: string; count: number; lastAt: Date }[]>;
  /** Takes a query off the unanswered list (it has an answer now); false if it was not on it. */
  forgetUnanswered(query: string): Promise<boolean>;
  /** Hits per keyword rule since a time (all of them without one), most first. */
  ruleHits(since?: Date): Promise<{ rule: string; hits: number }[]>;
  /** Hits per rule and hour (the hour's start) since a time, oldest first. */
  ruleHitsByHour(since: Date): Promise<{ rule: string; hour: Date; hits: number }[]>;
  /** Writes what is queued (SQLite's write-behind); called before reads and at shutdown. */
  flush(): Promise<void>;
}

/** The conversation store of the account's database, whichever kind it is. */
export function createConversationStore(
  storage: Storage,
  options: { writes?: WriteBehind } = {},
): ConversationStore {
  return storage.kind === 'sqlite'
    ? sqliteConversationStore(storage.gate, options)
    : postgresConversationStore(storage.pg);
}

/** What one turn writes: its log lines, and the unanswered query or the rule hit it counts. */
export interface Turn {
  at: number;
  channel: string;
  user: string;
  /** Each line's direction and body (JSON). */
  lines: ['in' | 'out', string][];
  miss?: { query: string; sample: string };
  rule?: string;
  /** The rule hit's hour: hours since the epoch. */
  hour: number;
}

export const HOUR_MS = 3_600_000;

/** A turn as rows to write; the same for both databases. */
export function toTurn(inbound: Inbound, replies: Reply[], answered: boolean, rule?: string): Turn {
  const at = inbound.time.getTime();
  const { channel, user, time: _time, ...message } = inbound;
  const lines: Turn['lines'] = [['in', JSON.stringify(message)]];
  for (const reply of replies) lines.push(['out', JSON.stringify(reply)]);
  const miss =
    !answered && inbound.kind === 'text'
      ? { query: normalizeText(inbound.text).slice(0, 200), sample: inbound.text.slice(0, 200) }
      : undefined;
  return { at, channel, user, lines, miss, rule, hour: Math.floor(at / HOUR_MS) };
}

const INSERT =
  'INSERT INTO conversation_log (at, channel, user_id, direction, body) VALUES (?, ?, ?, ?, ?)';
const MISS = `
  INSERT INTO unanswered (query, count, first_at, last_at, sample) VALUES (?, 1, ?, ?, ?)
  ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`;
const HIT = `
  INSERT INTO rule_hits (rule, hour, hits) VALUES (?, ?, 1)
  ON CONFLICT (rule, hour) DO UPDATE SET hits = hits + 1`;

/**
 * Log writes trail the reply: turns are written through the shared write-behind queue, in
 * one transaction with whatever else is queued. A commit per message was most of a chat
 * reply's cost; what a crash can lose is the last few milliseconds of log lines, never a
 * subscription (those are written at once).
 */
export function sqliteConversationStore(
  gate: SqliteGate,
  { writes = createWriteBehind(gate.db) }: { writes?: WriteBehind } = {},
): ConversationStore {
  const { db, run } = gate;
  const top = db.prepare<[number], { query: string; count: number; last_at: number }>(
    'SELECT query, count, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT ?',
  );
  const forget = db.prepare<[string]>('DELETE FROM unanswered WHERE query = ?');
  const hitsSince = db.prepare<[number], { rule: string; hits: number }>(
    'SELECT rule, SUM(hits) AS hits FROM rule_hits WHERE hour >= ? GROUP BY rule ORDER BY hits DESC, rule',
  );
  const hitsByHour = db.prepare<[number], { rule: string; hour: number; hits: number }>(
    'SELECT rule, hour, hits FROM rule_hits WHERE hour >= ? ORDER BY hour, rule',
  );
  /** Reads see what is queued: the queue is written first, on the connection it holds. */
  const read = <R>(work: () => R) =>
    run(() => {
      writes.flush();
      return work();
    });

  return {
    async record(inbound, replies, answered, rule) {
      const turn = toTurn(inbound, replies, answered, rule);
      const { at, channel, user } = turn;
      for (const [direction, body] of turn.lines)
        writes.defer(INSERT, [at, channel, user, direction, body]);
      if (turn.miss) writes.defer(MISS, [turn.miss.query, at, at, turn.miss.sample]);
      if (turn.rule) writes.defer(HIT, [turn.rule, turn.hour]);
    },
    unanswered: (limit = 50) =>
      read(() =>
        top
          .all(limit)
          .map((row) => ({ query: row.query, count: row.count, lastAt: new Date(row.last_at) })),
      ),
    forgetUnanswered: (query) => read(() => forget.run(query).changes > 0),
    ruleHits: (since) =>
      read(() => hitsSince.all(since ? Math.floor(since.getTime() / HOUR_MS) : 0)),
    ruleHitsByHour: (since) =>
      read(() =>
        hitsByHour
          .all(Math.floor(since.getTime() / HOUR_MS))
          .map((row) => ({ rule: row.rule, hour: new Date(row.hour * HOUR_MS), hits: row.hits })),
      ),
    flush: () => read(() => undefined),
  };
}
