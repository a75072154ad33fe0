import type { Logger } from '../log/logger.ts';
import type { ChannelSender, Recipient, SendResult } from './channel-sender.ts';
import type { Batch } from './claiming.ts';
type RateLimiter = { take(count: number): Promise<void> };

/**
 * Hands one claimed batch to its channel, under the rate limit, and returns one result
 * per delivery. The idempotency key is the batch key: the same when a batch is sent
 * again after a crash, so a channel that drops duplicates sees each delivery once.
 */
export async function sendBatch(
  sender: ChannelSender,
  batch: Batch,
  { rate, log }: { rate: RateLimiter; log: Logger },
): Promise<SendResult[]> {
  const recipients: Recipient[] = batch.rows.map((row) => ({
    deliveryId: row.id,
    userId: row.userId,
  }));
  await rate.take(recipients.length);
  try {
    return await sender.send(batch.reply, recipients, batch.key);
  } catch (error) {
    // A sender that throws has told us nothing about any recipient: all of them may be tried again.
    log.warn(
      { err: error, channel: sender.channel, batch: batch.key },
      'channel send failed; the batch will be retried',
    );
    return recipients.map(() => ({ status: 'retry', error: String(error) }));
  }
}
