import type { InboxDeliveryStore } from '../broadcast/inbox-delivery-store.ts';
import type { Pg } from './database.ts';

/** Broadcast deliveries into the simulated inbox on PostgreSQL: one statement per call. */
export function postgresInboxDeliveryStore(pg: Pg): InboxDeliveryStore {
  return async (channel, recipients, { at, source, body, broadcastId }) => {
    await pg.query(
      `INSERT INTO inbox (channel, user_id, at, source, reply, delivery_id, broadcast_id)
       SELECT $1, r.user_id, $3, $4, $5, r.delivery_id, $6
       FROM unnest($2::text[], $7::bigint[]) WITH ORDINALITY AS r (user_id, delivery_id, n)
       ORDER BY r.n
       ON CONFLICT (delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING`,
      [
        channel,
        recipients.map((r) => r.userId),
        at,
        source,
        body,
        broadcastId,
        recipients.map((r) => r.deliveryId),
      ],
    );
  };
}
