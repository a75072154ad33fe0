/**
 * The platform's error codes this service acts on, with the platform's names for them
 * (全局返回码). Anything else is reported as it came and not retried.
 */
export const ERRCODE = {
  /** -1 系统繁忙 "system error": the platform asks to try again later. Also used here for a
   * 5xx, a timeout or a network failure, which mean the same thing to a caller. */
  SYSTEM_BUSY: -1,
  /** Not a platform code: a 4xx, or a body that is not the platform's JSON. Not retried. */
  BAD_RESPONSE: -2,
  /** 40007 "invalid media_id": uploaded material the platform does not (or no longer) know. */
  INVALID_MEDIA_ID: 40007,
  /** 40001 "invalid credential, access_token is invalid or not latest". */
  INVALID_CREDENTIAL: 40001,
  /** 40014 "invalid access_token". */
  INVALID_ACCESS_TOKEN: 40014,
  /** 42001 "access_token expired". */
  ACCESS_TOKEN_EXPIRED: 42001,
  /** 40013 "invalid appid". */
  INVALID_APPID: 40013,
  /** 40125 "invalid appsecret". */
  INVALID_APPSECRET: 40125,
  /** 40164 "invalid ip, not in whitelist": this server's IP is not on the account's list. */
  IP_NOT_WHITELISTED: 40164,
  /** 61004 "access clientip is not registered": the same, from the older APIs. */
  CLIENT_IP_NOT_REGISTERED: 61004,
  /** 48001 "api unauthorized": the account may not use this API. */
  API_UNAUTHORIZED: 48001,
  /** 40003 "invalid openid": not a follower of this account. */
  INVALID_OPENID: 40003,
  /** 43004 "require subscribe": the user does not follow the account (any more). */
  REQUIRE_SUBSCRIBE: 43004,
  /** 43019 "require remove blacklist": the account has blacklisted the user. */
  REQUIRE_REMOVE_BLACKLIST: 43019,
  /** 45009 "reach max api daily quota limit". */
  DAILY_QUOTA: 45009,
  /** 45011 "api minute-quota reach limit, mustslower, retry next minute". */
  MINUTE_QUOTA: 45011,
  /** 45015 "response out of time limit or subscription is canceled": no customer-service
   * message more than 48 hours after the user last wrote. */
  RESPONSE_OUT_OF_TIME: 45015,
  /** 45028 "has no masssend quota". */
  NO_MASS_SEND_QUOTA: 45028,
  /** 45047 "out of response count limit": too many customer-service messages unanswered. */
  OUT_OF_RESPONSE_COUNT: 45047,
  /** 45065 "clientmsgid exist": this mass send was already made; the answer carries its msg_id. */
  CLIENTMSGID_EXISTS: 45065,
  /** 45066 "same clientmsgid retry too fast": wait a minute. */
  CLIENTMSGID_TOO_FAST: 45066,
} as const;

/** Codes that mean the access token is no good: refresh it once and call again. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([
  ERRCODE.INVALID_CREDENTIAL,
  ERRCODE.INVALID_ACCESS_TOKEN,
  ERRCODE.ACCESS_TOKEN_EXPIRED,
]);

/** A failed call to the platform's API: its code and message, and which call it was. */
export class WechatApiError extends Error {
  constructor(
    /** The call, e.g. `message/mass/send`; never its URL, which carries the access token. */
    readonly call: string,
    readonly errcode: number,
    readonly errmsg: string,
    options: { httpStatus?: number; answer?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(`${call}: ${errcode} ${errmsg}`, { cause: options.cause });
    this.name = 'WechatApiError';
    this.httpStatus = options.httpStatus;
    this.answer = options.answer;
  }

  readonly httpStatus: number | undefined;
  /** The platform's whole answer, for codes that carry data (45065 names the earlier msg_id). */
  readonly answer: Record<string, unknown> | undefined;

  /** Only "system busy" (and the transport failures filed under it) are worth trying again. */
  get retryable(): boolean {
    return this.errcode === ERRCODE.SYSTEM_BUSY;
  }
}
