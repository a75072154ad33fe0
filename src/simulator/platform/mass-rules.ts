import { bytes, objectField, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { MassStore } from './mass-store.ts';
import type { PlatformMessage } from './ports.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const CLIENT_MSG_ID_BYTES = 64;
/** A clientmsgid names one job for 24 hours; a repeat within a minute is "too fast". */
export const CLIENT_MSG_ID_MEMORY_MS = DAY;
export const CLIENT_MSG_ID_TOO_FAST_MS = MINUTE;
export const MASS_TEXT_BYTES = 2048;

/** What a mass send carries: text, or uploaded news material (`mpnews`). */
export async function massMessage(
  body: Json,
  materialOf: (mediaId: unknown) => Promise<PlatformMessage>,
): Promise<PlatformMessage> {
  switch (body.msgtype) {
    case 'text': {
      const content = objectField(body, 'text').content;
      if (typeof content !== 'string' || content === '')
        throw new PlatformError(44004, 'the text is empty');
      if (bytes(content) > MASS_TEXT_BYTES)
        throw new PlatformError(45002, `the text is over ${MASS_TEXT_BYTES} bytes`);
      return { msgtype: 'text', text: content };
    }
    case 'mpnews':
      return materialOf(objectField(body, 'mpnews').media_id);
    default:
      throw new PlatformError(
        40008,
        `msgtype ${String(body.msgtype)} is not sent by the simulated platform (text and mpnews are)`,
      );
  }
}

/**
 * The job's idempotency key: 45067 over 64 bytes; a key seen in the last 24 hours is
 * 45066 when that job is under a minute old, else 45065 naming the first job's msg_id.
 */
export async function checkClientMsgId(
  store: MassStore,
  value: unknown,
  now: number,
): Promise<string | null> {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new PlatformError(47001, 'clientmsgid must be a string');
  if (bytes(value) > CLIENT_MSG_ID_BYTES)
    throw new PlatformError(45067, `clientmsgid is over ${CLIENT_MSG_ID_BYTES} bytes`);
  const first = await store.byClientMsgId(value, now - CLIENT_MSG_ID_MEMORY_MS);
  if (first && now - first.createdAt < CLIENT_MSG_ID_TOO_FAST_MS)
    throw new PlatformError(45066, `clientmsgid ${value} was used less than a minute ago`);
  if (first)
    throw new PlatformError(45065, `clientmsgid ${value} was used by job ${first.msgId}`, {
      msg_id: first.msgId,
      ...(first.msgDataId === null ? {} : { msg_data_id: first.msgDataId }),
    });
  return value;
}

/**
 * A subscription account mass-sends once a Beijing day (45028 past it). A service account
 * may send every day; its limit is per user (4 a month), applied at delivery.
 */
export async function checkAccountQuota(
  store: MassStore,
  accountType: 'subscription' | 'service',
  now: number,
) {
  if (accountType !== 'subscription') return;
  const dayStart = Math.floor((now + SHANGHAI_OFFSET_MS) / DAY) * DAY - SHANGHAI_OFFSET_MS;
  if ((await store.countSince(dayStart)) >= 1)
    throw new PlatformError(45028, 'a subscription account mass-sends once a day (Beijing time)');
}
