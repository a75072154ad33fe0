import { BUCKET_MS, type Bucket, type StatsStore } from '../store/stats.ts';
import type { SubscriberState } from '../store/subscribers.ts';
import type { Pg } from './database.ts';

/** The dashboard's counts on PostgreSQL. */
export function postgresStatsStore(pg: Pg): StatsStore {
  // The bucket step is written into the SQL, as on SQLite: BIGINT / BIGINT rounds down.
  // (Built here, not at load: this module and the interface's import each other.)
  const MESSAGES = `
  SELECT (at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, COUNT(*) AS count FROM conversation_log
  WHERE direction = 'in' AND at >= $1 AND body->>'kind' <> 'event'
  GROUP BY 1 ORDER BY 1`;
  const DELIVERIES = `
  SELECT (settled_at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, status, COUNT(*) AS count
  FROM deliveries WHERE status IN ('sent', 'failed') AND settled_at >= $1
  GROUP BY 1, 2 ORDER BY 1, 2`;
  return {
    subscribersByChannelState: () =>
      pg.query<{ channel: string; state: SubscriberState; count: number }>(
        `SELECT channel, state, COUNT(*) AS count FROM subscribers
         GROUP BY channel, state ORDER BY channel, state`,
      ),
    messagesIn: (since) => pg.query<Bucket>(MESSAGES, [since.getTime()]),
    deliveriesSettled: (since) =>
      pg.query<Bucket & { status: 'sent' | 'failed' }>(DELIVERIES, [since.getTime()]),
  };
}
