import { OK, bodyOf, integerField, objectField, type ApiTable } from './api.ts';
import { PlatformError } from './errcodes.ts';
import type { FollowerDirectory } from './ports.ts';
import { TAG_LIMITS, createTagRules, type TagStore } from './tag-rules.ts';

export { TAG_LIMITS } from './tag-rules.ts';

/** Tags and their members: `tags/...`, `user/tag/get`, and `tagUser` for the simulator. */
export function createTags(store: TagStore, followers: FollowerDirectory) {
  const rules = createTagRules(store, followers);
  return {
    api: tagApi(store, rules),
    tagsOf: (openid: string) => store.tagsOf(openid),
    /** Gives a user a tag by name, creating the tag if need be; answers the tag's id. */
    async tagUser(openid: string, tagName: string): Promise<number> {
      const existingId = (await store.byName(tagName))?.id;
      await rules.checkRoom(openid, existingId);
      const id = existingId ?? (await rules.create(tagName)).id;
      await store.tag(id, [openid]);
      return id;
    },
  };
}

function tagApi(store: TagStore, rules: ReturnType<typeof createTagRules>): ApiTable {
  return {
    'tags/create': {
      token: true,
      body: true,
      handle: async (request) => ({
        tag: await rules.create(objectField(bodyOf(request), 'tag').name),
      }),
    },
    'tags/get': { token: true, handle: async () => ({ tags: await store.all() }) },
    'tags/update': {
      token: true,
      body: true,
      async handle(request) {
        const tag = objectField(bodyOf(request), 'tag');
        const id = await rules.existing(tag, 'id');
        await store.rename(id, await rules.checkName(tag.name, id));
        return OK;
      },
    },
    'tags/delete': {
      token: true,
      body: true,
      async handle(request) {
        const id = await rules.existing(objectField(bodyOf(request), 'tag'), 'id');
        if ((await store.memberCount(id)) > TAG_LIMITS.deletableMembers)
          throw new PlatformError(45057, `tag ${id} has over 100,000 followers`);
        await store.remove(id);
        return OK;
      },
    },
    'tags/members/batchtagging': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const id = await rules.existing(body, 'tagid');
        const openids = await rules.openidList(body);
        for (const openid of openids) await rules.checkRoom(openid, id);
        await store.tag(id, openids);
        return OK;
      },
    },
    'tags/members/batchuntagging': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const id = await rules.existing(body, 'tagid');
        await store.untag(id, await rules.openidList(body));
        return OK;
      },
    },
    'tags/getidlist': {
      token: true,
      body: true,
      handle: async (request) => ({
        tagid_list: await store.tagsOf(await rules.known(bodyOf(request).openid)),
      }),
    },
    'user/tag/get': {
      token: true,
      body: true,
      async handle(request) {
        const body = bodyOf(request);
        const id = integerField(body, 'tagid', 45159);
        if (!(await store.byId(id))) throw new PlatformError(45159, `no tag has id ${id}`);
        const after = typeof body.next_openid === 'string' ? body.next_openid : '';
        const openids = await store.members(id, after, TAG_LIMITS.page);
        return {
          count: openids.length,
          data: { openid: openids },
          next_openid: openids.at(-1) ?? '',
        };
      },
    },
  };
}
