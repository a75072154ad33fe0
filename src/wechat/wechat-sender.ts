import type { ChannelSender, Recipient, SendResult } from '../broadcast/channel-sender.ts';
import { truncateUtf8 } from '../engine/reply-limits.ts';
import type { Reply } from '../engine/types.ts';
import {
  batchOpenIds,
  MASS_SEND_MAX,
  type MassMessage,
  type WechatApiClient,
} from './api-client.ts';
import { ERRCODE, WechatApiError } from './api-error.ts';
import { createMpnewsUploader } from './mpnews.ts';
import { createNewsCache } from './news-cache.ts';
import { asText } from './render-reply.ts';
import { WECHAT_CHANNEL } from './to-inbound.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Errors about the ACCOUNT, not the recipient, after the client's own token refresh and
 * retries: the credentials, the server's IP, the quota, the platform busy or unreachable.
 * They pause the channel (for at least the time given here) and count against no one.
 */
const ACCOUNT_PAUSE: ReadonlyMap<number, number> = new Map([
  [ERRCODE.SYSTEM_BUSY, 0], // -1 system busy, and 5xx, timeouts, network failures
  [ERRCODE.INVALID_CREDENTIAL, 0], // 40001 access_token invalid, still after a refresh
  [ERRCODE.INVALID_ACCESS_TOKEN, 0], // 40014 invalid access_token
  [ERRCODE.ACCESS_TOKEN_EXPIRED, 0], // 42001 access_token expired
  [ERRCODE.INVALID_APPID, 0], // 40013 invalid appid
  [ERRCODE.INVALID_APPSECRET, 0], // 40125 invalid appsecret
  [ERRCODE.IP_NOT_WHITELISTED, 0], // 40164 IP not in the whitelist
  [ERRCODE.CLIENT_IP_NOT_REGISTERED, 0], // 61004 client IP not registered
  [ERRCODE.API_UNAUTHORIZED, 0], // 48001 api unauthorized
  [ERRCODE.DAILY_QUOTA, HOUR], // 45009 reach max api daily quota limit
  [ERRCODE.NO_MASS_SEND_QUOTA, HOUR], // 45028 has no masssend quota
  [ERRCODE.MINUTE_QUOTA, MINUTE], // 45011 api minute-quota reach limit
]);
/** Errors about this batch only: tried again after the pause they ask for. */
const RETRY_AFTER: ReadonlyMap<number, number> = new Map([
  [ERRCODE.CLIENTMSGID_TOO_FAST, MINUTE], // 45066 same clientmsgid retry too fast
]);
/** Errors that name the recipient: this user cannot be reached by this account. */
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
 * Article cards go out as `mpnews`: uploaded first (`media/uploadnews`, with a thumb
 * material uploaded once), then sent by media_id, the same to every recipient, a lone one
 * included. The upload comes before the send and is not idempotent: a batch retried
 * after a crash uploads again, which costs a little material, while the clientmsgid
 * still keeps the send itself from going out twice. A failed upload settles the whole
 * batch as a failed send would (an account-level error pauses).
 */
export function createWechatSender(
  client: Pick<
    WechatApiClient,
    'massSend' | 'sendCustom' | 'sendCustomMpnews' | 'uploadNews' | 'addThumbMaterial'
  >,
): ChannelSender {
  const news = createNewsCache(createMpnewsUploader(client));
  async function messageFor(reply: Reply): Promise<MassMessage> {
    if (reply.type === 'articles' && reply.articles.length > 0)
      return { type: 'mpnews', mediaId: await news.mediaId(reply.articles) };
    return { type: 'text', text: truncateUtf8(asText(reply)) };
  }
  /** Sends one part; a kept media_id the platform no longer knows is uploaded again, once. */
  async function sendPart(
    reply: Reply,
    message: MassMessage,
    openIds: string[],
    clientMsgId: string,
  ): Promise<SendResult> {
    try {
      return await sendPartAs(message, openIds, clientMsgId);
    } catch (error) {
      const stale =
        message.type === 'mpnews' &&
        reply.type === 'articles' &&
        error instanceof WechatApiError &&
        error.errcode === ERRCODE.INVALID_MEDIA_ID;
      if (!stale) throw error;
      news.forget(reply.articles);
      return sendPartAs(await messageFor(reply), openIds, clientMsgId);
    }
  }
  async function sendPartAs(
    message: MassMessage,
    openIds: string[],
    clientMsgId: string,
  ): Promise<SendResult> {
    if (openIds.length === 1) {
      await sendOne(openIds[0]!, message);
      return { status: 'sent' };
    }
    // The msg_id is what MASSSENDJOBFINISH names: the report is matched by it.
    const { msgId } = await client.massSend({ openIds, message, clientMsgId });
    return msgId ? { status: 'sent', msgId } : { status: 'sent' };
  }
  return {
    channel: WECHAT_CHANNEL,
    maxBatch: MASS_SEND_MAX,
    async send(reply: Reply, recipients: Recipient[], idempotencyKey: string) {
      const batches = batchOpenIds(recipients.map((r) => r.userId));
      const results: SendResult[] = [];
      let message: MassMessage;
      try {
        message = await messageFor(reply);
      } catch (error) {
        const result = settle(error, recipients.length);
        return recipients.map(() => result);
      }
      let refused: SendResult | undefined;
      for (const [i, openIds] of batches.entries()) {
        const clientMsgId = batches.length === 1 ? idempotencyKey : `${idempotencyKey}/${i + 1}`;
        try {
          if (refused) {
            // The account was refused on an earlier part: the rest waits with it.
            results.push(...openIds.map(() => refused!));
            continue;
          }
          const sent = await sendPart(reply, message, openIds, clientMsgId);
          results.push(...openIds.map(() => sent));
        } catch (error) {
          const result = settle(error, openIds.length);
          if (result.status === 'paused') refused = result;
          results.push(...openIds.map(() => result));
        }
      }
      return results;
    },
  };

  function sendOne(openId: string, message: MassMessage): Promise<void> {
    return message.type === 'text'
      ? client.sendCustom(openId, { type: 'text', text: message.text })
      : client.sendCustomMpnews(openId, message.mediaId);
  }
}

/**
 * One recipient's result for an error; `count` recipients shared the call. Only an error
 * that names the recipient counts against them: a refused list does not say which OpenID
 * it refused, so only a lone recipient is blocked.
 */
export function settle(error: unknown, count: number): SendResult {
  if (!(error instanceof WechatApiError))
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  const message = error.message;
  const pause = ACCOUNT_PAUSE.get(error.errcode);
  if (pause !== undefined || error.retryable)
    return { status: 'paused', error: message, errcode: error.errcode, retryAfterMs: pause };
  const retryAfter = RETRY_AFTER.get(error.errcode);
  if (retryAfter !== undefined)
    return { status: 'retry', error: message, retryAfterMs: retryAfter };
  if (BLOCKING.has(error.errcode) && count === 1) return { status: 'blocked', error: message };
  return { status: 'failed', error: message };
}
