import type { BroadcastPartition, PartitionStore } from '../broadcast/delivery-retention.ts';
import { quoteIdent } from '../pg/named-schema.ts';
import type { Pg } from './database.ts';
import { PARTITION_PREFIX } from './schema-partitions.ts';

/** SQLSTATE lock_not_available: `lock_timeout` ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The broadcasts' partitions of `deliveries` (schema-partitions.ts, bulk-fan-out.ts), with
 * what their broadcast row says of them, and their drop.
 */
export function postgresPartitionStore(pg: Pg): PartitionStore {
  return {
    async list() {
      const rows = await pg.query<{
        schema: string;
        name: string;
        status: string | null;
        finished_at: number | null;
        total: number | null;
        found: boolean;
      }>(
        `SELECT n.nspname AS schema, c.relname AS name, b.status, b.finished_at, b.total,
           b.id IS NOT NULL AS found
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN broadcasts b
           ON c.relname ~ ('^' || $1 || '[0-9]{1,15}$')
             AND b.id = substr(c.relname, length($1) + 1)::bigint
         WHERE i.inhparent = 'deliveries'::regclass AND c.relname <> 'deliveries_main'
         ORDER BY c.relname`,
        [PARTITION_PREFIX],
      );
      return rows.map((row): BroadcastPartition => ({
        table: `${quoteIdent(row.schema)}.${quoteIdent(row.name)}`,
        name: row.name,
        broadcastId: Number(row.name.slice(PARTITION_PREFIX.length)),
        broadcast: row.found
          ? { status: row.status!, finishedAt: row.finished_at, total: row.total ?? 0 }
          : undefined,
      }));
    },

    drop({ table, broadcastId }) {
      return pg
        .transaction(async () => {
          // Dropping a partition locks `deliveries` too: waiting behind the dispatcher's
          // queries, it would hold every later one back. Not had in 2 s, left for next time.
          await pg.query(`SET LOCAL lock_timeout = '2s'`);
          // The parent first, as DROP TABLE takes them; ONLY: not every other partition.
          await pg.query(`LOCK TABLE ONLY deliveries, ${table} IN ACCESS EXCLUSIVE MODE`);
          // The queue index, and the cursors: a fresh delivery is pending while its
          // broadcast has one (schema-fresh-queue.ts).
          const [unsettled] = await pg.query<{ any: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM ${table}
                 WHERE status IN ('pending', 'claimed') AND NOT fresh)
               OR EXISTS (SELECT 1 FROM delivery_cursors WHERE broadcast_id = $1) AS any`,
            [broadcastId],
          );
          if (unsettled?.any) return 'unsettled' as const;
          await pg.query(`DROP TABLE ${table}`);
          return 'dropped' as const;
        })
        .catch((err: unknown) => {
          if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return 'locked' as const;
          throw err;
        });
    },
  };
}
