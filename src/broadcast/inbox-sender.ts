import type { Db } from '../store/database.ts';
import type { ChannelSender } from './channel-sender.ts';
import { batchSource } from './dispatcher.ts';

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
    `INSERT INTO inbox (channel, user_id, at, source, reply, delivery_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING`,
  );
  const write = db.transaction(
    (userIds: { deliveryId: number; userId: string }[], reply: string, source: string) => {
      const at = now().getTime();
      for (const { deliveryId, userId } of userIds)
        insert.run(channel, userId, at, source, reply, deliveryId);
    },
  );
  return {
    channel,
    maxBatch: INBOX_BATCH,
    async send(reply, recipients, idempotencyKey) {
      write.immediate(recipients, JSON.stringify(reply), batchSource(idempotencyKey));
      return recipients.map(() => ({ status: 'sent' as const }));
    },
  };
}
