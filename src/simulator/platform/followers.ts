import { bodyOf, seconds, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { Follower, FollowerDirectory } from './ports.ts';

/** `user/get` pages 10,000 OpenIDs; `user/info/batchget` takes 100 users. */
export const FOLLOWERS_PAGE = 10_000;
export const BATCHGET_MAX = 100;

/** The follower list and user info, read from the simulator's users. */
export function followerApi(
  followers: FollowerDirectory,
  tagsOf: (openid: string) => Promise<number[]>,
): ApiTable {
  async function info(openid: unknown): Promise<Json> {
    if (typeof openid !== 'string' || !openid)
      throw new PlatformError(41009, 'the call names no openid');
    const follower = await followers.get(openid);
    if (!follower) throw new PlatformError(40003, `${openid} is not a user of this account`);
    return userInfo(follower, await tagsOf(openid));
  }
  return {
    'user/get': {
      token: true,
      async handle({ query }) {
        const after = query.next_openid || undefined;
        if (after !== undefined && !(await followers.get(after)))
          throw new PlatformError(40003, `next_openid ${after} is not a user of this account`);
        const { total, openids } = await followers.page(after, FOLLOWERS_PAGE);
        if (openids.length === 0) return { total, count: 0, next_openid: '' };
        return {
          total,
          count: openids.length,
          data: { openid: openids },
          next_openid: openids.at(-1) ?? '',
        };
      },
    },
    'user/info': { token: true, handle: ({ query }) => info(query.openid) },
    'user/info/batchget': {
      token: true,
      body: true,
      async handle(request) {
        const list = bodyOf(request).user_list;
        if (!Array.isArray(list) || list.length === 0 || list.length > BATCHGET_MAX)
          throw new PlatformError(40032, `user_list holds 1 to ${BATCHGET_MAX} users`);
        const infos: Json[] = [];
        for (const item of list as unknown[])
          infos.push(
            await info(
              typeof item === 'object' && item !== null ? (item as Json).openid : undefined,
            ),
          );
        return { user_info_list: infos };
      },
    },
  };
}

/** A user as `user/info` shows them; someone who unfollowed shows only that. */
function userInfo(follower: Follower, tagIds: number[]): Json {
  if (!follower.subscribed) return { subscribe: 0, openid: follower.openid };
  const qrScene = Number(follower.qrScene);
  return {
    subscribe: 1,
    openid: follower.openid,
    language: follower.language,
    subscribe_time: follower.subscribeTime ? seconds(follower.subscribeTime) : 0,
    remark: '',
    groupid: 0,
    tagid_list: tagIds,
    subscribe_scene: follower.subscribeScene ?? 'ADD_SCENE_OTHERS',
    qr_scene: Number.isSafeInteger(qrScene) ? qrScene : 0,
    qr_scene_str: follower.qrScene ?? '',
  };
}
