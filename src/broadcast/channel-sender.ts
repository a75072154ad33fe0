import type { Reply } from '../engine/types.ts';

/** One recipient of a delivery batch. */
export interface Recipient {
  deliveryId: number;
  userId: string;
}

/**
 * What a channel answered for one recipient. `retry` is for errors worth trying again
 * (timeouts, 5xx, rate limits, "system busy"); `blocked` for a recipient who can no
 * longer be reached (the user refused messages, the contact is gone); `failed` for
 * anything else, which is not retried.
 */
export type SendResult =
  /** `msgId`: the platform's id for the batch (WeChat mass send `msg_id`), matched later to `MASSSENDJOBFINISH`. */
  | { status: 'sent'; msgId?: string }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'blocked'; error: string }
  | { status: 'failed'; error: string };

/**
 * The port through which the broadcast dispatcher reaches one channel. Adapters only
 * translate: the WeChat API client, Wechaty's say(), the simulated inbox.
 */
export interface ChannelSender {
  readonly channel: string;
  /** Most recipients one `send` call takes: 10,000 for WeChat mass send, 1 for one-to-one channels. */
  readonly maxBatch: number;
  /** Pause between calls, for channels that ban bulk senders (a personal WeChat account). */
  readonly pace?: { intervalMs: number; jitterMs?: number };
  /**
   * Sends the same reply to every recipient; one result per recipient, in order.
   * `idempotencyKey` is the same when a batch is sent again after a crash, for channels
   * that can drop a duplicate (WeChat's `clientmsgid`).
   */
  send(reply: Reply, recipients: Recipient[], idempotencyKey: string): Promise<SendResult[]>;
}
