import type { ChannelSender, Recipient, SendResult } from '../../src/broadcast/channel-sender.ts';
import type { Reply } from '../../src/engine/types.ts';

/** What a fake channel was asked to send. */
export interface SentCall {
  reply: Reply;
  recipients: Recipient[];
  idempotencyKey: string;
}

/**
 * A channel for tests: records every call, and answers per user from a script (`retry`
 * twice then `sent`, `blocked`, ...); users without a script are sent. `delayMs` makes it slow.
 */
export function createFakeSender({
  channel = 'fake',
  maxBatch = 100,
  script = {},
  delayMs = 0,
  msgId,
}: {
  channel?: string;
  maxBatch?: number;
  script?: Record<string, SendResult[]>;
  delayMs?: number;
  msgId?: () => string;
} = {}): ChannelSender & { calls: SentCall[]; seen: () => string[] } {
  const calls: SentCall[] = [];
  const remaining = new Map(Object.entries(script).map(([user, results]) => [user, [...results]]));
  return {
    channel,
    maxBatch,
    calls,
    seen: () => calls.flatMap((call) => call.recipients.map((r) => r.userId)),
    async send(reply, recipients, idempotencyKey) {
      calls.push({ reply, recipients, idempotencyKey });
      if (delayMs) await new Promise((done) => setTimeout(done, delayMs));
      const id = msgId?.();
      return recipients.map(
        (r): SendResult =>
          remaining.get(r.userId)?.shift() ??
          (id ? { status: 'sent', msgId: id } : { status: 'sent' }),
      );
    },
  };
}
