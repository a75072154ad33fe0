import type { Reply } from '../engine/types.ts';

/** One recipient of a delivery batch. */
export interface Recipient {
  deliveryId: number;
  userId: string;
}

/**
 * What a channel answered for one recipient, classified by whom the error is about:
 * - `retry`: this delivery hit something passing (a say() that failed, a duplicate sent
 *   too fast); tried again with backoff, up to the attempt limit.
 * - `blocked`: the error names the recipient, who can no longer be reached (the user
 *   refused messages, the contact is gone); the subscriber is blocked at once.
 * - `failed`: final for this delivery. It counts towards blocking the subscriber only
 *   when `recipient` is true: the error names them.
 * - `paused`: the error is about the ACCOUNT, not the recipient (credentials refused, IP
 *   not whitelisted, quota used up, platform unreachable or busy, bot logged out). The
 *   delivery goes back to the queue with no attempt counted, and the channel pauses.
 */
export type SendResult =
  /** `msgId`: the platform's id for the batch (WeChat mass send `msg_id`), matched later to `MASSSENDJOBFINISH`. */
  | { status: 'sent'; msgId?: string }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'blocked'; error: string }
  | { status: 'failed'; error: string; recipient?: boolean }
  | { status: 'paused'; error: string; errcode?: number; retryAfterMs?: number };

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
