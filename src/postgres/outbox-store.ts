import type { OutboxStore } from '../broadcast/outbox-store.ts';
import {
  bulkFanOut,
  PARTITION_FROM,
  rangeOf,
  subscribersEstimate,
  type Range,
} from './bulk-fan-out.ts';
import type { Pg } from './database.ts';

/**
 * Any lock id of our own: the outbox's transactions queue on it, as they do on SQLite's
 * write lock. Planning (which entries, whose quota, was this tick fired) must see every
 * broadcast written before it, and a broadcast's deliveries must get one contiguous range
 * of ids (no other writer draws from the sequence in between).
 */
const OUTBOX_LOCK = 0x6f61626f78; // "oabox"

const MATCHES = `FROM subscribers s JOIN pg_temp.topic_sets g ON g.topics = s.topics::text
  WHERE s.state = 'active' AND s.digest = $1`;

/**
 * Whom a fan-out reaches (`$1` the digest) and the entry set each gets: joined to the topic
 * sets, or, when there is just one (an account without topics), filtered by it (`$4`,
 * `$5`), which spares a million-row join.
 */
async function audienceSource(pg: Pg) {
  const sets = await pg.query<{ topics: string; entry_set: number }>(
    'SELECT topics, entry_set FROM pg_temp.topic_sets LIMIT 2',
  );
  if (sets.length !== 1) {
    return { from: MATCHES, entrySet: 'g.entry_set', params: [], order: 'ORDER BY entry_set' };
  }
  return {
    from: `FROM subscribers s WHERE s.state = 'active' AND s.digest = $1 AND s.topics = $4::jsonb`,
    entrySet: '$5::int',
    params: [sets[0]!.topics, sets[0]!.entry_set],
    order: '',
  };
}

/** The first row of a query, and a statement whose rows do not matter. */
const statements = (pg: Pg) => ({
  one: async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await pg.query<R>(sql, params))[0],
  exec: async (sql: string, params: unknown[] = []) => void (await pg.query(sql, params)),
});

export interface PostgresOutboxOptions {
  /**
   * An audience the subscribers table may hold this many of (the planner's estimate) is
   * loaded as a partition, and kept as one if it has this many (0: every fan-out).
   */
  partitionFrom?: number;
}

/**
 * The outbox on PostgreSQL. The fan-out is one `INSERT ... SELECT` over the subscribers
 * (set-based: a million recipients are one statement), joined to the topic sets held in a
 * temporary table of the transaction's connection; a large one is loaded as a partition of
 * its own (bulk-fan-out.ts).
 */
export function postgresOutboxStore(
  pg: Pg,
  { partitionFrom = PARTITION_FROM }: PostgresOutboxOptions = {},
): OutboxStore {
  const counted: EligibleCount = {};
  return {
    transaction: (work) =>
      pg.transaction(async () => {
        await pg.query('SELECT pg_advisory_xact_lock($1)', [OUTBOX_LOCK]);
        counted.beside = undefined;
        return work();
      }),
    ...broadcastRows(pg),
    ...audience(pg, partitionFrom, counted),
  };
}

type AudienceMethods =
  | 'byChannel'
  | 'cancelPending'
  | 'countEligible'
  | 'countMatching'
  | 'fanOut'
  | 'insertDeliveries'
  | 'sample'
  | 'setTopicSets'
  | 'topicLists';

const ELIGIBLE = `SELECT count(*) AS count FROM subscribers WHERE state = 'active' AND digest = $1`;

/**
 * The eligible subscribers of a large fan-out, counted while it is written, on a connection
 * of the pool's (a second core's work, where the transaction's connection would count after
 * the load); undefined when no connection is free now, or the count failed.
 */
interface EligibleCount {
  beside?: { digest: string; count: Promise<number | undefined> };
}

