import type { ChannelSender, Recipient, SendResult } from '../broadcast/channel-sender.ts';
import { truncateUtf8 } from '../engine/reply-limits.ts';
import type { Reply } from '../engine/types.ts';
import { batchOpenIds, MASS_SEND_MAX, type WechatApiClient } from './api-client.ts';
import { ERRCODE, WechatApiError } from './api-error.ts';
import { asText } from './render-reply.ts';
import { WECHAT_CHANNEL } from './to-inbound.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * How a platform error settles a recipient. Retried: -1 "system busy" (and 5xx, timeouts),
 * and the rate limits, after the pause they ask for. Blocked: the codes that say this user
 * cannot be reached by this account. Anything else fails without a retry.
 */
const RETRY_AFTER: ReadonlyMap<number, number> = new Map([
  [ERRCODE.DAILY_QUOTA, HOUR], // 45009 reach max api daily quota limit
  [ERRCODE.NO_MASS_SEND_QUOTA, HOUR], // 45028 has no masssend quota
  [ERRCODE.MINUTE_QUOTA, MINUTE], // 45011 api minute-quota reach limit
  [ERRCODE.CLIENTMSGID_TOO_FAST, MINUTE], // 45066 same clientmsgid retry too fast
]);
const BLOCKING: ReadonlySet<number> = new Set<number>([
  ERRCODE.REQUIRE_SUBSCRIBE, // 43004 require subscribe
  ERRCODE.REQUIRE_REMOVE_BLACKLIST, // 43019 require remove blacklist
  ERRCODE.INVALID_OPENID, // 40003 invalid openid
]);

/**
 * The broadcast dispatcher's port to WeChat. Up to 10,000 followers take one `mass/send`
 * call, with the idempotency key as `clientmsgid` so a batch sent again after a crash is
 * not delivered twice (the platform answers 45065, counted as sent). `mass/send` needs
 * at least 2 OpenIDs, so a batch of 1 goes as a customer-service message, which the
 * platform accepts only within 48 hours of the user's last message (45015, failed).
 *
 * Article cards go out as their text form: a mass-sent card must be `mpnews` material
 * uploaded beforehand, which an entry's card is not, and every recipient of a broadcast
 * should get the same thing.
 */
export function createWechatSender(
  client: Pick<WechatApiClient, 'massSend' | 'sendCustom'>,
): ChannelSender {
  return {
    channel: WECHAT_CHANNEL,
    maxBatch: MASS_SEND_MAX,
    async send(reply: Reply, recipients: Recipient[], idempotencyKey: string) {
      const text = truncateUtf8(asText(reply));
      const batches = batchOpenIds(recipients.map((r) => r.userId));
      const results: SendResult[] = [];
      for (const [i, openIds] of batches.entries()) {
        const clientMsgId = batches.length === 1 ? idempotencyKey : `${idempotencyKey}/${i + 1}`;
        try {
          if (openIds.length === 1) await client.sendCustom(openIds[0]!, { type: 'text', text });
          else await client.massSend({ openIds, message: { type: 'text', text }, clientMsgId });
          results.push(...openIds.map((): SendResult => ({ status: 'sent' })));
        } catch (error) {
          results.push(...openIds.map(() => settle(error, openIds.length)));
        }
      }
      return results;
    },
  };
}

/** One recipient's result for an error; `count` recipients shared the call. */
export function settle(error: unknown, count: number): SendResult {
  if (!(error instanceof WechatApiError))
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  const message = error.message;
  if (error.retryable) return { status: 'retry', error: message };
  const pause = RETRY_AFTER.get(error.errcode);
  if (pause !== undefined) return { status: 'retry', error: message, retryAfterMs: pause };
  // A refused list does not say which OpenID it refused: only a lone recipient is blocked.
  if (BLOCKING.has(error.errcode) && count === 1) return { status: 'blocked', error: message };
  return { status: 'failed', error: message };
}
