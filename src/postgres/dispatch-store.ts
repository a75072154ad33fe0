import type { ClaimedRow, DispatchStore } from '../broadcast/dispatch-store.ts';
import type { Pg } from './database.ts';

const COLUMNS = `d.id, d.broadcast_id AS "broadcastId", d.entry_set AS "entrySet",
  d.user_id AS "userId", d.attempts, d.held, s.state, s.time_zone AS "timeZone",
  s.quiet_start AS "quietStart", s.quiet_end AS "quietEnd", s.failures`;
const FROM = `FROM deliveries d
  LEFT JOIN subscribers s ON s.channel = d.channel AND s.user_id = d.user_id`;

/** One index probe per channel (a loose index scan), not a scan of the whole queue. */
const channelsIn = (status: 'pending' | 'claimed') => `
  WITH RECURSIVE c AS (
    (SELECT channel FROM deliveries WHERE status = '${status}' ORDER BY channel LIMIT 1)
    UNION ALL
    SELECT (SELECT channel FROM deliveries WHERE status = '${status}' AND channel > c.channel
            ORDER BY channel LIMIT 1)
    FROM c WHERE c.channel IS NOT NULL)
  SELECT channel FROM c WHERE channel IS NOT NULL`;

/**
 * The dispatcher's queue on PostgreSQL, where several instances claim from it at once:
 * fresh deliveries are claimed `FOR UPDATE SKIP LOCKED` (each instance takes rows no
 * other holds), a stale batch is taken over under a per-channel lock, and every counter
 * moves in one statement.
 */
export function postgresDispatchStore(pg: Pg): DispatchStore {
  return {
    transaction: (work) => pg.transaction(work),
    ...deliveryQueue(pg),
    ...reportCounters(pg),
  };
}

type QueueMethods =
  | 'staleBatch'
  | 'extendLease'
  | 'due'
  | 'claim'
  | 'hold'
  | 'skip'
  | 'markSent'
  | 'markRetry'
  | 'markFailed'
  | 'release'
  | 'queuedChannels'
  | 'skipChannel';

