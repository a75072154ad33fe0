import {
  cachedReplies,
  toBroadcast,
  toDeliveryItem,
  type BroadcastRow,
  type DeliveryRow,
} from '../broadcast/broadcast-row.ts';
import type { BroadcastStore } from '../broadcast/broadcast-store.ts';
import type { Pg } from './database.ts';
import { BULK_BASE } from './schema-partitions.ts';

/** The broadcasts' report on PostgreSQL; the same queries as on SQLite. */
export function postgresBroadcastStore(pg: Pg): BroadcastStore {
  const withReports = async (rows: BroadcastRow[]) => {
    if (rows.length === 0) return [];
    const reports = await pg.query<{ broadcast_id: number; report: string }>(
      `SELECT broadcast_id, report FROM send_batches
       WHERE broadcast_id = ANY($1::bigint[]) AND report IS NOT NULL`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) =>
      toBroadcast(
        row,
        reports.filter((r) => r.broadcast_id === row.id).map((r) => r.report),
      ),
    );
  };

  return {
    async get(id) {
      const rows = await pg.query<BroadcastRow>('SELECT * FROM broadcasts WHERE id = $1', [id]);
      return (await withReports(rows))[0];
    },
    async list({ limit, before = Number.MAX_SAFE_INTEGER }) {
      const rows = await pg.query<BroadcastRow>(
        'SELECT * FROM broadcasts WHERE id < $1 ORDER BY id DESC LIMIT $2',
        [before, limit],
      );
      return withReports(rows);
    },
    async deliveries(id, { limit, after = 0 }) {
      // A broadcast's deliveries are one range of ids: read by primary key.
      const rows = await pg.query<DeliveryRow>(
        `SELECT d.id, d.channel, d.user_id, d.status, d.attempts, d.error, d.settled_at
         FROM broadcasts b JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
         WHERE b.id = $1 AND d.id > $2 ORDER BY d.id LIMIT $3`,
        [id, after, limit],
      );
      return rows.map(toDeliveryItem);
    },
    async deliveriesRemoved(id) {
      // A partition's rows go all at once: its first id is gone (read by primary key).
      const [row] = await pg.query<{ removed: boolean }>(
        `SELECT b.first_delivery >= $2
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = b.first_delivery) AS removed
         FROM broadcasts b WHERE b.id = $1`,
        [id, BULK_BASE],
      );
      return row?.removed ?? false;
    },
    reply: cachedReplies(async (id, entrySet) => {
      const [row] = await pg.query<Pick<BroadcastRow, 'kind' | 'reply'>>(
        `SELECT b.kind, CASE WHEN $2::int = 0 THEN b.reply ELSE r.reply END AS reply
         FROM broadcasts b
         LEFT JOIN broadcast_replies r ON r.broadcast_id = b.id AND r.entry_set = $2::int
         WHERE b.id = $1`,
        [id, entrySet],
      );
      return row;
    }),
  };
}
