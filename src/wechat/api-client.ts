import { createHash } from 'node:crypto';
import type { MenuButton } from '../content/rules.ts';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import { ERRCODE, TOKEN_ERRCODES, WechatApiError } from './api-error.ts';
import { menuToPlatform } from './menu.ts';

/** The platform's address; the default when WECHAT_API_BASE is unset in production. */
export const WECHAT_PLATFORM_API = 'https://api.weixin.qq.com';
/** `mass/send` takes 2 to 10,000 OpenIDs. */
export const MASS_SEND_MIN = 2;
export const MASS_SEND_MAX = 10_000;
/** The platform's limit on a `clientmsgid`. */
export const CLIENT_MSG_ID_MAX = 64;

/** What a mass send sends: text, or articles already uploaded as `mpnews` material. */
export type MassMessage = { type: 'text'; text: string } | { type: 'mpnews'; mediaId: string };

/** A mass send the platform accepted (or had already accepted under the same clientmsgid). */
export interface MassSendResult {
  msgId: string;
  msgDataId?: string;
  /** True when the platform answered 45065: the same clientmsgid was sent before. */
  duplicate: boolean;
}

/** One article of `media/uploadnews`, in the platform's field names. */
export interface NewsUpload {
  title: string;
  content: string;
  digest?: string;
  author?: string;
  content_source_url?: string;
  show_cover_pic: 0 | 1;
  thumb_media_id: string;
}

export interface WechatApiClient {
  /** A valid access token: cached until shortly before it expires, one fetch at a time. */
  accessToken(): Promise<string>;
  /** `message/custom/send`: a text, or a news card (the platform takes 1 article). */
  sendCustom(openId: string, reply: Reply): Promise<void>;
  /** `message/custom/send` of uploaded `mpnews` material to one user. */
  sendCustomMpnews(openId: string, mediaId: string): Promise<void>;
  /** `media/uploadnews`: articles as `mpnews` material; answers its media_id. */
  uploadNews(articles: NewsUpload[]): Promise<string>;
  /** `material/add_material?type=thumb`: a permanent thumb (a JPEG); answers its media_id. */
  addThumbMaterial(jpeg: Buffer, filename: string): Promise<string>;
  /** `message/mass/sendall`: to every follower, or to those with a tag. */
  massSendAll(options: {
    message: MassMessage;
    tagId?: number;
    clientMsgId: string;
  }): Promise<MassSendResult>;
  /** `message/mass/send`: to 2 to 10,000 OpenIDs. */
  massSend(options: {
    openIds: string[];
    message: MassMessage;
    clientMsgId: string;
  }): Promise<MassSendResult>;
  /** `mass/send` to any number of OpenIDs, in as few calls as the limits allow, one clientmsgid each. */
  massSendToOpenIds(options: {
    openIds: string[];
    message: MassMessage;
    clientMsgId: string;
  }): Promise<{ openIds: string[]; result: MassSendResult }[]>;
  /** `message/mass/preview`: the message to one user, to check it before a mass send. */
  massPreview(options: { openId: string; message: MassMessage }): Promise<void>;
  /** `message/mass/get`: how a mass send is going (`SEND_SUCCESS`, `SENDING`, `SEND_FAIL`, `DELETE`). */
  massStatus(msgId: string): Promise<{ msgId: string; status: string }>;
  /** `menu/create`: publishes the custom menu. */
  createMenu(menu: MenuButton[]): Promise<void>;
}

