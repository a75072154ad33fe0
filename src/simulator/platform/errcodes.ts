import { randomBytes } from 'node:crypto';

/**
 * The platform's error codes and its own words for them (全局返回码), as the real API
 * answers them in `errmsg` (short, lower-case English). Clients match on the code.
 */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40006: 'invalid meida size',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40016: 'invalid button size',
  40017: 'invalid button type',
  40018: 'invalid button name size',
  40019: 'invalid button key size',
  40020: 'invalid button url size',
  40023: 'invalid sub button size',
  40024: 'invalid sub button type',
  40025: 'invalid sub button name size',
  40026: 'invalid sub button key size',
  40027: 'invalid sub button url size',
  40032: 'invalid openid list size',
  40033: 'invalid charset. please check your request, if include \\uxxxx will create fail!',
  40059: 'invalid msgid',
  40060: 'invalid article_idx',
  40125: 'invalid appsecret',
  40130: 'invalid openid list size, at least two openid',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  41006: 'media_id missing',
  41009: 'missing openid',
  42001: 'access_token expired',
  43004: 'require subscribe',
  44002: 'empty post data',
  44003: 'empty news data',
  44004: 'empty content',
  45002: 'content size out of limit',
  45003: 'title size out of limit',
  45004: 'description size out of limit',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
  45028: 'has no masssend quota',
  45047: 'out of response count limit',
  45056: 'too many tags',
  45057: "can't delete the tag that has too many fans",
  45058: "can't modify sys tag",
  45059: 'user tag too much',
  45065: 'clientmsgid exist',
  45066: 'same clientmsgid retry too fast',
  45067: 'clientmsgid size out of limit',
  45083: 'invalid speed, speed must be 0 to 4',
  45157: 'invalid tag name',
  45158: 'tag name too long',
  45159: 'invalid tag id',
  46003: 'menu no exist',
  47001: 'data format error',
  48001: 'api unauthorized',
  48006: 'forbid to clear quota because of reaching the limit',
};

/**
 * A refusal: the platform's code, the reason in words for the inspector (never sent), and
 * any fields the answer carries besides (45065 names the earlier job's `msg_id`).
 */
export class PlatformError extends Error {
  constructor(
    readonly errcode: number,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${errcode} ${reason}`);
    this.name = 'PlatformError';
  }
}

/** The platform's words for a code; an injected code it has no words for gets generic ones. */
export function errmsgOf(errcode: number): string {
  return ERRMSG[errcode] ?? 'system error';
}

/**
 * The request id the platform appends to every failure's errmsg (`rid: 5f69fb7e-5d30941b-
 * 6bacf6ee`: the second of the call in hex, then two random groups), so a developer can
 * quote it to support. Older answers said `hint: [...]`; clients never parse either.
 */
export function requestId(now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  const random = randomBytes(8).toString('hex');
  return `${seconds}-${random.slice(0, 8)}-${random.slice(8)}`;
}

/** A failure's answer, as the platform words it. */
export function failure(error: PlatformError, now: Date): Record<string, unknown> {
  return {
    errcode: error.errcode,
    errmsg: `${errmsgOf(error.errcode)} rid: ${requestId(now)}`,
    ...error.extra,
  };
}
