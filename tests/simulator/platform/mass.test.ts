import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/clock/clock.ts';
import { shanghaiMonth } from '../../../src/simulator/platform/shanghai-time.ts';
import { addMaterial, HOUR, openidOf, startPlatform, thumbOf, type TestPlatform } from './fakes.ts';

const MINUTE = 60_000;
const DAY = 24 * HOUR;
const TEXT = { msgtype: 'text', text: { content: 'Weekly digest' } };
const SERVICE_MONTHLY = 4;
import { DATABASES } from '../sim-storage-fixture.ts';
import { WAIT } from '../../helpers/wait.ts';

describe.each(DATABASES)('the platform on %s', (kind) => {
  let p: TestPlatform;
  afterEach(() => p.close());

  async function start(options: Parameters<typeof startPlatform>[0]) {
    p = await startPlatform({ ...options, kind });
    return p.token();
  }

  /** What the timelines hold for one job. */
  const deliveredFor = (msgId: unknown) => p.timeline.filter((t) => t.msgId === String(msgId));
  const finishEvent = (msgId: unknown) => p.posted.find((e) => e.MsgID === msgId);

  describe('message/mass/sendall', () => {
    it('delivers to every follower when the clock travels, then posts MASSSENDJOBFINISH with matching counts', async () => {
      const FOLLOWERS = 12_000;
      const token = await start({ followers: FOLLOWERS });
      const answer = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT, clientmsgid: 'digest-1' },
      });
      expect(answer).toMatchObject({ errcode: 0, errmsg: 'send job submission success' });
      expect(answer.msg_data_id).toBeUndefined(); // text carries no article data
      const status = await p.call('message/mass/get', { token, body: { msg_id: answer.msg_id } });
      expect(status).toEqual({ msg_id: answer.msg_id, msg_status: 'SENDING' });

      await p.clock.advance(MINUTE);
      expect(deliveredFor(answer.msg_id)).toHaveLength(FOLLOWERS);
      expect(finishEvent(answer.msg_id)).toEqual({
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: answer.msg_id,
        Status: 'send success',
        TotalCount: FOLLOWERS,
        FilterCount: FOLLOWERS,
        SentCount: FOLLOWERS,
        ErrorCount: 0,
      });
      const done = await p.call('message/mass/get', { token, body: { msg_id: answer.msg_id } });
      expect(done.msg_status).toBe('SEND_SUCCESS');
    });

    it('delivers 100,000 followers in chunks at the configured speed', async () => {
      const FOLLOWERS = 100_000;
      const SLOWEST = 4; // 100,000 a minute
      const token = await start({ followers: FOLLOWERS });
      expect(
        (await p.call('message/mass/speed/set', { token, body: { speed: SLOWEST } })).errcode,
      ).toBe(0);
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      await p.clock.advance(MINUTE / 2);
      const halfway = deliveredFor(msg_id).length;
      expect(halfway).toBeGreaterThan(0);
      expect(halfway).toBeLessThan(FOLLOWERS);
      expect(finishEvent(msg_id)).toBeUndefined();
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id)).toHaveLength(FOLLOWERS);
      expect(new Set(deliveredFor(msg_id).map((t) => t.openid)).size).toBe(FOLLOWERS);
      expect(finishEvent(msg_id)).toMatchObject({ TotalCount: FOLLOWERS, SentCount: FOLLOWERS });
    });

    it('sends to the followers with a tag only', async () => {
      const token = await start({ followers: 10 });
      const tagged = [openidOf(2), openidOf(5), openidOf(7)];
      for (const openid of tagged) await p.api.tagUser(openid, 'press');
      p.followers.update(openidOf(7), { subscribed: false });
      const tagId = await p.api.tagUser(openidOf(2), 'press');
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: false, tag_id: tagId }, ...TEXT },
      });
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id).map((t) => t.openid)).toEqual([openidOf(2), openidOf(5)]);
      expect(finishEvent(msg_id)).toMatchObject({ TotalCount: 3, SentCount: 2, ErrorCount: 1 });
    });

    it('delivers with real time on a clock that does not travel', async () => {
      const FOLLOWERS = 3;
      const token = await start({ followers: FOLLOWERS, clock: systemClock });
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      await vi.waitFor(() => expect(finishEvent(msg_id)).toBeDefined(), WAIT);
      expect(deliveredFor(msg_id)).toHaveLength(FOLLOWERS);
    });

    it('refuses a tag that does not exist (45159)', async () => {
      const token = await start({ followers: 2 });
      const answer = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: false, tag_id: 999 }, ...TEXT },
      });
      expect(answer.errcode).toBe(45159);
    });

    it('sends mpnews material with its data id and a CopyrightCheckResult block', async () => {
      const token = await start({ followers: 3 });
      const thumb = await thumbOf(p, token);
      const upload = await p.call('media/uploadnews', {
        token,
        body: {
          articles: [
            { thumb_media_id: thumb, title: 'One', content: '<p>1</p>', digest: 'first' },
            { thumb_media_id: thumb, title: 'Two', content: '<p>2</p>' },
          ],
        },
      });
      expect(upload).toMatchObject({ type: 'news', media_id: expect.any(String) });
      const answer = await p.call('message/mass/sendall', {
        token,
        body: {
          filter: { is_to_all: true },
          msgtype: 'mpnews',
          mpnews: { media_id: upload.media_id },
        },
      });
      expect(answer.msg_data_id).toEqual(expect.any(Number));
      await p.clock.advance(MINUTE);
      expect(deliveredFor(answer.msg_id)[0]?.message).toMatchObject({
        msgtype: 'mpnews',
        articles: [{ title: 'One', description: 'first' }, { title: 'Two' }],
      });
      expect(finishEvent(answer.msg_id)?.CopyrightCheckResult).toEqual({
        Count: 0,
        ResultList: {},
        CheckState: 1,
      });
    });
  });

  describe('message/mass/send', () => {
    it('counts an unfollowed or unknown OpenID as an error of that one, not a failed job', async () => {
      const token = await start({ followers: 4 });
      p.followers.update(openidOf(3), { subscribed: false });
      const touser = [openidOf(1), openidOf(2), openidOf(3), 'o_unknown_00000000000000000'];
      const { msg_id, errcode } = await p.call('message/mass/send', {
        token,
        body: { touser, ...TEXT },
      });
      expect(errcode).toBe(0);
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id).map((t) => t.openid)).toEqual([openidOf(1), openidOf(2)]);
      expect(finishEvent(msg_id)).toMatchObject({
        Status: 'send success',
        TotalCount: 4,
        FilterCount: 4,
        SentCount: 2,
        ErrorCount: 2,
      });
    });

    it('counts a timeline that cannot take the message as an error of that user only', async () => {
      const token = await start({ followers: 3 });
      p.refuse.add(openidOf(2));
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id).map((t) => t.openid)).toEqual([openidOf(1), openidOf(3)]);
      expect(finishEvent(msg_id)).toMatchObject({ SentCount: 2, ErrorCount: 1, FilterCount: 3 });
      // The refused one's receipt went with its timeline item; the others count once each.
      const receipts = await p.storage.platform.mass.receiptsThisMonth(
        [openidOf(1), openidOf(2), openidOf(3)],
        shanghaiMonth(p.clock.now()),
      );
      expect(Object.fromEntries(receipts)).toEqual({ [openidOf(1)]: 1, [openidOf(3)]: 1 });
      expect(p.events.find((e) => e.type === 'platform.mass.finished')?.data).toMatchObject({
        msgId: String(msg_id),
        SentCount: 2,
      });
    });

    it('counts an OpenID the database cannot read as an error of its own, not a failed job', async () => {
      const token = await start({ followers: 3 });
      // PostgreSQL refuses a NUL in text: the chunk's set read fails, then that one alone.
      const UNREADABLE = 'o\u0000unreadable';
      const { msg_id, errcode } = await p.call('message/mass/send', {
        token,
        body: { touser: [openidOf(1), UNREADABLE, openidOf(3)], ...TEXT },
      });
      expect(errcode).toBe(0);
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id).map((t) => t.openid)).toEqual([openidOf(1), openidOf(3)]);
      expect(finishEvent(msg_id)).toMatchObject({
        Status: 'send success',
        SentCount: 2,
        ErrorCount: 1,
      });
    });

    it('finishes a job when the account cannot take MASSSENDJOBFINISH', async () => {
      const token = await start({ followers: 2 });
      p.callbackDown.value = true;
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      await p.clock.advance(MINUTE);
      expect(deliveredFor(msg_id)).toHaveLength(2);
      expect((await p.call('message/mass/get', { token, body: { msg_id } })).msg_status).toBe(
        'SEND_SUCCESS',
      );
    });

    it('reports send fail when no one could be reached', async () => {
      const token = await start({ followers: 0 });
      const touser = ['o_gone_1_000000000000000000', 'o_gone_2_000000000000000000'];
      const { msg_id } = await p.call('message/mass/send', { token, body: { touser, ...TEXT } });
      await p.clock.advance(MINUTE);
      expect(finishEvent(msg_id)).toMatchObject({
        Status: 'send fail',
        SentCount: 0,
        ErrorCount: 2,
      });
      expect((await p.call('message/mass/get', { token, body: { msg_id } })).msg_status).toBe(
        'SEND_FAIL',
      );
    });

    it.each([
      ['one OpenID', [openidOf(1)], 40130],
      ['the same OpenID twice', [openidOf(1), openidOf(1)], 40130],
      ['10,001 OpenIDs', Array.from({ length: 10_001 }, (_, i) => openidOf(i)), 40032],
      ['a number among the OpenIDs', [openidOf(1), 42], 40003],
    ])('refuses %s', async (_, touser, code) => {
      const token = await start({ followers: 2 });
      expect(
        (await p.call('message/mass/send', { token, body: { touser, ...TEXT } })).errcode,
      ).toBe(code);
    });

    it.each([
      ['empty text', { msgtype: 'text', text: { content: '' } }, 44004],
      ['text over 2,048 bytes', { msgtype: 'text', text: { content: 'x'.repeat(2049) } }, 45002],
      ['unknown material', { msgtype: 'mpnews', mpnews: { media_id: 'nope' } }, 40007],
      ['a voice message', { msgtype: 'voice', voice: { media_id: 'v' } }, 40008],
    ])('refuses %s', async (_, message, code) => {
      const token = await start({ followers: 2 });
      const touser = [openidOf(1), openidOf(2)];
      expect(
        (await p.call('message/mass/send', { token, body: { touser, ...message } })).errcode,
      ).toBe(code);
    });
  });

  describe('clientmsgid', () => {
    const send = (token: string, clientmsgid: string) =>
      p.call('message/mass/send', {
        token,
        body: { touser: [openidOf(1), openidOf(2)], ...TEXT, clientmsgid },
      });

    it('answers 45066 for a repeat within a minute, then 45065 with the first msg_id for a day', async () => {
      const token = await start({ followers: 2 });
      const first = await send(token, 'batch-7');
      const fast = await send(token, 'batch-7');
      expect(fast.errcode).toBe(45066);
      expect(fast.errmsg).toMatch(/^same clientmsgid retry too fast rid:/);
      await p.clock.advance(2 * MINUTE);
      const repeat = await send(token, 'batch-7');
      expect(repeat).toMatchObject({ errcode: 45065, msg_id: first.msg_id });
      expect(repeat.errmsg).toMatch(/^clientmsgid exist rid:/);
      await p.clock.advance(DAY);
      const fresh = await p.token();
      const later = await send(fresh, 'batch-7');
      expect(later.errcode).toBe(0);
      expect(later.msg_id).not.toBe(first.msg_id);
    });

    it('refuses a clientmsgid over 64 bytes (45067) and takes one of exactly 64', async () => {
      const token = await start({ followers: 2 });
      expect((await send(token, 'k'.repeat(65))).errcode).toBe(45067);
      expect((await send(token, '字'.repeat(22))).errcode).toBe(45067); // 66 bytes
      expect((await send(token, 'k'.repeat(64))).errcode).toBe(0);
    });
  });

  describe('mass-send quota by account type', () => {
    it('lets a subscription account mass-send once a Beijing day (45028 past it)', async () => {
      const token = await start({ type: 'subscription', followers: 3 });
      const sendall = (t: string) =>
        p.call('message/mass/sendall', {
          token: t,
          body: { filter: { is_to_all: true }, ...TEXT },
        });
      const { msg_id } = await sendall(token);
      expect((await p.call('message/mass/delete', { token, body: { msg_id } })).errcode).toBe(0);
      const refused = await sendall(token); // deleting a send does not give it back
      expect(refused.errcode).toBe(45028);
      expect(refused.errmsg).toMatch(/^has no masssend quota rid:/);
      await p.clock.advance(20 * HOUR); // START is noon in Beijing: this is the next day
      expect((await sendall(await p.token())).errcode).toBe(0);
    });

    it('reaches each user of a service account at most 4 times a month, the rest filtered out', async () => {
      const USERS = 3;
      const token = await start({ type: 'service', followers: USERS });
      const ids: unknown[] = [];
      for (let i = 0; i <= SERVICE_MONTHLY; i++) {
        const answer = await p.call('message/mass/sendall', {
          token,
          body: { filter: { is_to_all: true }, ...TEXT },
        });
        expect(answer.errcode).toBe(0);
        ids.push(answer.msg_id);
        await p.clock.advance(MINUTE);
      }
      expect(deliveredFor(ids[SERVICE_MONTHLY - 1])).toHaveLength(USERS);
      expect(deliveredFor(ids[SERVICE_MONTHLY])).toHaveLength(0);
      expect(finishEvent(ids[SERVICE_MONTHLY])).toMatchObject({
        TotalCount: USERS,
        FilterCount: 0,
        SentCount: 0,
        ErrorCount: 0,
      });
    });
  });

  describe('preview, status, delete and speed', () => {
    it('previews to one follower at once, without a job', async () => {
      const token = await start({ followers: 2 });
      const answer = await p.call('message/mass/preview', {
        token,
        body: { touser: openidOf(2), ...TEXT },
      });
      expect(answer).toMatchObject({ errcode: 0, errmsg: 'preview success' });
      expect(p.timeline).toEqual([
        expect.objectContaining({ openid: openidOf(2), source: 'preview' }),
      ]);
      const stranger = await p.call('message/mass/preview', {
        token,
        body: { touser: 'o_x', ...TEXT },
      });
      expect(stranger.errcode).toBe(40003);
      p.followers.update(openidOf(1), { subscribed: false });
      const gone = await p.call('message/mass/preview', {
        token,
        body: { touser: openidOf(1), ...TEXT },
      });
      expect(gone.errcode).toBe(43004);
    });

    it('stops a job on mass/delete and shows it as DELETE', async () => {
      const token = await start({ followers: 20_000 });
      await p.call('message/mass/speed/set', { token, body: { speed: 4 } });
      const { msg_id } = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      await p.clock.advance(MINUTE / 60);
      const badArticle = await p.call('message/mass/delete', {
        token,
        body: { msg_id, article_idx: 3 },
      });
      expect(badArticle.errcode).toBe(40060);
      expect((await p.call('message/mass/delete', { token, body: { msg_id } })).errcode).toBe(0);
      const sentBefore = deliveredFor(msg_id).length;
      await p.clock.advance(HOUR);
      expect(deliveredFor(msg_id)).toHaveLength(sentBefore);
      expect((await p.call('message/mass/get', { token, body: { msg_id } })).msg_status).toBe(
        'DELETE',
      );
      expect((await p.call('message/mass/get', { token, body: { msg_id: 12345 } })).errcode).toBe(
        40059,
      );
    });

    it('sets and reads the speed level; 45083 outside 0 to 4', async () => {
      const token = await start({});
      expect(await p.call('message/mass/speed/get', { token })).toEqual({
        speed: 0,
        realspeed: 80,
      });
      expect((await p.call('message/mass/speed/set', { token, body: { speed: 3 } })).errcode).toBe(
        0,
      );
      expect(await p.call('message/mass/speed/get', { token })).toEqual({
        speed: 3,
        realspeed: 30,
      });
      for (const speed of [5, -1, 1.5, '2'])
        expect((await p.call('message/mass/speed/set', { token, body: { speed } })).errcode).toBe(
          45083,
        );
    });
  });

  describe('media/uploadnews', () => {
    const article = { thumb_media_id: 't', title: 'A', content: '<p>a</p>' };
    it.each([
      ['a thumb that is not permanent material', { articles: [article] }, 40007],
      ['nine articles', { articles: Array(9).fill(article) }, 45008],
      ['no articles', { articles: [] }, 44003],
      ['an article without a thumbnail', { articles: [{ ...article, thumb_media_id: '' }] }, 40007],
      ['an article without content', { articles: [{ ...article, content: '' }] }, 44003],
      ['a title over 64 characters', { articles: [{ ...article, title: 't'.repeat(65) }] }, 45003],
      [
        'a digest over 120 characters',
        { articles: [{ ...article, digest: 'd'.repeat(121) }] },
        45004,
      ],
    ])('refuses %s', async (_, body, code) => {
      const token = await start({});
      const thumb = await thumbOf(p, token);
      // Every case but the first names a real thumb, so only its own fault is refused.
      const withThumb = {
        articles: body.articles.map((a: typeof article) =>
          a.thumb_media_id === 't' && code !== 40007 ? { ...a, thumb_media_id: thumb } : a,
        ),
      };
      expect((await p.call('media/uploadnews', { token, body: withThumb })).errcode).toBe(code);
    });

    it('takes eight articles', async () => {
      const token = await start({});
      const thumb = await thumbOf(p, token);
      const answer = await p.call('media/uploadnews', {
        token,
        body: { articles: Array(8).fill({ ...article, thumb_media_id: thumb }) },
      });
      expect(answer.media_id).toEqual(expect.any(String));
    });
  });

  describe('material/add_material', () => {
    const THUMB_MAX_BYTES = 64 * 1024;
    it('keeps a JPG thumb or an image as permanent material, answering its media_id and url', async () => {
      const token = await start({});
      for (const [type, name] of [
        ['thumb', 'cover.jpg'],
        ['thumb', 'COVER.JPEG'],
        ['image', 'photo.png'],
      ] as const) {
        const answer = await addMaterial(p, token, { type, name });
        expect(answer).toMatchObject({ media_id: expect.any(String), url: expect.any(String) });
      }
    });

    it.each([
      ['a thumb that is a PNG', { name: 'cover.png' }, 40005],
      ['an image that is a text file', { type: 'image', name: 'notes.txt' }, 40005],
      ['a thumb over 64 KB', { bytes: new Uint8Array(THUMB_MAX_BYTES + 1).fill(0x41) }, 40006],
      ['a type it does not keep', { type: 'video' }, 40004],
      ['an upload without a media part', { field: 'file' }, 41005],
    ])('refuses %s', async (_, options, code) => {
      const token = await start({});
      expect((await addMaterial(p, token, options)).errcode).toBe(code);
    });

    it('takes a thumb of exactly 64 KB', async () => {
      const token = await start({});
      const bytes = new Uint8Array(THUMB_MAX_BYTES).fill(0x41);
      expect((await addMaterial(p, token, { bytes })).errcode).toBeUndefined();
    });
  });

  describe('media/uploadimg', () => {
    async function upload(token: string, name: string, field = 'media') {
      const form = new FormData();
      form.append(field, new Blob([new Uint8Array([0xff, 0xd8, 0xff])]), name);
      const res = await fetch(`${p.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
        method: 'POST',
        body: form,
      });
      return (await res.json()) as Record<string, unknown>;
    }

    it('answers an image address for a JPG or PNG', async () => {
      const token = await start({});
      expect((await upload(token, 'cover.jpg')).url).toMatch(
        /^http:\/\/mmbiz\.qpic\.cn\/mmbiz_jpg\//,
      );
      expect((await upload(token, 'cover.PNG')).url).toMatch(
        /^http:\/\/mmbiz\.qpic\.cn\/mmbiz_png\//,
      );
    });

    it('refuses another file type (40005) and an upload without a media part (41005)', async () => {
      const token = await start({});
      expect((await upload(token, 'cover.gif')).errcode).toBe(40005);
      expect((await upload(token, 'cover.jpg', 'file')).errcode).toBe(41005);
    });
  });

  describe('the mass-send daily quota', () => {
    it('counts sendall and send together against the 100 mass sends of a day (45009)', async () => {
      const MASS_DAILY = 100;
      const token = await start({ followers: 2 });
      const touser = [openidOf(1), openidOf(2)];
      for (let i = 0; i < MASS_DAILY / 2; i++) {
        await p.call('message/mass/sendall', {
          token,
          body: { filter: { is_to_all: true }, ...TEXT },
        });
        await p.call('message/mass/send', { token, body: { touser, ...TEXT } });
      }
      expect(
        (await p.call('message/mass/send', { token, body: { touser, ...TEXT } })).errcode,
      ).toBe(45009);
      const all = await p.call('message/mass/sendall', {
        token,
        body: { filter: { is_to_all: true }, ...TEXT },
      });
      expect(all.errcode).toBe(45009);
    });
  });
});
