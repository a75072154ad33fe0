import { OK, bodyOf, optionalString, type ApiTable } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { QuotaStore } from './quota-store.ts';
import { shanghaiDay, shanghaiMonth } from './shanghai-time.ts';

/**
 * Daily call limits of a newly registered account (接口调用频次限制说明): token 2,000,
 * menu create 1,000, query 10,000, delete 1,000, customer-service send 500,000, mass send
 * 100, upload news 10 (the documented figure; raise it with `clear_quota`), follower list
 * 500, user info 5,000,000. The documentation names no figure for the rest: they get
 * 10,000, and `stable_token` its documented 500,000.
 */
export const DAILY_QUOTA: Readonly<Record<string, number>> = {
  token: 2_000,
  stable_token: 500_000,
  'menu/create': 1_000,
  'menu/get': 10_000,
  get_current_selfmenu_info: 10_000,
  'menu/delete': 1_000,
  'message/custom/send': 500_000,
  'message/mass/sendall': 100,
  'message/mass/preview': 100,
  'media/uploadnews': 10,
  'user/get': 500,
  'user/info': 5_000_000,
  'user/info/batchget': 5_000_000,
};
export const DEFAULT_DAILY_QUOTA = 10_000;
/** APIs that share one daily count: "高级群发接口 100" is sendall and send together. */
const SHARED_QUOTA: Readonly<Record<string, string>> = {
  'message/mass/send': 'message/mass/sendall',
};
/** `clear_quota` may be used 10 times a month (48006 past that). */
export const CLEAR_QUOTA_MONTHLY = 10;
const CLEAR_QUOTA = 'clear_quota';

export type { QuotaStore } from './quota-store.ts';

/** Daily quotas: checked before a call, counted once it is accepted. */
export function createQuotas(store: QuotaStore) {
  const limitOf = (api: string) => DAILY_QUOTA[api] ?? DEFAULT_DAILY_QUOTA;
  const bucketOf = (api: string) => SHARED_QUOTA[api] ?? api;
  return {
    async check(api: string, now: Date) {
      if (api === CLEAR_QUOTA) return;
      const limit = limitOf(bucketOf(api));
      if ((await store.used(bucketOf(api), shanghaiDay(now))) >= limit)
        throw new PlatformError(45009, `${api} was already called ${limit} times today`);
    },
    async count(api: string, now: Date) {
      if (api !== CLEAR_QUOTA) await store.count(bucketOf(api), shanghaiDay(now));
    },
    async usage(now: Date) {
      return (await store.usage(shanghaiDay(now))).map(({ api, calls }) => ({
        api,
        calls,
        limit: limitOf(api),
      }));
    },
  };
}

/** `POST /cgi-bin/clear_quota {appid}`: the day's counts start again, 10 times a month. */
export function quotaApi(store: QuotaStore, appId: string): ApiTable {
  return {
    clear_quota: {
      token: true,
      body: true,
      async handle(request) {
        const { now } = request;
        const appid = optionalString(bodyOf(request), 'appid');
        if (!appid) throw new PlatformError(41002, 'the body names no appid');
        if (appid !== appId) throw new PlatformError(40013, 'the appid is not this account');
        const month = shanghaiMonth(now);
        if ((await store.used(CLEAR_QUOTA, month)) >= CLEAR_QUOTA_MONTHLY)
          throw new PlatformError(
            48006,
            `the quota was already cleared ${CLEAR_QUOTA_MONTHLY} times this month`,
          );
        await store.count(CLEAR_QUOTA, month);
        await store.clearDay(shanghaiDay(now), CLEAR_QUOTA);
        return OK;
      },
    },
  };
}