export interface WechatApiOptions {
  /** A function when the address is known only once the service listens (the simulated platform). */
  baseUrl: string | (() => string);
  appId: string;
  appSecret: string;
  log: Logger;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; a test's clock. */
  now?: () => number;
  timeoutMs?: number;
  /** Tries in all for a retryable error (5xx, timeout, -1), with doubling pauses. */
  attempts?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Json = Record<string, unknown>;

/** The platform's API, typed: token handling, retries and errors in one place. */
export function createWechatApiClient({
  baseUrl,
  appId,
  appSecret,
  log,
  fetch: fetchFn = fetch,
  now = Date.now,
  timeoutMs = 5000,
  attempts = 3,
  backoffMs = 200,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: WechatApiOptions): WechatApiClient {
  const base = typeof baseUrl === 'function' ? baseUrl : () => baseUrl;
  let cached: { token: string; refreshAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  /** One HTTP exchange, with transport failures turned into WechatApiError. */
  async function exchange(call: string, url: string, body?: Json | FormData): Promise<Json> {
    let res: Response;
    const form = body instanceof FormData;
    try {
      res = await fetchFn(url, {
        method: body ? 'POST' : 'GET',
        // A form sets its own multipart content-type, boundary included.
        headers: body && !form ? { 'content-type': 'application/json' } : undefined,
        // The platform wants UTF-8 as is: JSON.stringify leaves non-ASCII unescaped.
        body: form ? body : body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new WechatApiError(
        call,
        ERRCODE.SYSTEM_BUSY,
        timedOut ? `no answer within ${timeoutMs} ms` : 'network error',
        { cause: error },
      );
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new WechatApiError(call, ERRCODE.SYSTEM_BUSY, `HTTP ${res.status}`, {
        httpStatus: res.status,
      });
    }
    const json = (await res.json().catch(() => undefined)) as unknown;
    if (!res.ok || typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new WechatApiError(
        call,
        ERRCODE.BAD_RESPONSE,
        res.ok ? 'the answer is not a JSON object' : `HTTP ${res.status}`,
        { httpStatus: res.status },
      );
    }
    const answer = json as Json;
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    if (errcode !== 0) {
      throw new WechatApiError(call, errcode, String(answer.errmsg ?? ''), {
        httpStatus: res.status,
        answer,
      });
    }
    return answer;
  }

  /** Retries what is retryable, pausing 1, 2, 4... × backoffMs. */
  async function withRetries<T>(call: string, attempt: () => Promise<T>): Promise<T> {
    for (let tried = 1; ; tried++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WechatApiError) || !error.retryable || tried >= attempts)
          throw error;
        const pause = backoffMs * 2 ** (tried - 1);
        log.warn(
          { call, errcode: error.errcode, errmsg: error.errmsg, tried, pause },
          'wechat api call failed; retrying',
        );
        await sleep(pause);
      }
    }
  }

  async function fetchToken(): Promise<string> {
    const query = new URLSearchParams({
      grant_type: 'client_credential',
      appid: appId,
      secret: appSecret,
    });
    const answer = await withRetries('token', () =>
      exchange('token', `${base()}/cgi-bin/token?${query}`),
    );
    const token = answer.access_token;
    const expiresIn = Number(answer.expires_in ?? 7200);
    if (typeof token !== 'string' || !token)
      throw new WechatApiError('token', ERRCODE.BAD_RESPONSE, 'no access_token in the answer');
    // Refresh 5 minutes early (or halfway, for a short-lived token): a call never carries
    // a token that expires on the way.
    const margin = Math.min(300, expiresIn / 2);
    cached = { token, refreshAt: now() + (expiresIn - margin) * 1000 };
    return token;
  }

  function accessToken(): Promise<string> {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    fetching ??= fetchToken().finally(() => (fetching = undefined));
    return fetching;
  }

  /** A POST with the access token; a token the platform refuses is refreshed once. */
  async function call(name: string, body: Json | FormData, query = ''): Promise<Json> {
    const url = (token: string) =>
      `${base()}/cgi-bin/${name}?access_token=${encodeURIComponent(token)}${query}`;
    const post = async () => {
      const token = await accessToken();
      try {
        return await exchange(name, url(token), body);
      } catch (error) {
        if (error instanceof WechatApiError && TOKEN_ERRCODES.has(error.errcode)) {
          // Only the first caller to see this token refused drops it: the others then
          // share the one refresh instead of each starting their own.
          if (cached?.token === token) cached = undefined;
          log.info({ call: name, errcode: error.errcode }, 'access token refused; refreshing');
          return exchange(name, url(await accessToken()), body);
        }
        throw error;
      }
    };
    return withRetries(name, post);
  }

  async function massCall(name: string, body: Json): Promise<MassSendResult> {
    try {
      const answer = await call(name, body);
      return {
        msgId: String(answer.msg_id),
        msgDataId: optionalString(answer.msg_data_id),
        duplicate: false,
      };
    } catch (error) {
      // A retried call that had in fact gone through: the platform names the earlier send.
      if (error instanceof WechatApiError && error.errcode === ERRCODE.CLIENTMSGID_EXISTS) {
        const answer = error.answer ?? {};
        return {
          msgId: String(answer.msg_id ?? ''),
          msgDataId: optionalString(answer.msg_data_id),
          duplicate: true,
        };
      }
      throw error;
    }
  }

  async function massSend({
    openIds,
    message,
    clientMsgId,
  }: {
    openIds: string[];
    message: MassMessage;
    clientMsgId: string;
  }) {
    if (openIds.length < MASS_SEND_MIN || openIds.length > MASS_SEND_MAX)
      throw new RangeError(
        `mass/send takes ${MASS_SEND_MIN} to ${MASS_SEND_MAX} OpenIDs, not ${openIds.length}; send one user a customer-service message`,
      );
    return massCall('message/mass/send', {
      touser: openIds,
      ...massBody(message),
      clientmsgid: clientMsgIdFor(clientMsgId),
    });
  }

  return {
    accessToken,
    async sendCustom(openId, reply) {
      await call('message/custom/send', { touser: openId, ...customBody(reply) });
    },
    async sendCustomMpnews(openId, mediaId) {
      await call('message/custom/send', {
        touser: openId,
        msgtype: 'mpnews',
        mpnews: { media_id: mediaId },
      });
    },
    async uploadNews(articles) {
      const answer = await call('media/uploadnews', { articles: [...articles] });
      return mediaIdOf('media/uploadnews', answer);
    },
    async addThumbMaterial(jpeg, filename) {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), filename);
      const answer = await call('material/add_material', form, '&type=thumb');
      return mediaIdOf('material/add_material', answer);
    },
    massSendAll({ message, tagId, clientMsgId }) {
      return massCall('message/mass/sendall', {
        filter: tagId === undefined ? { is_to_all: true } : { is_to_all: false, tag_id: tagId },
        ...massBody(message),
        clientmsgid: clientMsgIdFor(clientMsgId),
      });
    },
    massSend,
    async massSendToOpenIds({ openIds, message, clientMsgId }) {
      const batches = batchOpenIds(openIds);
      const results = [];
      for (const [i, batch] of batches.entries()) {
        const id = batches.length === 1 ? clientMsgId : `${clientMsgId}/${i + 1}`;
        results.push({
          openIds: batch,
          result: await massSend({ openIds: batch, message, clientMsgId: id }),
        });
      }
      return results;
    },
    async massPreview({ openId, message }) {
      await call('message/mass/preview', { touser: openId, ...massBody(message) });
    },
    async massStatus(msgId) {
      const answer = await call('message/mass/get', { msg_id: msgId });
      return { msgId: String(answer.msg_id ?? msgId), status: String(answer.msg_status ?? '') };
    },
    async createMenu(menu) {
      await call('menu/create', menuToPlatform(menu));
    },
  };
}

