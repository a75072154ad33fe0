import type { Storage } from '../store/storage.ts';
import type { ChannelSender } from './channel-sender.ts';
import { batchBroadcast, batchEntrySet } from './batch-key.ts';
import { createInboxDeliveryStore } from './inbox-delivery-store.ts';

/** Recipients one inbox write takes: it is one transaction, so bigger is cheaper. */
export const INBOX_BATCH = 1000;

/**
 * The simulated channel: a broadcast lands in the recipient's inbox (`GET
 * /api/users/:id/inbox`). The delivery id is unique in the inbox, so a batch sent again
 * after a crash is dropped like WeChat drops a repeated `clientmsgid`: the inbox never
 * holds one delivery twice.
 */
export function createInboxSender(
  storage: Storage,
  channel: string,
  { now = () => new Date() }: { now?: () => Date } = {},
): ChannelSender {
  const write = createInboxDeliveryStore(storage);
  return {
    channel,
    maxBatch: INBOX_BATCH,
    async send(reply, recipients, idempotencyKey) {
      const broadcastId = batchBroadcast(idempotencyKey);
      // A broadcast's whole reply is kept once, on the broadcast: a million copies would be
      // gigabytes. The inbox reads it from there; the reply of a topic subset is written out.
      const shared = broadcastId !== undefined && batchEntrySet(idempotencyKey) === 0;
      await write(channel, recipients, {
        at: now().getTime(),
        source: `broadcast:${broadcastId ?? '?'}`,
        body: shared ? '' : JSON.stringify(reply),
        broadcastId: shared ? broadcastId : null,
      });
      return recipients.map(() => ({ status: 'sent' as const }));
    },
  };
}
