import { postgresInboxDeliveryStore } from '../postgres/inbox-delivery-store.ts';
import type { Storage } from '../store/storage.ts';
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
) => Promise<void>;

/** The delivery id is unique in the inbox: a delivery written twice is kept once. */
export function createInboxDeliveryStore(storage: Storage): InboxDeliveryStore {
  if (storage.kind === 'postgres') return postgresInboxDeliveryStore(storage.pg);
  const { gate } = storage;
  const { db } = gate;
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
  return (channel, recipients, item) => gate.run(() => write.immediate(channel, recipients, item));
}
