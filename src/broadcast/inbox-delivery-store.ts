import type { Db } from '../store/database.ts';
import type { Recipient } from './channel-sender.ts';

/** What every recipient of one inbox write gets. */
export interface InboxItem {
  at: number;
  source: string;
  /** The reply as JSON, or '' when the inbox reads it from the broadcast. */
  body: string;
  broadcastId: number | null;
}

/** Writes broadcast deliveries into the simulated inbox; one transaction per call. */
export type InboxDeliveryStore = (
  channel: string,
  recipients: Recipient[],
  item: InboxItem,
) => void;

/** The delivery id is unique in the inbox: a delivery written twice is kept once. */
export function createInboxDeliveryStore(db: Db): InboxDeliveryStore {
  const insert = db.prepare(
    `INSERT INTO inbox (channel, user_id, at, source, reply, delivery_id, broadcast_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING`,
  );
  const write = db.transaction((channel: string, recipients: Recipient[], item: InboxItem) => {
    const { at, source, body, broadcastId } = item;
    for (const { deliveryId, userId } of recipients)
      insert.run(channel, userId, at, source, body, deliveryId, broadcastId);
  });
  return (channel, recipients, item) => write.immediate(channel, recipients, item);
}
