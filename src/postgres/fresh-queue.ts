import type { ClaimedRow } from '../broadcast/dispatch-store.ts';
import { CLAIMED_COLUMNS, CLAIMED_FROM } from './claimed-rows.ts';
import type { Pg } from './database.ts';
import { distinctOf } from './loose-scan.ts';

/**
 * The fresh deliveries of bulk fan-outs (schema-fresh-queue.ts): claimed in id order from
 * a cursor per broadcast and channel, through the partition's primary key, where
 * the queue index would have cost the outbox a pass over every row to build.
 *
 * A claim locks its cursor (instances take turns on one broadcast's channel; a claim is
 * a few statements) and moves it past what it returns, in the claim's transaction: rolled
 * back, the cursor is too. Each row it returns leaves `fresh` in that transaction (claimed,
 * held or skipped), so nothing behind a cursor is still fresh.
 */

/**
 * Opens the cursors of a bulk fan-out, once its rows are written: one per channel of the
 * subscribers, which are never deleted, so every channel the rows hold has one (a channel
 * they do not hold is closed by its first claim).
 */
export async function openCursors(
  pg: Pg,
  { id, due, first, last }: { id: number; due: number; first: number; last: number },
) {
  await pg.query(
    `INSERT INTO delivery_cursors (broadcast_id, channel, due_at, after_id, last_id)
     SELECT $1, value, $2, $3, $4 FROM (${distinctOf('channel', 'subscribers')}) AS c`,
    [id, due, first - 1, last],
  );
}

/**
 * The next fresh deliveries of a channel due at `at`: up to `limit` of one broadcast
 * and one entry set (a batch sends one reply), in id order, locked for the claim.
 */
export async function dueFresh(
  pg: Pg,
  channel: string,
  at: number,
  limit: number,
): Promise<ClaimedRow[]> {
  for (;;) {
    const [cursor] = await pg.query<Cursor>(
      `SELECT broadcast_id AS "broadcastId", after_id AS after, last_id AS last
       FROM delivery_cursors WHERE channel = $1 AND due_at <= $2
       ORDER BY due_at, broadcast_id LIMIT 1 FOR UPDATE`,
      [channel, at],
    );
    if (!cursor) return [];
    const { rows, end } = await nextRows(pg, channel, cursor, limit);
    const key = [cursor.broadcastId, channel];
    if (end) {
      // Nothing fresh after these: the cursor is done.
      await pg.query('DELETE FROM delivery_cursors WHERE broadcast_id = $1 AND channel = $2', key);
      if (rows.length === 0) continue;
    } else {
      await pg.query(
        'UPDATE delivery_cursors SET after_id = $3 WHERE broadcast_id = $1 AND channel = $2',
        [...key, rows.at(-1)!.id],
      );
    }
    return rows;
  }
}

type Cursor = { broadcastId: number; after: number; last: number };

/**
 * Up to `limit` fresh rows of the channel after the cursor, of the first row's entry set,
 * read a span of ids at a time (growing where the channel's rows are sparse): the cost of
 * each read is bounded by its span whatever plan the planner picks for a partition it has
 * no statistics of yet. `end`: no fresh row of the channel is left after these.
 */
async function nextRows(pg: Pg, channel: string, cursor: Cursor, limit: number) {
  const rows: ClaimedRow[] = [];
  let from = cursor.after;
  let span = limit;
  while (rows.length < limit && from < cursor.last) {
    const to = Math.min(from + span, cursor.last);
    rows.push(
      ...(await pg.query<ClaimedRow>(
        `SELECT ${CLAIMED_COLUMNS} ${CLAIMED_FROM}
         WHERE d.id > $2 AND d.id <= $3 AND d.channel = $1 AND d.fresh AND d.status = 'pending'
         ORDER BY d.id LIMIT $4 FOR UPDATE OF d`,
        [channel, from, to, limit - rows.length],
      )),
    );
    // A claim takes one entry set: no need to read past another's first row.
    const batch = oneEntrySet(rows);
    if (batch.length < rows.length) return { rows: batch, end: false };
    from = to;
    span *= 4;
  }
  return { rows, end: rows.length < limit };
}

/** The rows up to the first of another entry set (a topic fan-out is written in entry-set order). */
function oneEntrySet(rows: ClaimedRow[]): ClaimedRow[] {
  const other = rows.findIndex((row) => row.entrySet !== rows[0]!.entrySet);
  return other === -1 ? rows : rows.slice(0, other);
}

/**
 * Ends the fresh deliveries of a channel no sender serves, and its cursors: the cursors
 * first, as a claim takes them (then its rows).
 */
export async function skipFresh(pg: Pg, channel: string, at: number, reason: string) {
  const cursors = await pg.query<{ after: number; last: number }>(
    'DELETE FROM delivery_cursors WHERE channel = $1 RETURNING after_id AS after, last_id AS last',
    [channel],
  );
  if (!cursors.length) return [];
  return pg.query<{ broadcastId: number; held: number }>(
    `UPDATE deliveries d SET status = 'skipped', settled_at = $2, error = $3
     FROM unnest($4::bigint[], $5::bigint[]) AS c (after_id, last_id)
     WHERE d.id > c.after_id AND d.id <= c.last_id
       AND d.channel = $1 AND d.fresh AND d.status = 'pending'
     RETURNING d.broadcast_id AS "broadcastId", d.held`,
    [channel, at, reason, cursors.map((c) => c.after), cursors.map((c) => c.last)],
  );
}

/** The channels with cursors open (a query of `value`s). */
export const FRESH_CHANNELS = distinctOf('channel', 'delivery_cursors');