function countBeside(pg: Pg, digest: string): Promise<number | undefined> {
  const { pool } = pg;
  if (!pool.idleCount && pool.totalCount >= (pool.options.max ?? 10))
    return Promise.resolve(undefined);
  return pool.query<{ count: number }>(ELIGIBLE, [digest]).then(
    (result) => result.rows[0]?.count,
    () => undefined,
  );
}

/** Writes of the whole audience: the fan-out, its topic sets, counts and cancelling. */
function audience(
  pg: Pg,
  partitionFrom: number,
  counted: EligibleCount,
): Pick<OutboxStore, AudienceMethods> {
  const { one, exec } = statements(pg);
  const setRange = async (id: number, range: Range | undefined) => {
    if (!range?.n) return 0;
    await exec('UPDATE broadcasts SET first_delivery = $2, last_delivery = $3 WHERE id = $1', [
      id,
      range.first,
      range.last,
    ]);
    return range.n;
  };

  return {
    topicLists: async (digest) =>
      (
        await pg.query<{ topics: string }>(
          `SELECT DISTINCT topics::text AS topics FROM subscribers WHERE state = 'active' AND digest = $1`,
          [digest],
        )
      ).map((row) => row.topics),
    async setTopicSets(sets) {
      // Per connection, emptied at commit: which entries each topic list gets.
      await exec(`CREATE TEMP TABLE IF NOT EXISTS topic_sets (
        topics TEXT PRIMARY KEY, entry_set INTEGER NOT NULL) ON COMMIT DELETE ROWS`);
      await exec('DELETE FROM pg_temp.topic_sets');
      await exec(
        'INSERT INTO pg_temp.topic_sets (topics, entry_set) SELECT * FROM unnest($1::text[], $2::int[])',
        [sets.map((set) => set.topics), sets.map((set) => set.entrySet)],
      );
    },
    async fanOut(id, digest, at, extraCondition) {
      const source = await audienceSource(pg);
      const params = [digest, id, at, ...source.params];
      if ((await subscribersEstimate(pg)) >= partitionFrom) {
        // In entry-set order when there are several: a claim of fresh rows takes one.
        const select = `SELECT s.channel, s.user_id, ${source.entrySet} AS entry_set
          ${source.from} ${extraCondition} ${source.order}`;
        counted.beside = { digest, count: countBeside(pg, digest) };
        const range = await bulkFanOut(pg, { id, due: at, select, params, partitionFrom });
        return setRange(id, range);
      }
      const range = await one<Range>(
        rangeOf(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at, entry_set)
          SELECT $2, s.channel, s.user_id, 'pending', $3, ${source.entrySet}
          ${source.from} ${extraCondition}`),
        params,
      );
      return setRange(id, range);
    },
    countMatching: async (digest) =>
      (await one<{ count: number }>(`SELECT count(*) AS count ${MATCHES}`, [digest]))!.count,
    async countEligible(digest) {
      const { beside } = counted;
      counted.beside = undefined;
      const early = beside?.digest === digest ? await beside.count : undefined;
      return early ?? (await one<{ count: number }>(ELIGIBLE, [digest]))!.count;
    },
    async insertDeliveries(id, targets, at) {
      const range = await one<Range>(
        rangeOf(`INSERT INTO deliveries (broadcast_id, channel, user_id, status, due_at)
          SELECT $1, t.channel, t.user_id, 'pending', $2
          FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t (channel, user_id, n) ORDER BY t.n`),
        [id, at, targets.map((t) => t.channel), targets.map((t) => t.userId)],
      );
      return setRange(id, range);
    },
    byChannel: (id) =>
      pg.query<{ channel: string; count: number }>(
        `SELECT d.channel, count(*) AS count FROM broadcasts b
         JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
         WHERE b.id = $1 GROUP BY d.channel`,
        [id],
      ),
    sample: (id, limit) =>
      pg.query<{ channel: string; userId: string }>(
        `SELECT d.channel, d.user_id AS "userId" FROM broadcasts b
         JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
         WHERE b.id = $1 ORDER BY d.channel, d.user_id LIMIT $2`,
        [id, limit],
      ),
    async cancelPending(id, at) {
      // The cursors first, as a claim takes them (then its rows): nothing fresh is left of
      // the broadcast to claim, and a claim under way finishes before the rows are taken.
      await exec('DELETE FROM delivery_cursors WHERE broadcast_id = $1', [id]);
      const dropped = await pg.query<{ held: number }>(
        `UPDATE deliveries SET status = 'cancelled', settled_at = $2
         WHERE id BETWEEN (SELECT first_delivery FROM broadcasts WHERE id = $1)
           AND (SELECT last_delivery FROM broadcasts WHERE id = $1) AND status = 'pending'
         RETURNING held`,
        [id, at],
      );
      return { count: dropped.length, held: dropped.reduce((sum, row) => sum + row.held, 0) };
    },
  };
}

/** The broadcasts' rows and the schedules' ticks. */
function broadcastRows(pg: Pg): Omit<OutboxStore, AudienceMethods | 'transaction'> {
  const { one, exec } = statements(pg);

  return {
    tickBroadcast: async (schedule, tickAt) =>
      (
        await one<{ id: number }>(
          'SELECT id FROM broadcasts WHERE schedule = $1 AND tick_at = $2',
          [schedule, tickAt],
        )
      )?.id,
    async insertBroadcast(row) {
      const inserted = await one<{ id: number }>(
        `INSERT INTO broadcasts (kind, schedule, tick_at, created_at, status, reason, entry_ids, reply)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          row.kind,
          row.schedule,
          row.tickAt,
          row.now,
          row.status,
          row.reason,
          row.entryIds,
          row.reply,
        ],
      );
      return inserted!.id;
    },
    insertReply: (id, entrySet, entryIds, reply) =>
      exec(
        'INSERT INTO broadcast_replies (broadcast_id, entry_set, entry_ids, reply) VALUES ($1, $2, $3, $4)',
        [id, entrySet, entryIds, reply],
      ),
    channelsOf: async (userId) =>
      (
        await pg.query<{ channel: string }>(
          'SELECT channel FROM subscribers WHERE user_id = $1 ORDER BY channel',
          [userId],
        )
      ).map((row) => row.channel),
    setTotals: (id, total, filtered, at) =>
      exec(
        `UPDATE broadcasts SET total = $2, open = $2, filtered = $3,
           status = CASE WHEN $2::int = 0 THEN 'done' ELSE status END,
           finished_at = CASE WHEN $2::int = 0 THEN $4::bigint ELSE NULL END
         WHERE id = $1`,
        [id, total, filtered, at],
      ),
    refuse: (id, reason) =>
      exec(`UPDATE broadcasts SET status = 'refused', reason = $2, reply = NULL WHERE id = $1`, [
        id,
        reason,
      ]),
    lastDigestAt: async () =>
      (
        await one<{ at: number | null }>(
          `SELECT max(created_at) AS at FROM broadcasts WHERE kind = 'digest' AND status IN ('sending', 'done')`,
        )
      )?.at ?? undefined,
    markTick: (schedule, tickAt, at) =>
      exec(
        `INSERT INTO schedules (name, last_tick_at, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET
           last_tick_at = greatest(schedules.last_tick_at, excluded.last_tick_at),
           updated_at = excluded.updated_at`,
        [schedule, tickAt, at],
      ),
    lastTick: async (schedule) =>
      (
        await one<{ last_tick_at: number }>('SELECT last_tick_at FROM schedules WHERE name = $1', [
          schedule,
        ])
      )?.last_tick_at,
    closeCancelled: (id, count, held, at) =>
      exec(
        `UPDATE broadcasts SET cancelled = cancelled + $2, open = open - $2, held = held - $3,
           status = 'cancelled', finished_at = $4
         WHERE id = $1`,
        [id, count, held, at],
      ),
  };
}
