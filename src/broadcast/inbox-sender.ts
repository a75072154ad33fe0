import type { Db } from '../store/database.ts';
import type { ChannelSender, Recipient } from './channel-sender.ts';
import { batchBroadcast } from './batch-key.ts';

/** Recipients one inbox write takes: it is one transaction, so bigger is cheaper. */
export const INBOX_BATCH = 1000;

/**
 * The simulated channel: a broadcast lands in the recipient's inbox (`GET
 * /api/users/:id/inbox`). The delivery id is unique in the inbox, so a batch sent again
 * after a crash is dropped like WeChat drops a repeated `clientmsgid`: the inbox never
 * holds one delivery twice.
 */
export function createInboxSender(
  db: Db,
  channel: string,
  { now = () => new Date() }: { now?: () => Date } = {},
): ChannelSender {
  const insert = db.prepare(
    `INSERT INTO inbox (channel, user_id, at, source, reply, delivery_id, broadcast_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING`,
  );
  const write = db.transaction(
    (recipients: Recipient[], reply: string, broadcastId: number | undefined) => {
      const at = now().getTime();
      const source = `broadcast:${broadcastId ?? '?'}`;
      // A broadcast's reply is kept once, on the broadcast: a million copies would be gigabytes.
      const body = broadcastId === undefined ? reply : '';
      for (const { deliveryId, userId } of recipients)
        insert.run(channel, userId, at, source, body, deliveryId, broadcastId ?? null);
    },
  );
  return {
    channel,
    maxBatch: INBOX_BATCH,
    async send(reply, recipients, idempotencyKey) {
      write.immediate(recipients, JSON.stringify(reply), batchBroadcast(idempotencyKey));
      return recipients.map(() => ({ status: 'sent' as const }));
    },
  };
}
