import { OK, bodyOf, bytes, integerField, objectField, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { createMassDelivery } from './mass-delivery.ts';
import type { MassStore, MassTarget } from './mass-store.ts';
import type { FollowerDirectory, PlatformMessage, TimelineWriter } from './ports.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** `mass/send` takes 2 to 10,000 OpenIDs. */
export const MASS_SEND_LIST = { min: 2, max: 10_000 } as const;
export const CLIENT_MSG_ID_BYTES = 64;
/** A clientmsgid names one job for 24 hours; a repeat within a minute is "too fast". */
export const CLIENT_MSG_ID_MEMORY_MS = DAY;
export const CLIENT_MSG_ID_TOO_FAST_MS = MINUTE;
/** Speed levels 0 to 4, in messages a minute. */
export const MASS_SPEEDS = [800_000, 600_000, 450_000, 300_000, 100_000] as const;
export const DEFAULT_SPEED = 0;
export const MASS_TEXT_BYTES = 2048;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

export interface MassDeps {
  store: MassStore;
  delivery: ReturnType<typeof createMassDelivery>;
  followers: FollowerDirectory;
  timeline: TimelineWriter;
  accountType: 'subscription' | 'service';
  tagExists(tagId: number): boolean;
  materialOf(mediaId: unknown): PlatformMessage;
}

/** `message/mass/sendall|send|preview|get|delete` and `message/mass/speed/get|set`. */
export function massApi(deps: MassDeps): ApiTable {
  const { store } = deps;
  const speed = () => store.setting('mass_speed') ?? DEFAULT_SPEED;

  function message(body: Json): PlatformMessage {
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
        return deps.materialOf(objectField(body, 'mpnews').media_id);
      default:
        throw new PlatformError(
          40008,
          `msgtype ${String(body.msgtype)} is not sent by the simulated platform (text and mpnews are)`,
        );
    }
  }

  /** 45065 names the first job; 45066 when that job is under a minute old. */
  function checkClientMsgId(value: unknown, now: number): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') throw new PlatformError(47001, 'clientmsgid must be a string');
    if (bytes(value) > CLIENT_MSG_ID_BYTES)
      throw new PlatformError(45067, `clientmsgid is over ${CLIENT_MSG_ID_BYTES} bytes`);
    const first = store.byClientMsgId(value, now - CLIENT_MSG_ID_MEMORY_MS);
    if (first && now - first.createdAt < CLIENT_MSG_ID_TOO_FAST_MS)
      throw new PlatformError(45066, `clientmsgid ${value} was used less than a minute ago`);
    if (first)
      throw new PlatformError(45065, `clientmsgid ${value} was used by job ${first.msgId}`, {
        msg_id: first.msgId,
        ...(first.msgDataId === null ? {} : { msg_data_id: first.msgDataId }),
      });
    return value;
  }

  /** A subscription account mass-sends once a Beijing day (45028 past it). */
  function checkAccountQuota(now: number) {
    if (deps.accountType !== 'subscription') return;
    const dayStart = Math.floor((now + SHANGHAI_OFFSET_MS) / DAY) * DAY - SHANGHAI_OFFSET_MS;
    if (store.countSince(dayStart) >= 1)
      throw new PlatformError(45028, 'a subscription account mass-sends once a day (Beijing time)');
  }

  function accept(api: string, body: Json, target: MassTarget, now: Date): Json {
    const msg = message(body);
    const clientMsgId = checkClientMsgId(body.clientmsgid, now.getTime());
    checkAccountQuota(now.getTime());
    const msgId = store.nextMsgId();
    const msgDataId = msg.msgtype === 'mpnews' ? msgId + 1_000_000_000 : null;
    store.insert({
      msgId,
      msgDataId,
      api,
      target,
      message: msg,
      clientMsgId,
      createdAt: now.getTime(),
      rate: MASS_SPEEDS[speed()] ?? MASS_SPEEDS[DEFAULT_SPEED],
    });
    deps.delivery.start(store.get(msgId)!);
    return {
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: msgId,
      ...(msgDataId === null ? {} : { msg_data_id: msgDataId }),
    };
  }

  function job(body: Json) {
    const msgId = integerField(body, 'msg_id', 40059);
    const found = store.get(msgId);
    if (!found) throw new PlatformError(40059, `no mass job has msg_id ${msgId}`);
    return found;
  }

  return {
    'message/mass/sendall': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const filter = objectField(body, 'filter');
        let target: MassTarget = { kind: 'all' };
        if (filter.is_to_all !== true && filter.is_to_all !== 'true') {
          const tagId = integerField(filter, 'tag_id', 45159);
          if (!deps.tagExists(tagId)) throw new PlatformError(45159, `no tag has id ${tagId}`);
          target = { kind: 'tag', tagId };
        }
        return accept('mass/sendall', body, target, request.now);
      },
    },
    'message/mass/send': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const touser = body.touser;
        if (!Array.isArray(touser))
          throw new PlatformError(47001, 'touser must be a list of OpenIDs');
        if (touser.some((openid) => typeof openid !== 'string' || !openid))
          throw new PlatformError(40003, 'touser holds something that is not an OpenID');
        const openids = [...new Set(touser as string[])];
        if (openids.length < MASS_SEND_LIST.min)
          throw new PlatformError(40130, 'mass/send needs at least 2 different OpenIDs');
        if (openids.length > MASS_SEND_LIST.max)
          throw new PlatformError(40032, 'mass/send takes at most 10,000 OpenIDs');
        return accept('mass/send', body, { kind: 'list', openids }, request.now);
      },
    },
    'message/mass/preview': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const touser = body.touser;
        if (typeof touser !== 'string' || !touser)
          throw new PlatformError(40003, 'preview names no touser');
        const follower = deps.followers.get(touser);
        if (!follower) throw new PlatformError(40003, `${touser} is not a user of this account`);
        if (!follower.subscribed)
          throw new PlatformError(43004, `${touser} does not follow the account`);
        const msgId = store.nextMsgId();
        deps.timeline.append(touser, {
          source: 'preview',
          message: message(body),
          msgId: String(msgId),
          record: { api: 'message/mass/preview', msg_id: msgId },
        });
        return { errcode: 0, errmsg: 'preview success', msg_id: msgId };
      },
    },
    'message/mass/get': {
      token: true,
      body: true,
      handle(request) {
        const found = job(bodyOf(request));
        return { msg_id: found.msgId, msg_status: found.status };
      },
    },
    'message/mass/delete': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const found = job(body);
        if (body.article_idx !== undefined) {
          const idx = integerField(body, 'article_idx', 40060);
          const articles = found.message.msgtype === 'text' ? 0 : found.message.articles.length;
          if (idx < 0 || idx > articles)
            throw new PlatformError(40060, `job ${found.msgId} has no article ${idx}`);
        }
        deps.delivery.stop(found.msgId);
        store.setStatus(found.msgId, 'DELETE', request.now.getTime());
        return OK;
      },
    },
    'message/mass/speed/get': {
      token: true,
      handle: () => {
        const level = speed();
        // realspeed is in units of 10,000 a minute.
        return { speed: level, realspeed: (MASS_SPEEDS[level] ?? 0) / 10_000 };
      },
    },
    'message/mass/speed/set': {
      token: true,
      body: true,
      handle(request) {
        const level = bodyOf(request).speed;
        if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 4)
          throw new PlatformError(45083, 'speed must be a level from 0 to 4');
        store.putSetting('mass_speed', level);
        return OK;
      },
    },
  };
}
