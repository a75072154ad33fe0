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
    tagUser(openid: string, tagName: string): number {
      const existingId = store.byName(tagName)?.id;
      rules.checkRoom(openid, existingId);
      const id = existingId ?? rules.create(tagName).id;
      store.tag(id, [openid]);
      return id;
    },
  };
}

function tagApi(store: TagStore, rules: ReturnType<typeof createTagRules>): ApiTable {
  return {
    'tags/create': {
      token: true,
      body: true,
      handle: (request) => ({ tag: rules.create(objectField(bodyOf(request), 'tag').name) }),
    },
    'tags/get': { token: true, handle: () => ({ tags: store.all() }) },
    'tags/update': {
      token: true,
      body: true,
      handle(request) {
        const tag = objectField(bodyOf(request), 'tag');
        const id = rules.existing(tag, 'id');
        store.rename(id, rules.checkName(tag.name, id));
        return OK;
      },
    },
    'tags/delete': {
      token: true,
      body: true,
      handle(request) {
        const id = rules.existing(objectField(bodyOf(request), 'tag'), 'id');
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
        const id = rules.existing(body, 'tagid');
        const openids = rules.openidList(body);
        for (const openid of openids) rules.checkRoom(openid, id);
        store.tag(id, openids);
        return OK;
      },
    },
    'tags/members/batchuntagging': {
      token: true,
      body: true,
      handle(request) {
        const body = bodyOf(request);
        store.untag(rules.existing(body, 'tagid'), rules.openidList(body));
        return OK;
      },
    },
    'tags/getidlist': {
      token: true,
      body: true,
      handle: (request) => ({ tagid_list: store.tagsOf(rules.known(bodyOf(request).openid)) }),
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
}