/** The delivery queue: claims, leases and what becomes of each delivery. */
function deliveryQueue(pg: Pg): Pick<DispatchStore, QueueMethods> {
  const changed = async (sql: string, params: unknown[]) =>
    (await pg.query(sql, params)).length > 0;

  return {
    async staleBatch(channel, at) {
      const [stale] = await pg.query<{ key: string }>(
        `SELECT batch_key AS key FROM deliveries
         WHERE channel = $1 AND status = 'claimed' AND due_at <= $2 LIMIT 1`,
        [channel, at],
      );
      if (!stale) return undefined;
      // Two instances finding the same stale batch take turns; the second sees its new lease.
      await pg.query(`SELECT pg_advisory_xact_lock(hashtext('oasim-takeover:' || $1))`, [channel]);
      const rows = await pg.query<ClaimedRow>(
        `SELECT ${COLUMNS} ${FROM}
         WHERE d.channel = $1 AND d.status = 'claimed' AND d.due_at <= $2 AND d.batch_key = $3
         ORDER BY d.id FOR UPDATE OF d`,
        [channel, at, stale.key],
      );
      return rows.length ? { key: stale.key, rows } : undefined;
    },
    async extendLease(channel, key, leaseEnd) {
      await pg.query(
        `UPDATE deliveries SET due_at = $1 WHERE batch_key = $2 AND status = 'claimed' AND channel = $3`,
        [leaseEnd, key, channel],
      );
    },
    due: (channel, at, limit) =>
      pg.query<ClaimedRow>(
        `SELECT ${COLUMNS} ${FROM}
         WHERE d.channel = $1 AND d.status = 'pending' AND d.due_at <= $2
         ORDER BY d.due_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
        [channel, at, limit],
      ),
    async claim(ids, key, leaseEnd) {
      await pg.query(
        `UPDATE deliveries SET status = 'claimed', batch_key = $2, due_at = $3, held = 0
         WHERE id = ANY($1::bigint[])`,
        [ids, key, leaseEnd],
      );
    },
    async hold(id, until) {
      await pg.query('UPDATE deliveries SET due_at = $1, held = 1 WHERE id = $2', [until, id]);
    },
    async skip(ids, at, reason) {
      await pg.query(
        `UPDATE deliveries SET status = 'skipped', settled_at = $2, error = $3
         WHERE id = ANY($1::bigint[])`,
        [ids, at, reason],
      );
    },
    async markSent(ids, key, at) {
      const [row] = await pg.query<{ n: number }>(
        `WITH u AS (
           UPDATE deliveries SET status = 'sent', settled_at = $3, error = NULL, attempts = attempts + 1
           WHERE id = ANY($1::bigint[]) AND batch_key = $2 AND status = 'claimed' RETURNING 1)
         SELECT count(*) AS n FROM u`,
        [ids, key, at],
      );
      return row?.n ?? 0;
    },
    markRetry: (id, key, due, error) =>
      changed(
        `UPDATE deliveries SET status = 'pending', due_at = $3, attempts = attempts + 1,
           batch_key = NULL, error = $4
         WHERE id = $1 AND batch_key = $2 AND status = 'claimed' RETURNING id`,
        [id, key, due, error],
      ),
    markFailed: (id, key, at, error) =>
      changed(
        `UPDATE deliveries SET status = 'failed', settled_at = $3, attempts = attempts + 1, error = $4
         WHERE id = $1 AND batch_key = $2 AND status = 'claimed' RETURNING id`,
        [id, key, at, error],
      ),
    release: (id, key, due, error) =>
      changed(
        `UPDATE deliveries SET status = 'pending', due_at = $3, batch_key = NULL, error = $4
         WHERE id = $1 AND batch_key = $2 AND status = 'claimed' RETURNING id`,
        [id, key, due, error],
      ),
    async queuedChannels() {
      const channels = new Set<string>();
      for (const status of ['pending', 'claimed'] as const) {
        for (const row of await pg.query<{ channel: string }>(channelsIn(status)))
          channels.add(row.channel);
      }
      return [...channels];
    },
    skipChannel: (channel, at, reason) =>
      pg.query<{ broadcastId: number; held: number }>(
        `UPDATE deliveries SET status = 'skipped', settled_at = $2, error = $3
         WHERE channel = $1 AND (status = 'pending' OR (status = 'claimed' AND due_at <= $2))
         RETURNING broadcast_id AS "broadcastId", held`,
        [channel, at, reason],
      ),
  };
}

/** The broadcasts' counters and report notes, and the subscribers' failure counts. */
function reportCounters(pg: Pg): Omit<DispatchStore, QueueMethods | 'transaction'> {
  return {
    async noteSkipped(broadcastId, reason, count) {
      // One statement: two instances noting at once both count.
      await pg.query(
        `UPDATE broadcasts SET skip_reasons = (coalesce(skip_reasons::jsonb, '{}'::jsonb)
           || jsonb_build_object($2::text,
                coalesce((skip_reasons::jsonb ->> $2::text)::int, 0) + $3::int))::text
         WHERE id = $1`,
        [broadcastId, reason, count],
      );
    },
    async noteChannelError(broadcastId, channel, error) {
      await pg.query(
        `UPDATE broadcasts SET channel_errors = (coalesce(channel_errors::jsonb, '{}'::jsonb)
           || jsonb_build_object($2::text, $3::jsonb || jsonb_build_object('count',
                coalesce((channel_errors::jsonb -> $2::text ->> 'count')::int, 0) + 1)))::text
         WHERE id = $1`,
        [broadcastId, channel, JSON.stringify(error)],
      );
    },
    async saveBatch(key, broadcastId, channel, msgId, recipients, at) {
      await pg.query(
        `INSERT INTO send_batches (batch_key, broadcast_id, channel, msg_id, recipients, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (batch_key) DO UPDATE SET broadcast_id = excluded.broadcast_id,
           channel = excluded.channel, msg_id = excluded.msg_id,
           recipients = excluded.recipients, sent_at = excluded.sent_at, report = NULL`,
        [key, broadcastId, channel, msgId, recipients, at],
      );
    },
    async resetFailures(channel, userId) {
      await pg.query(
        'UPDATE subscribers SET failures = 0 WHERE channel = $1 AND user_id = $2 AND failures > 0',
        [channel, userId],
      );
    },
    async countFailure(channel, userId, limit, at) {
      const [row] = await pg.query<{ state: string }>(
        `UPDATE subscribers SET failures = failures + 1, updated_at = $4,
           state = CASE WHEN state = 'active' AND failures + 1 >= $3 THEN 'blocked' ELSE state END
         WHERE channel = $1 AND user_id = $2 RETURNING state`,
        [channel, userId, limit, at],
      );
      return row?.state;
    },
    async block(channel, userId, at) {
      await pg.query(
        `UPDATE subscribers SET state = 'blocked', failures = failures + 1, updated_at = $3
         WHERE channel = $1 AND user_id = $2 AND state = 'active'`,
        [channel, userId, at],
      );
    },
    async settle(id, change, at) {
      const { settled = 0, sent = 0, failed = 0, skipped = 0, held = 0 } = change;
      await pg.query(
        `UPDATE broadcasts SET open = open - $2, sent = sent + $3, failed = failed + $4,
           skipped = skipped + $5, held = held + $6,
           status = CASE WHEN open - $2 = 0 AND status = 'sending' THEN 'done' ELSE status END,
           finished_at = CASE WHEN open - $2 = 0 AND status = 'sending' THEN $7 ELSE finished_at END
         WHERE id = $1`,
        [id, settled, sent, failed, skipped, held, at],
      );
    },
  };
}
