import { OK, bodyOf, bytes, integerField, objectField, type ApiTable, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { FollowerDirectory } from './ports.ts';
import type { createTagStore } from './tag-store.ts';

/** Tag limits (用户标签管理). */
export const TAG_LIMITS = {
  tags: 100,
  nameBytes: 30,
  perUser: 20,
  perCall: 50,
  /** A tag with more followers than this cannot be deleted at once (45057). */
  deletableMembers: 100_000,
  page: 10_000,
} as const;
/** Ids 0, 1 and 2 are the platform's own tags (2 is 星标组); they cannot be changed. */
const SYSTEM_TAG_MAX = 2;

type TagStore = ReturnType<typeof createTagStore>;

/** Tags and their members: `tags/...`, `user/tag/get`, and `tagUser` for the simulator. */
export function createTags(store: TagStore, followers: FollowerDirectory) {
  function checkName(name: unknown, exceptId?: number): string {
    if (typeof name !== 'string' || !name.trim())
      throw new PlatformError(45157, 'a tag name must not be empty');
    if (bytes(name) > TAG_LIMITS.nameBytes)
      throw new PlatformError(45158, `a tag name is at most ${TAG_LIMITS.nameBytes} bytes`);
    const same = store.byName(name);
    if (same && same.id !== exceptId)
      throw new PlatformError(45157, `a tag named "${name}" already exists`);
    return name;
  }

  function create(name: unknown): { id: number; name: string } {
    const valid = checkName(name);
    if (store.total() >= TAG_LIMITS.tags)
      throw new PlatformError(45056, `an account has at most ${TAG_LIMITS.tags} tags`);
    return { id: store.create(valid), name: valid };
  }

  function existing(body: Json, key: string): number {
    const id = integerField(body, key, 45159);
    if (id <= SYSTEM_TAG_MAX) throw new PlatformError(45058, `tag ${id} is the platform's own`);
    if (!store.byId(id)) throw new PlatformError(45159, `no tag has id ${id}`);
    return id;
  }

  function openidList(body: Json): string[] {
    const list = body.openid_list;
    if (!Array.isArray(list) || list.length === 0 || list.length > TAG_LIMITS.perCall)
      throw new PlatformError(40032, `openid_list holds 1 to ${TAG_LIMITS.perCall} OpenIDs`);
    for (const openid of list)
      if (typeof openid !== 'string' || !followers.get(openid))
        throw new PlatformError(40003, `${String(openid)} is not a user of this account`);
    return [...new Set(list as string[])];
  }

  function known(openid: unknown): string {
    if (typeof openid !== 'string' || !openid)
      throw new PlatformError(40003, 'the body names no openid');
    if (!followers.get(openid))
      throw new PlatformError(40003, `${openid} is not a user of this account`);
    return openid;
  }

  const api: ApiTable = {
    'tags/create': {
      token: true,
      body: true,
      handle: (request) => ({ tag: create(objectField(bodyOf(request), 'tag').name) }),
    },
    'tags/get': { token: true, handle: () => ({ tags: store.all() }) },
    'tags/update': {
      token: true,
      body: true,
      handle(request) {
        const tag = objectField(bodyOf(request), 'tag');
        const id = existing(tag, 'id');
        store.rename(id, checkName(tag.name, id));
        return OK;
      },
    },
    'tags/delete': {
      token: true,
      body: true,
      handle(request) {
        const id = existing(objectField(bodyOf(request), 'tag'), 'id');
        if (store.memberCount(id) > TAG_LIMITS.deletableMembers)
          throw new PlatformError(45057, `tag ${id} has over 100,000 followers`);
        store.remove(id);
        return OK;
      },
    },
    'tags/members/batchtagging': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const id = existing(body, 'tagid');
        const openids = openidList(body);
        for (const openid of openids) {
          const tags = store.tagsOf(openid);
          if (!tags.includes(id) && tags.length >= TAG_LIMITS.perUser)
            throw new PlatformError(45059, `${openid} already has ${TAG_LIMITS.perUser} tags`);
        }
        store.tag(id, openids);
        return OK;
      },
    },
    'tags/members/batchuntagging': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const id = existing(body, 'tagid');
        store.untag(id, openidList(body));
        return OK;
      },
    },
    'tags/getidlist': {
      token: true,
      body: true,
      handle: (request) => ({ tagid_list: store.tagsOf(known(bodyOf(request).openid)) }),
    },
    'user/tag/get': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        const id = integerField(body, 'tagid', 45159);
        if (!store.byId(id)) throw new PlatformError(45159, `no tag has id ${id}`);
        const after = typeof body.next_openid === 'string' ? body.next_openid : '';
        const openids = store.members(id, after, TAG_LIMITS.page);
        return {
          count: openids.length,
          data: { openid: openids },
          next_openid: openids.at(-1) ?? '',
        };
      },
    },
  };

  return {
    api,
    tagsOf: (openid: string) => store.tagsOf(openid),
    /** Gives a user a tag by name, creating the tag if need be; answers the tag's id. */
    tagUser(openid: string, tagName: string): number {
      const existingId = store.byName(tagName)?.id;
      const tags = store.tagsOf(openid);
      if (existingId !== undefined && tags.includes(existingId)) return existingId;
      if (tags.length >= TAG_LIMITS.perUser)
        throw new PlatformError(45059, `${openid} already has ${TAG_LIMITS.perUser} tags`);
      const id = existingId ?? create(tagName).id;
      store.tag(id, [openid]);
      return id;
    },
  };
}
