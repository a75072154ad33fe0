import type { ClaimedRow, DispatchStore } from '../broadcast/dispatch-store.ts';
import { CLAIMED_COLUMNS as COLUMNS, CLAIMED_FROM as FROM } from './claimed-rows.ts';
import type { Pg } from './database.ts';
import { dueFresh, FRESH_CHANNELS, skipFresh } from './fresh-queue.ts';
import { distinctOf } from './loose-scan.ts';

/** The channels with deliveries in a queue of the index, or fresh ones (schema-fresh-queue.ts). */
const QUEUED_CHANNELS = [
  distinctOf('channel', 'deliveries', `status = 'pending' AND NOT fresh`),
  distinctOf('channel', 'deliveries', `status = 'claimed' AND NOT fresh`),
  FRESH_CHANNELS,
]
  .map((query, i) => `SELECT value FROM (${query}) AS q${i}`)
  .join(' UNION ');

/**
 * The dispatcher's queue on PostgreSQL, where several instances claim from it at once:
 * deliveries in the queue index are claimed `FOR UPDATE SKIP LOCKED` (each instance takes
 * rows no other holds), the fresh ones of a bulk fan-out from its cursor (fresh-queue.ts),
 * a stale batch is taken over under a per-channel lock, and every counter moves in one
 * statement. Every query of the queue says `NOT fresh`, so the planner can use the index.
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
         WHERE channel = $1 AND status = 'claimed' AND NOT fresh AND due_at <= $2 LIMIT 1`,
        [channel, at],
      );
      if (!stale) return undefined;
      // Two instances finding the same stale batch take turns; the second sees its new lease.
      await pg.query(`SELECT pg_advisory_xact_lock(hashtext('oasim-takeover:' || $1))`, [channel]);
      const rows = await pg.query<ClaimedRow>(
        `SELECT ${COLUMNS} ${FROM}
         WHERE d.channel = $1 AND d.status = 'claimed' AND NOT d.fresh AND d.due_at <= $2
           AND d.batch_key = $3
         ORDER BY d.id FOR UPDATE OF d`,
        [channel, at, stale.key],
      );
      return rows.length ? { key: stale.key, rows } : undefined;
    },
    async extendLease(channel, key, leaseEnd) {
      await pg.query(
        `UPDATE deliveries SET due_at = $1
         WHERE batch_key = $2 AND status = 'claimed' AND NOT fresh AND channel = $3`,
        [leaseEnd, key, channel],
      );
    },
    async due(channel, at, limit) {
      // Retries, holds and small fan-outs first; then the fresh rows of bulk fan-outs.
      const queued = await pg.query<ClaimedRow>(
        `SELECT ${COLUMNS} ${FROM}
         WHERE d.channel = $1 AND d.status = 'pending' AND NOT d.fresh AND d.due_at <= $2
         ORDER BY d.due_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
        [channel, at, limit],
      );
      return queued.length ? queued : dueFresh(pg, channel, at, limit);
    },
    async claim(ids, key, leaseEnd) {
      await pg.query(
        `UPDATE deliveries SET status = 'claimed', batch_key = $2, due_at = $3, held = 0,
           fresh = false
         WHERE id = ANY($1::bigint[])`,
        [ids, key, leaseEnd],
      );
    },
    async hold(id, until) {
      await pg.query('UPDATE deliveries SET due_at = $1, held = 1, fresh = false WHERE id = $2', [
        until,
        id,
      ]);
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
      const rows = await pg.query<{ value: string }>(QUEUED_CHANNELS);
      return rows.map((row) => row.value);
    },
    async skipChannel(channel, at, reason) {
      // The cursors (and their fresh rows) first, as a claim takes them.
      const fresh = await skipFresh(pg, channel, at, reason);
      const queued = await pg.query<{ broadcastId: number; held: number }>(
        `UPDATE deliveries SET status = 'skipped', settled_at = $2, error = $3
         WHERE channel = $1 AND NOT fresh
           AND (status = 'pending' OR (status = 'claimed' AND due_at <= $2))
         RETURNING broadcast_id AS "broadcastId", held`,
        [channel, at, reason],
      );
      return [...fresh, ...queued];
    },
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
