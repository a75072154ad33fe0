import { COUNTED } from '../broadcast/counted-broadcasts.ts';
import type { QuotaStore } from '../broadcast/quota-store.ts';
import type { Pg } from './database.ts';

/**
 * The quota on PostgreSQL. Who has had their month's share is noted in a temporary table
 * of the outbox transaction's connection (emptied at commit), which the fan-out's
 * condition reads.
 */
export function postgresQuotaStore(pg: Pg, perRecipient: boolean): QuotaStore {
  const activeUsedUp = `FROM pg_temp.quota_used_up u
    JOIN subscribers s ON s.channel = u.channel AND s.user_id = u.user_id
    WHERE s.state = 'active'`;
  return {
    async countSince(since) {
      const [row] = await pg.query<{ count: number; first: number | null }>(
        `SELECT count(*) AS count, min(created_at) AS first FROM broadcasts
         WHERE created_at >= $1 AND ${COUNTED}`,
        [since],
      );
      return { count: row!.count, first: row!.first ?? undefined };
    },
    recipientCondition: perRecipient
      ? `AND NOT EXISTS (SELECT 1 FROM pg_temp.quota_used_up u WHERE u.channel = s.channel AND u.user_id = s.user_id)`
      : '',
    async noteUsedUp(since, limit) {
      if (!perRecipient) return;
      await pg.query(`CREATE TEMP TABLE IF NOT EXISTS quota_used_up (
        channel TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (channel, user_id))
        ON COMMIT DELETE ROWS`);
      await pg.query('DELETE FROM pg_temp.quota_used_up');
      // A broadcast's deliveries are one range of ids, so this month's are found by primary key.
      await pg.query(
        `INSERT INTO pg_temp.quota_used_up (channel, user_id)
         SELECT d.channel, d.user_id FROM broadcasts b
         JOIN deliveries d ON d.id BETWEEN b.first_delivery AND b.last_delivery
         WHERE b.created_at >= $1 AND b.kind IN ('scheduled', 'manual')
           AND d.status IN ('pending', 'claimed', 'sent')
         GROUP BY d.channel, d.user_id HAVING count(*) >= $2`,
        [since, limit],
      );
    },
    async usedUp(sample) {
      if (!perRecipient) return { count: 0, sample: [] };
      const [counted] = await pg.query<{ count: number }>(
        `SELECT count(*) AS count ${activeUsedUp}`,
      );
      const rows = await pg.query<{ channel: string; userId: string }>(
        `SELECT u.channel, u.user_id AS "userId" ${activeUsedUp} ORDER BY u.channel, u.user_id LIMIT $1`,
        [sample],
      );
      return { count: counted!.count, sample: rows };
    },
  };
}