/**
 * Splits OpenIDs into the fewest `mass/send` batches, evenly, so none falls under the
 * 2-OpenID minimum (10,001 becomes 5,001 + 5,000, not 10,000 + 1).
 */
export function batchOpenIds(openIds: string[], max = MASS_SEND_MAX): string[][] {
  const count = Math.ceil(openIds.length / max);
  const batches: string[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(openIds.length / count) + (i < openIds.length % count ? 1 : 0);
    batches.push(openIds.slice(start, start + size));
    start += size;
  }
  return batches;
}

/** A clientmsgid within the platform's 64 characters: a longer key is replaced by its SHA-1. */
export function clientMsgIdFor(key: string): string {
  return key.length <= CLIENT_MSG_ID_MAX ? key : createHash('sha1').update(key).digest('hex');
}

function massBody(message: MassMessage): Json {
  return message.type === 'text'
    ? { msgtype: 'text', text: { content: message.text } }
    : { msgtype: 'mpnews', mpnews: { media_id: message.mediaId }, send_ignore_reprint: 0 };
}

function customBody(reply: Reply): Json {
  if (reply.type === 'text') return { msgtype: 'text', text: { content: reply.text } };
  return {
    msgtype: 'news',
    news: {
      articles: reply.articles.map((a) => ({
        title: a.title,
        description: a.description,
        url: a.url,
        picurl: a.picUrl,
      })),
    },
  };
}

function mediaIdOf(call: string, answer: Json): string {
  if (typeof answer.media_id !== 'string' || !answer.media_id)
    throw new WechatApiError(call, ERRCODE.BAD_RESPONSE, 'no media_id in the answer');
  return answer.media_id;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}
