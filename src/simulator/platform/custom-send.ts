import { OK, bodyOf, bytes, objectField, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { createCustomStore } from './custom-store.ts';
import type { Follower, FollowerDirectory, PlatformMessage, TimelineWriter } from './ports.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Customer-service windows (客服消息下发规则): a user's message opens 48 hours for 5
 * messages; a follow, a menu click or a scan opens 1 minute for 3.
 */
export const CUSTOM_WINDOWS = {
  message: { ms: 48 * HOUR, messages: 5 },
  event: { ms: MINUTE, messages: 3 },
} as const;
/** Text is cut by the platform's limit in UTF-8 bytes. */
export const CUSTOM_TEXT_BYTES = 2048;

type CustomStore = ReturnType<typeof createCustomStore>;

/** `message/custom/send`: text, one news article, or mpnews material. */
export function customSendApi({
  store,
  followers,
  timeline,
  materialOf,
}: {
  store: CustomStore;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  materialOf: (mediaId: unknown) => Promise<PlatformMessage>;
}): ApiTable {
  return {
    'message/custom/send': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const follower = await recipient(body.touser, followers);
        const message = await customMessage(body, materialOf);
        await checkWindow(follower, store, request.now);
        await timeline.append(follower.openid, {
          source: 'custom',
          message,
          record: { api: 'message/custom/send', body },
        });
        // Counted once delivered: a timeline that refused it leaves the window untouched.
        const horizon = new Date(request.now.getTime() - CUSTOM_WINDOWS.message.ms);
        await store.record(follower.openid, request.now, horizon);
        return OK;
      },
    },
  };
}

async function recipient(touser: unknown, followers: FollowerDirectory): Promise<Follower> {
  if (typeof touser !== 'string' || !touser)
    throw new PlatformError(40003, 'the message names no touser');
  const follower = await followers.get(touser);
  if (!follower) throw new PlatformError(40003, `${touser} is not a user of this account`);
  if (!follower.subscribed) throw new PlatformError(43004, `${touser} does not follow the account`);
  return follower;
}

async function customMessage(
  body: Json,
  materialOf: (mediaId: unknown) => Promise<PlatformMessage>,
): Promise<PlatformMessage> {
  switch (body.msgtype) {
    case 'text': {
      const content = objectField(body, 'text').content;
      if (typeof content !== 'string' || content === '')
        throw new PlatformError(44004, 'the text is empty');
      if (bytes(content) > CUSTOM_TEXT_BYTES)
        throw new PlatformError(45002, `the text is over ${CUSTOM_TEXT_BYTES} bytes`);
      return { msgtype: 'text', text: content };
    }
    case 'news': {
      const articles = objectField(body, 'news').articles;
      if (!Array.isArray(articles) || articles.length === 0)
        throw new PlatformError(44003, 'the news message has no article');
      if (articles.length > 1)
        throw new PlatformError(45008, `a news message carries 1 article, not ${articles.length}`);
      const a = (articles[0] ?? {}) as Json;
      if (typeof a.title !== 'string' || !a.title)
        throw new PlatformError(44003, 'the article has no title');
      return {
        msgtype: 'news',
        articles: [
          {
            title: a.title,
            description: text(a.description),
            url: text(a.url),
            picUrl: text(a.picurl),
          },
        ],
      };
    }
    case 'mpnews':
      return materialOf(objectField(body, 'mpnews').media_id);
    default:
      throw new PlatformError(40008, `msgtype ${String(body.msgtype)} is not sent here`);
  }
}

/** 45015 outside every open window; 45047 when each open window has used its messages. */
async function checkWindow(follower: Follower, store: CustomStore, now: Date) {
  const open = [
    { at: follower.lastMessageAt, ...CUSTOM_WINDOWS.message },
    { at: follower.lastEventAt, ...CUSTOM_WINDOWS.event },
  ].filter(
    (w): w is typeof w & { at: Date } =>
      w.at !== undefined && now.getTime() - w.at.getTime() < w.ms,
  );
  if (open.length === 0)
    throw new PlatformError(
      45015,
      `${follower.openid} has not written in 48 hours, nor followed, clicked or scanned in the last minute`,
    );
  const used = await Promise.all(open.map((w) => store.countSince(follower.openid, w.at)));
  if (open.every((w, i) => used[i]! >= w.messages))
    throw new PlatformError(
      45047,
      `${follower.openid} already got every message their last interaction allows`,
    );
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
