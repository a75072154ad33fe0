import { bytes, integerField, type Json } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { FollowerDirectory } from './ports.ts';
import type { TagStore } from './tag-store.ts';

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

export type { TagStore } from './tag-store.ts';

/** The platform's checks on tags and their members, each with its errcode. */
export function createTagRules(store: TagStore, followers: FollowerDirectory) {
  async function checkName(name: unknown, exceptId?: number): Promise<string> {
    if (typeof name !== 'string' || !name.trim())
      throw new PlatformError(45157, 'a tag name must not be empty');
    if (bytes(name) > TAG_LIMITS.nameBytes)
      throw new PlatformError(45158, `a tag name is at most ${TAG_LIMITS.nameBytes} bytes`);
    const same = await store.byName(name);
    if (same && same.id !== exceptId)
      throw new PlatformError(45157, `a tag named "${name}" already exists`);
    return name;
  }

  async function create(name: unknown): Promise<{ id: number; name: string }> {
    const valid = await checkName(name);
    if ((await store.total()) >= TAG_LIMITS.tags)
      throw new PlatformError(45056, `an account has at most ${TAG_LIMITS.tags} tags`);
    return { id: await store.create(valid), name: valid };
  }

  /** A tag the account made: 45058 for the platform's own, 45159 for an unknown id. */
  async function existing(body: Json, key: string): Promise<number> {
    const id = integerField(body, key, 45159);
    if (id >= 0 && id <= SYSTEM_TAG_MAX)
      throw new PlatformError(45058, `tag ${id} is the platform's own`);
    if (!(await store.byId(id))) throw new PlatformError(45159, `no tag has id ${id}`);
    return id;
  }

  /** 1 to 50 OpenIDs, each a user of the account: one bad OpenID refuses the call. */
  async function openidList(body: Json): Promise<string[]> {
    const list = body.openid_list;
    if (!Array.isArray(list) || list.length === 0 || list.length > TAG_LIMITS.perCall)
      throw new PlatformError(40032, `openid_list holds 1 to ${TAG_LIMITS.perCall} OpenIDs`);
    for (const openid of list)
      if (typeof openid !== 'string' || !(await followers.get(openid)))
        throw new PlatformError(40003, `${String(openid)} is not a user of this account`);
    return [...new Set(list as string[])];
  }

  async function known(openid: unknown): Promise<string> {
    if (typeof openid !== 'string' || !openid)
      throw new PlatformError(40003, 'the body names no openid');
    if (!(await followers.get(openid)))
      throw new PlatformError(40003, `${openid} is not a user of this account`);
    return openid;
  }

  /** 45059 when a user would carry more than 20 tags. */
  async function checkRoom(openid: string, id: number | undefined) {
    const tags = await store.tagsOf(openid);
    if ((id === undefined || !tags.includes(id)) && tags.length >= TAG_LIMITS.perUser)
      throw new PlatformError(45059, `${openid} already has ${TAG_LIMITS.perUser} tags`);
  }

  return { checkName, create, existing, openidList, known, checkRoom };
}
