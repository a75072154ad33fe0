import { HOUR_MS, toTurn, type ConversationStore } from '../store/conversations.ts';
import type { Pg } from './database.ts';

// One round trip a turn: the log lines, and the miss or the hit, in one statement. Written
// before the reply leaves (no queue to lose in a crash, and every instance reads it at once).
const RECORD = `
  WITH logged AS (
    INSERT INTO conversation_log (at, channel, user_id, direction, body)
    SELECT $1, $2, $3, line.direction, line.body
    FROM unnest($4::text[], $5::jsonb[]) WITH ORDINALITY AS line (direction, body, n)
    ORDER BY line.n
  ), missed AS (
    INSERT INTO unanswered (query, count, first_at, last_at, sample)
    SELECT $6, 1, $1, $1, $7 WHERE $6::text IS NOT NULL
    ON CONFLICT (query) DO UPDATE SET count = unanswered.count + 1, last_at = excluded.last_at
  ), hit AS (
    INSERT INTO rule_hits (rule, hour, hits)
    SELECT $8, $9, 1 WHERE $8::text IS NOT NULL
    ON CONFLICT (rule, hour) DO UPDATE SET hits = rule_hits.hits + 1
  )
  SELECT 1`;

/** The conversation log, unanswered queries and rule hits on PostgreSQL. */
export function postgresConversationStore(pg: Pg): ConversationStore {
  return {
    async record(inbound, replies, answered, rule) {
      const turn = toTurn(inbound, replies, answered, rule);
      await pg.query(RECORD, [
        turn.at,
        turn.channel,
        turn.user,
        turn.lines.map(([direction]) => direction),
        turn.lines.map(([, body]) => body),
        turn.miss?.query ?? null,
        turn.miss?.sample ?? null,
        turn.rule ?? null,
        turn.hour,
      ]);
    },
    async unanswered(limit = 50) {
      const rows = await pg.query<{ query: string; count: number; last_at: number }>(
        'SELECT query, count, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT $1',
        [limit],
      );
      return rows.map((row) => ({
        query: row.query,
        count: row.count,
        lastAt: new Date(row.last_at),
      }));
    },
    async forgetUnanswered(query) {
      const rows = await pg.query('DELETE FROM unanswered WHERE query = $1 RETURNING 1', [query]);
      return rows.length > 0;
    },
    ruleHits: (since) =>
      pg.query<{ rule: string; hits: number }>(
        `SELECT rule, SUM(hits) AS hits FROM rule_hits WHERE hour >= $1
         GROUP BY rule ORDER BY hits DESC, rule COLLATE "C"`,
        [since ? Math.floor(since.getTime() / HOUR_MS) : 0],
      ),
    async ruleHitsByHour(since) {
      const rows = await pg.query<{ rule: string; hour: number; hits: number }>(
        'SELECT rule, hour, hits FROM rule_hits WHERE hour >= $1 ORDER BY hour, rule COLLATE "C"',
        [Math.floor(since.getTime() / HOUR_MS)],
      );
      return rows.map((row) => ({
        rule: row.rule,
        hour: new Date(row.hour * HOUR_MS),
        hits: row.hits,
      }));
    },
    // Nothing waits: every turn is written before its reply leaves.
    flush: async () => {},
  };
}
