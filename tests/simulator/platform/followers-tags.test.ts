import { afterEach, describe, expect, it } from 'vitest';
import { START, openidOf, startPlatform, type TestPlatform } from './fakes.ts';

const PAGE = 10_000;
const TAG_NAME_BYTES = 30;
const TAGS_MAX = 100;
const TAGS_PER_USER = 20;
import { DATABASES } from '../sim-storage-fixture.ts';

describe.each(DATABASES)('the platform on %s', (kind) => {
  let p: TestPlatform;
  afterEach(() => p.close());

  async function start(followers: number) {
    p = await startPlatform({ followers, kind });
    return p.token();
  }

  describe('user/get', () => {
    it('pages 10,000 OpenIDs at a time with next_openid, past the first page', async () => {
      const FOLLOWERS = 25_001;
      const token = await start(FOLLOWERS);
      const seen: string[] = [];
      let next = '';
      const counts: unknown[] = [];
      for (;;) {
        const page = await p.call('user/get', { token, query: { next_openid: next } });
        expect(page.total).toBe(FOLLOWERS);
        counts.push(page.count);
        if (page.count === 0) break;
        seen.push(...(page.data as { openid: string[] }).openid);
        next = page.next_openid as string;
      }
      expect(counts).toEqual([PAGE, PAGE, FOLLOWERS - 2 * PAGE, 0]);
      expect(new Set(seen).size).toBe(FOLLOWERS);
    });

    it('lists followers only', async () => {
      const token = await start(3);
      p.followers.update(openidOf(2), { subscribed: false });
      const page = await p.call('user/get', { token });
      expect(page).toEqual({
        total: 2,
        count: 2,
        data: { openid: [openidOf(1), openidOf(3)] },
        next_openid: openidOf(3),
      });
    });
  });

  describe('user/info', () => {
    it('describes a follower with their tags, and only the subscribe flag of someone who left', async () => {
      const token = await start(2);
      p.followers.update(openidOf(1), { subscribeScene: 'ADD_SCENE_QR_CODE', qrScene: '42' });
      const tagId = await p.api.tagUser(openidOf(1), 'press');
      const info = await p.call('user/info', {
        token,
        query: { openid: openidOf(1), lang: 'zh_CN' },
      });
      expect(info).toEqual({
        subscribe: 1,
        openid: openidOf(1),
        language: 'zh_CN',
        subscribe_time: START.getTime() / 1000,
        remark: '',
        groupid: 0,
        tagid_list: [tagId],
        subscribe_scene: 'ADD_SCENE_QR_CODE',
        qr_scene: 42,
        qr_scene_str: '42',
      });
      p.followers.update(openidOf(2), { subscribed: false });
      expect(await p.call('user/info', { token, query: { openid: openidOf(2) } })).toEqual({
        subscribe: 0,
        openid: openidOf(2),
      });
      expect((await p.call('user/info', { token, query: { openid: 'o_nobody' } })).errcode).toBe(
        40003,
      );
    });

    it('answers up to 100 users in a batch (40032 past it)', async () => {
      const token = await start(101);
      const list = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ openid: openidOf(i + 1) }));
      const batch = await p.call('user/info/batchget', { token, body: { user_list: list(100) } });
      expect((batch.user_info_list as unknown[]).length).toBe(100);
      expect(
        (await p.call('user/info/batchget', { token, body: { user_list: list(101) } })).errcode,
      ).toBe(40032);
    });
  });

  describe('tags', () => {
    const create = (token: string, name: string) =>
      p.call('tags/create', { token, body: { tag: { name } } });

    it('creates, lists with counts, renames and deletes tags', async () => {
      const token = await start(3);
      const made = await create(token, '外交动态');
      expect(made).toEqual({ tag: { id: 100, name: '外交动态' } });
      await p.call('tags/members/batchtagging', {
        token,
        body: { openid_list: [openidOf(1), openidOf(2)], tagid: 100 },
      });
      expect(await p.call('tags/get', { token })).toEqual({
        tags: [{ id: 100, name: '外交动态', count: 2 }],
      });
      expect(
        (await p.call('tags/update', { token, body: { tag: { id: 100, name: 'news' } } })).errcode,
      ).toBe(0);
      expect(await p.call('tags/getidlist', { token, body: { openid: openidOf(1) } })).toEqual({
        tagid_list: [100],
      });
      const members = await p.call('user/tag/get', {
        token,
        body: { tagid: 100, next_openid: '' },
      });
      expect(members).toEqual({
        count: 2,
        data: { openid: [openidOf(1), openidOf(2)] },
        next_openid: openidOf(2),
      });
      await p.call('tags/members/batchuntagging', {
        token,
        body: { openid_list: [openidOf(1)], tagid: 100 },
      });
      expect(await p.call('tags/getidlist', { token, body: { openid: openidOf(1) } })).toEqual({
        tagid_list: [],
      });
      expect((await p.call('tags/delete', { token, body: { tag: { id: 100 } } })).errcode).toBe(0);
      expect(await p.call('tags/get', { token })).toEqual({ tags: [] });
    });

    it('refuses bad tag names: too long (45158), empty or taken (45157)', async () => {
      const token = await start(0);
      expect((await create(token, 'n'.repeat(TAG_NAME_BYTES + 1))).errcode).toBe(45158);
      expect((await create(token, '标'.repeat(11))).errcode).toBe(45158); // 33 bytes
      expect((await create(token, 'n'.repeat(TAG_NAME_BYTES))).errcode).toBeUndefined();
      expect((await create(token, '')).errcode).toBe(45157);
      expect((await create(token, 'n'.repeat(TAG_NAME_BYTES))).errcode).toBe(45157);
    });

    it('keeps an account to 100 tags (45056)', async () => {
      const token = await start(0);
      for (let i = 0; i < TAGS_MAX; i++) expect((await create(token, `t${i}`)).tag).toBeDefined();
      expect((await create(token, 'one too many')).errcode).toBe(45056);
    });

    it('refuses to change the platform tags (45058) or unknown ones (45159)', async () => {
      const token = await start(1);
      expect(
        (await p.call('tags/update', { token, body: { tag: { id: 2, name: 'x' } } })).errcode,
      ).toBe(45058);
      expect((await p.call('tags/delete', { token, body: { tag: { id: 1 } } })).errcode).toBe(
        45058,
      );
      expect((await p.call('tags/delete', { token, body: { tag: { id: 555 } } })).errcode).toBe(
        45159,
      );
      const tagging = { openid_list: [openidOf(1)], tagid: 555 };
      expect((await p.call('tags/members/batchtagging', { token, body: tagging })).errcode).toBe(
        45159,
      );
    });

    it('tags at most 50 OpenIDs a call (40032), known ones only (40003), 20 tags a user (45059)', async () => {
      const token = await start(51);
      await create(token, 'a');
      const all = Array.from({ length: 51 }, (_, i) => openidOf(i + 1));
      const tag = (openid_list: unknown[], tagid = 100) =>
        p.call('tags/members/batchtagging', { token, body: { openid_list, tagid } });
      expect((await tag(all)).errcode).toBe(40032);
      expect((await tag([])).errcode).toBe(40032);
      expect((await tag([openidOf(1), 'o_stranger'])).errcode).toBe(40003);
      expect(
        (await p.call('tags/getidlist', { token, body: { openid: openidOf(1) } })).tagid_list,
      ).toEqual([]);
      expect((await tag(all.slice(0, 50))).errcode).toBe(0);
      for (let i = 1; i < TAGS_PER_USER; i++) await p.api.tagUser(openidOf(1), `extra-${i}`);
      await create(token, 'twenty-first');
      const last = (await p.call('tags/get', { token })).tags as { id: number }[];
      expect((await tag([openidOf(1)], last.at(-1)!.id)).errcode).toBe(45059);
      await expect(p.api.tagUser(openidOf(1), 'another')).rejects.toThrow(/20 tags/);
    });
  });
});
